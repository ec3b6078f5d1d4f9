/**
 * The live task's MLP space and digit data plumbing: canonical architectures, encoding and
 * projection layout, exact and relaxed parameter counts, the binary digits format and the split.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MLP, Rng, tensor } from '../src/autograd/index.js';
import { encodeDigits, parseDigits, splitDigits, toExamples, type Digits } from '../src/nas/tasks/digits.js';
import { mlpParams, mlpSpace, MLP_MAX_DEPTH } from '../src/nas/tasks/mlp-space.js';

const space = mlpSpace({ inputs: 196 });
const archArb = fc.integer({ min: 0, max: 2 ** 31 - 1 }).map((s) => space.sample(new Rng(s)));

/** Generated digits: `n` images of side `side` whose pixels encode their index (no real data needed). */
function fakeDigits(n: number, side: number): Digits {
  const pixels = new Uint8Array(n * side * side);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 37 + 11) % 256;
  return { n, side, pixels, labels: Uint8Array.from({ length: n }, (_, i) => i % 10) };
}

describe('MLP space (mnist-mlp)', () => {
  it('has the documented layout: depth, 4 log-grid widths, 3 activations, lr, dropout', () => {
    expect(space.name).toBe('mnist-mlp');
    expect(space.flatDim).toBe(1 + MLP_MAX_DEPTH + 3 + 1 + 1);
    expect(space.logitDim).toBe(space.flatDim);
    expect(space.base.valuesOf('width1')).toEqual([16, 23, 32, 45, 64, 91, 128, 181, 256]);
    expect(space.base.valuesOf('act')).toEqual(['relu', 'tanh', 'silu']);
  });

  it('hands out canonical architectures: unused widths repeat the last real one, and hash ignores them', () => {
    const a = space.parse('depth=2,width1=64,width2=32,width3=256,width4=16,act=relu,lr=0.001,dropout=0');
    expect(a['width3']).toBe(32);
    expect(a['width4']).toBe(32);
    const b = { ...a, width3: 181, width4: 91 };
    expect(space.hash(b)).toBe(space.hash(a));
    expect(space.hash({ ...a, width2: 45 })).not.toBe(space.hash(a));
    expect(space.describe(a)).toBe('196-64-32-10 relu lr=0.001 dropout=0');
    expect(space.config(a)).toEqual({ hidden: [64, 32], activation: 'relu', lr: 0.001, dropout: 0 });
  });

  it('round-trips: parse(toString(a)) = a, project(logits(a)) = a, relax(logits(a)) = encode(a)', () => {
    fc.assert(fc.property(archArb, (a) => {
      expect(space.parse(space.toString(a))).toEqual(a);
      const p = space.project(space.logits(a));
      expect(p.ok && space.hash(p.arch)).toBe(space.hash(a));
      const relaxed = space.relax(tensor(Array.from(space.logits(a, 30)), [1, space.logitDim], { dtype: 'float64' })).flat.toArray();
      const enc = Array.from(space.encode(a).flat);
      relaxed.forEach((x, i) => expect(x).toBeCloseTo(enc[i]!, 5));
    }), { seed: 42, numRuns: 60 });
  });

  it('counts parameters exactly (the engine agrees) and the relaxed count equals it at discrete points', () => {
    fc.assert(fc.property(archArb, (a) => {
      const c = space.config(a);
      const exact = space.cost(a).params!;
      expect(exact).toBe(mlpParams(196, c.hidden, 10));
      expect(new MLP([196, ...c.hidden, 10], { rng: new Rng(0) }).parameterCount()).toBe(exact);
      const z = tensor(Array.from(space.logits(a)), [1, space.logitDim], { dtype: 'float64' });
      expect(space.relaxedCost(z).params.toArray()[0]!).toBeCloseTo(exact, 3);
    }), { seed: 42, numRuns: 60 });
  });

  it('relaxed parameter count is differentiable in every logit that moves it', () => {
    const a = space.parse('depth=2,width1=64,width2=32,width3=32,width4=32,act=silu,lr=0.002,dropout=0.1');
    const z = tensor(Array.from(space.logits(a)), [1, space.logitDim], { dtype: 'float64', requiresGrad: true });
    space.relaxedCost(z).params.sum().backward();
    const g = z.grad!.toArray();
    expect(g[0]).toBeGreaterThan(0); // deeper → more parameters
    expect(g[1]).toBeGreaterThan(0); // wider first layer → more parameters
    expect(g[space.logitDim - 1]).toBe(0); // dropout costs nothing
  });

  it('mutations and neighbours always change the network', () => {
    fc.assert(fc.property(archArb, fc.integer({ min: 0, max: 1000 }), (a, s) => {
      const h = space.hash(a);
      expect(space.hash(space.mutate(a, new Rng(s)))).not.toBe(h);
      const ns = space.neighbours(a).map((n) => space.hash(n));
      expect(ns).not.toContain(h);
      expect(new Set(ns).size).toBe(ns.length);
    }), { seed: 42, numRuns: 40 });
  });

  it('rejects malformed architectures with the variable named', () => {
    expect(() => space.parse('depth=5,width1=64,width2=32,width3=32,width4=32,act=relu,lr=0.001,dropout=0')).toThrow(/'5' is not a value of 'depth'/);
    expect(() => space.cost({ depth: 1 })).toThrow(/missing variable 'width1'/);
  });
});

describe('digits data', () => {
  it('round-trips the binary format and rejects a wrong magic or length', () => {
    const d = fakeDigits(7, 4);
    const bytes = encodeDigits(d);
    expect(bytes.length).toBe(12 + 7 + 7 * 16);
    const back = parseDigits(bytes);
    expect(back.n).toBe(7);
    expect(Array.from(back.pixels)).toEqual(Array.from(d.pixels));
    expect(Array.from(back.labels)).toEqual(Array.from(d.labels));
    expect(() => parseDigits(bytes.subarray(0, bytes.length - 1))).toThrow(/header says 7 images of 4×4 \(131 bytes\), the file has 130 bytes/);
    const bad = bytes.slice();
    bad[0] = 0;
    expect(() => parseDigits(bad)).toThrow(/not a prednas digits file/);
  });

  it('average-pools by the factor and scales to [0, 1]', () => {
    const d: Digits = { n: 1, side: 2, pixels: Uint8Array.from([0, 255, 255, 255]), labels: Uint8Array.from([3]) };
    const ex = toExamples(d, [0], 2);
    expect(ex.dim).toBe(1);
    expect(ex.x[0]).toBeCloseTo(0.75, 6);
    expect(ex.y[0]).toBe(3);
    expect(() => toExamples(d, [0], 3)).toThrow(/dividing the image side 2/);
  });

  it('splits disjointly and reproducibly per seed', () => {
    const d = fakeDigits(100, 4);
    const a = splitDigits(d, { train: 50, val: 25, test: 25 }, 7, 2);
    const b = splitDigits(d, { train: 50, val: 25, test: 25 }, 7, 2);
    const c = splitDigits(d, { train: 50, val: 25, test: 25 }, 8, 2);
    expect(a.indices).toEqual(b.indices);
    expect(a.indices.train).not.toEqual(c.indices.train);
    const all = [...a.indices.train, ...a.indices.val, ...a.indices.test];
    expect(new Set(all).size).toBe(100);
    expect(a.train.dim).toBe(4);
    // Held-out sets do not move when the training set shrinks.
    const small = splitDigits(d, { train: 10, val: 25, test: 25 }, 7, 2);
    expect(small.indices.val).toEqual(a.indices.val);
    expect(small.indices.test).toEqual(a.indices.test);
    expect(a.indices.train.slice(0, 10)).toEqual(small.indices.train);
    expect(() => splitDigits(d, { train: 80, val: 25, test: 25 }, 0, 2)).toThrow(/130 images, but only 100 are available/);
  });
});
