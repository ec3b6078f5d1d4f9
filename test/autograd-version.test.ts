/**
 * The version counter on tensor storage. Backward rules read their inputs and outputs at backward
 * time, so an in-place write between recording and backward would silently corrupt gradients;
 * the engine refuses it with a one-line error naming the op and the tensor. Writes after backward
 * (optimiser steps) and writes before recording stay legal. The property at the end checks, on
 * random graphs with one random in-place write, that backward either throws or agrees with the
 * same program written without in-place writes -- and that the check has teeth: the same writes
 * made without bumping the version do give different gradients.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Adam, BatchNorm2d, Linear, MLP, Rng, SGD, mseLoss, noGrad, tensor, valueAndGrad, zeros, type Tensor,
} from '../src/autograd/index.js';

const f64 = (data: number[], shape?: number[], requiresGrad = false): Tensor =>
  tensor(data, shape ?? [data.length], { dtype: 'float64', requiresGrad });

/** Expect fn to throw exactly one line matching re. */
function expectOneLineError(fn: () => unknown, re: RegExp): void {
  let msg: string | null = null;
  try {
    fn();
  } catch (e) {
    msg = (e as Error).message;
  }
  expect(msg, 'expected an error').not.toBeNull();
  expect(msg).toMatch(re);
  expect(msg).not.toContain('\n');
}

describe('the version counter', () => {
  it('starts at 0, grows on every bump and is shared by reshape and detach views', () => {
    const x = f64([1, 2, 3, 4], [2, 2]);
    const v = x.reshape([4]), d = x.detach(), c = x.clone();
    expect(x.version).toBe(0);
    x.bumpVersion();
    const v1 = x.version;
    expect(v1).toBeGreaterThan(0);
    expect([v.version, d.version]).toEqual([v1, v1]);
    d.bumpVersion();
    expect(x.version).toBeGreaterThan(v1);
    expect(v.version).toBe(x.version);
    expect(c.version).toBe(0); // a clone has its own storage
  });

  it('optimiser steps and loadStateDict bump the parameters they write', () => {
    const lin = new Linear(2, 1, { rng: new Rng(0), dtype: 'float64' });
    const opt = new SGD(lin.parameters(), { lr: 0.1 });
    const before = lin.parameters().map((p) => p.version);
    lin.forward(f64([1, 2], [1, 2])).sum().backward();
    opt.step();
    lin.parameters().forEach((p, i) => expect(p.version).toBeGreaterThan(before[i]!));
    const afterStep = lin.parameters().map((p) => p.version);
    lin.loadStateDict(lin.stateDict());
    lin.parameters().forEach((p, i) => expect(p.version).toBeGreaterThan(afterStep[i]!));
  });
});

describe('batch norm running statistics', () => {
  it('a training forward bumps them; an eval-mode graph made before keeps the values its forward used', () => {
    const bn = new BatchNorm2d(2, { dtype: 'float64' });
    const x = tensor(Array.from({ length: 16 }, (_, i) => Math.sin(i)), [2, 2, 2, 2], { dtype: 'float64', requiresGrad: true });
    const v0 = [bn.runningMean.version, bn.runningVar.version];
    bn.eval();
    const before = bn.stateDict();
    const evalLoss = bn.forward(x).mul(x).sum();
    bn.train();
    bn.forward(x); // updates the running statistics in place
    expect(bn.runningMean.version).toBeGreaterThan(v0[0]!);
    expect(bn.runningVar.version).toBeGreaterThan(v0[1]!);
    evalLoss.backward();
    // The same eval-mode forward on a copy that never saw the update: the same gradient.
    const twin = new BatchNorm2d(2, { dtype: 'float64' });
    twin.loadStateDict(before);
    twin.eval();
    const x2 = tensor(Array.from(x.data), [2, 2, 2, 2], { dtype: 'float64', requiresGrad: true });
    twin.forward(x2).mul(x2).sum().backward();
    expect(Array.from(x.grad!.data)).toEqual(Array.from(x2.grad!.data));
    expect(Array.from(bn.runningMean.data)).not.toEqual(Array.from(twin.runningMean.data));
  });
});

describe('backward refuses saved tensors written in place', () => {
  it('an input of mul written after the forward: names the op, the input and the tensor', () => {
    const a = f64([1, 2], undefined, true), b = f64([3, 4], undefined, true);
    const loss = a.mul(b).sum();
    b.data[0] = 100;
    b.bumpVersion();
    expectOneLineError(() => loss.backward(), /^backward: input 1 Tensor\(float64, \[2\], requiresGrad\) of op 'mul' was written in place/);
    expect(a.grad).toBeNull();
  });

  it('a write through a reshape view or a detached alias is caught on the original', () => {
    for (const alias of [(t: Tensor) => t.reshape([2, 1]), (t: Tensor) => t.detach()]) {
      const a = f64([1, 2], undefined, true), w = f64([3, 4], undefined, true);
      const loss = a.mul(w).sum();
      alias(w).bumpVersion();
      expectOneLineError(() => loss.backward(), /input 1 .* of op 'mul' was written in place/);
    }
  });

  it("an op's output written in place (exp's rule reads its output)", () => {
    // Every consumer of y saves y as an input and is checked first, so the output check matters
    // for the root itself: backward from y with a seed.
    const x = f64([0, 1], undefined, true);
    const y = x.exp();
    y.data[1] = 0;
    y.bumpVersion();
    expectOneLineError(() => y.backward(f64([1, 1])), /^backward: the output Tensor\(float64, \[2\], requiresGrad\) of op 'exp' was written in place/);
  });

  it('an optimiser step between forward and backward is refused; after backward it is the normal loop', () => {
    const rng = new Rng(3);
    const net = new MLP([3, 8, 1], { rng, dtype: 'float64' });
    const opt = new Adam(net.parameters(), { lr: 1e-2 });
    const x = f64([0.1, 0.2, 0.3, -0.4, 0.5, -0.6], [2, 3]), y = f64([1, -1], [2, 1]);
    // Legal: forward, backward, step, many times.
    for (let s = 0; s < 5; s++) {
      opt.zeroGrad();
      mseLoss(net.forward(x), y).backward();
      opt.step();
    }
    // Illegal: the step rewrites the weights the recorded matmul saved.
    opt.zeroGrad();
    mseLoss(net.forward(x), y).backward();
    const stale = mseLoss(net.forward(x), y);
    opt.step();
    opt.zeroGrad();
    expectOneLineError(() => stale.backward(), /of op '(matmul|add)' was written in place after/);
  });

  it('loadStateDict between forward and backward is refused', () => {
    const lin = new Linear(2, 2, { rng: new Rng(1), dtype: 'float64' });
    const state = lin.stateDict();
    const loss = lin.forward(f64([1, 2], [1, 2])).sum();
    lin.loadStateDict(state);
    expectOneLineError(() => loss.backward(), /was written in place after/);
  });

  it('valueAndGrad: f writing into an argument it already used is refused', () => {
    const f = (x: Tensor) => {
      const out = x.mul(x).sum();
      x.data[0] = 7;
      x.bumpVersion();
      return out;
    };
    expectOneLineError(() => valueAndGrad(f)(f64([1, 2])), /input 0 Tensor\(float64, \[2\], requiresGrad\) of op 'mul' was written in place/);
  });

  it('writes before recording, and writes to tensors the graph never saved, are legal', () => {
    const a = f64([1, 2], undefined, true), b = f64([3, 4], undefined, true);
    b.data[0] = 5;
    b.bumpVersion(); // before the graph exists
    const unrelated = zeros([2]);
    const loss = a.mul(b).sum();
    unrelated.bumpVersion();
    const copy = b.clone();
    copy.bumpVersion(); // a clone owns its buffer
    loss.backward();
    expect(a.grad!.toArray()).toEqual([5, 4]);
  });

  it('a write into a tensor off the path to the loss does not stop backward', () => {
    const a = f64([1, 2], undefined, true);
    const side = a.exp(); // recorded, but the loss does not use it
    const loss = a.mul(3).sum();
    side.bumpVersion();
    loss.backward();
    expect(a.grad!.toArray()).toEqual([3, 3]);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: random graphs, one random in-place write.

const SHAPE = [2, 3];
type Step =
  | { readonly op: 'tanh' | 'sigmoid' | 'square' | 'scale' | 'views' | 'detach' | 'rowsum'; readonly a: number }
  | { readonly op: 'add' | 'mul' | 'sub' | 'mm'; readonly a: number; readonly b: number };

interface Case {
  readonly leaves: number[][];
  readonly steps: Step[];
  /** Which pool entries the loss sums (by index modulo the pool size), with their weights. */
  readonly lossTerms: { readonly at: number; readonly w: number }[];
  /** The write happens just before step `at` (at === steps.length: after the forward). */
  readonly write: { readonly at: number; readonly target: number; readonly pos: number; readonly value: number };
  readonly functional: boolean;
}

const unaryOps = ['tanh', 'sigmoid', 'square', 'scale', 'views', 'detach', 'rowsum'] as const;
const binaryOps = ['add', 'mul', 'sub', 'mm'] as const;
// Tenths in [-1.5, 1.5]: fc.double favours subnormal and tiny values, with which a corrupting
// write changes the gradient below any tolerance and the property would lose its teeth.
const val = fc.integer({ min: -15, max: 15 }).map((v) => v / 10);
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constantFrom(...unaryOps), a: fc.nat(50) }),
  fc.record({ op: fc.constantFrom(...binaryOps), a: fc.nat(50), b: fc.nat(50) }),
);
const caseArb: fc.Arbitrary<Case> = fc
  .record({
    leaves: fc.array(fc.array(val, { minLength: 6, maxLength: 6 }), { minLength: 1, maxLength: 3 }),
    steps: fc.array(stepArb, { minLength: 1, maxLength: 8 }),
    lossTerms: fc.array(fc.record({ at: fc.nat(50), w: val }), { minLength: 1, maxLength: 3 }),
    write: fc.record({ at: fc.nat(50), target: fc.nat(50), pos: fc.nat(5), value: val }),
    functional: fc.boolean(),
  })
  .map((c) => ({ ...c, write: { ...c.write, at: c.write.at % (c.steps.length + 1) } }));

function applyStep(s: Step, pool: Tensor[]): Tensor {
  const x = pool[s.a % pool.length]!;
  switch (s.op) {
    case 'tanh': return x.tanh();
    case 'sigmoid': return x.sigmoid();
    case 'square': return x.mul(x);
    case 'scale': return x.mul(0.5);
    case 'views': return x.reshape([6]).reshape(SHAPE); // two nodes over one shared buffer
    case 'detach': return x.detach();
    case 'rowsum': return x.sum(1, true).broadcastTo(SHAPE);
    default: {
      const y = pool[s.b % pool.length]!;
      if (s.op === 'mm') return x.matmul(y, { transB: true }).matmul(y).mul(0.25);
      return s.op === 'add' ? x.add(y) : s.op === 'mul' ? x.mul(y) : x.sub(y);
    }
  }
}

function lossOf(c: Case, pool: Tensor[]): Tensor {
  let loss: Tensor | null = null;
  for (const t of c.lossTerms) {
    const term = pool[t.at % pool.length]!.mul(t.w).sum();
    loss = loss === null ? term : loss.add(term);
  }
  // Keep the root on the graph even when every term is detached, so backward always runs.
  return loss!.add(pool[0]!.mul(0).sum());
}

const leafTensors = (c: Case, requiresGrad: boolean) => c.leaves.map((d) => f64(d, SHAPE, requiresGrad));
const gradsOf = (leaves: Tensor[]) => leaves.map((l) => (l.grad === null ? new Array<number>(6).fill(0) : l.grad.toArray()));

/** Runs the program with the write made in place; `bump` false simulates an engine without versions. */
function inPlace(c: Case, bump: boolean): number[][] {
  const body = (leaves: Tensor[]): Tensor => {
    const pool = [...leaves];
    const write = () => {
      const t = pool[c.write.target % pool.length]!;
      t.data[c.write.pos] = c.write.value;
      if (bump) t.bumpVersion();
    };
    c.steps.forEach((s, i) => {
      if (i === c.write.at) write();
      pool.push(applyStep(s, pool));
    });
    if (c.write.at === c.steps.length) write();
    return lossOf(c, pool);
  };
  if (c.functional) return valueAndGrad((...ls) => body(ls))(...leafTensors(c, false)).grads.map((g) => g.toArray());
  const leaves = leafTensors(c, true);
  body(leaves).backward();
  return gradsOf(leaves);
}

/**
 * The same program without in-place writes: from the write on, every pool entry that shares the
 * written buffer is replaced by a fresh copy holding the written value. The copy of a leaf is a
 * leaf of its own whose gradient is added to the original's (later ops differentiate through the
 * leaf's new value); copies of views and intermediates are constants.
 */
function outOfPlace(c: Case): number[][] {
  const leaves = leafTensors(c, true);
  const pool = [...leaves];
  const extra: [number, Tensor][] = [];
  const write = () => {
    const buf = pool[c.write.target % pool.length]!.data;
    pool.forEach((t, j) => {
      if (t.data !== buf) return;
      const copy = noGrad(() => t.clone());
      copy.data[c.write.pos] = c.write.value;
      if (j < leaves.length) {
        copy.requiresGrad = true;
        extra.push([j, copy]);
      }
      pool[j] = copy;
    });
  };
  c.steps.forEach((s, i) => {
    if (i === c.write.at) write();
    pool.push(applyStep(s, pool));
  });
  if (c.write.at === c.steps.length) write();
  lossOf(c, pool).backward();
  const gs = gradsOf(leaves);
  for (const [j, copy] of extra) if (copy.grad !== null) gs[j] = gs[j]!.map((v, k) => v + copy.grad!.data[k]!);
  return gs;
}

const close = (a: number[][], b: number[][]) =>
  a.length === b.length && a.every((row, i) => row.every((v, k) => Math.abs(v - b[i]![k]!) <= 1e-9 * (1 + Math.abs(b[i]![k]!))));

describe('property: a random in-place write either throws or leaves the gradients right', () => {
  it('random graphs (fixed seed, 400 cases)', () => {
    const tally = { threw: 0, agreed: 0, corruptWithoutVersions: 0 };
    fc.assert(
      fc.property(caseArb, (c) => {
        const expected = outOfPlace(c);
        let got: number[][] | null = null;
        try {
          got = inPlace(c, true);
        } catch (e) {
          expect((e as Error).message).toMatch(/^backward: .* of op '\w+' was written in place after/);
          expect((e as Error).message).not.toContain('\n');
          tally.threw++;
        }
        if (got !== null) {
          expect(close(got, expected), `gradients ${JSON.stringify(got)} vs ${JSON.stringify(expected)}`).toBe(true);
          tally.agreed++;
        }
        // Teeth: without the version bump the same write goes unnoticed, and sometimes corrupts.
        if (!close(inPlace(c, false), expected)) tally.corruptWithoutVersions++;
      }),
      { seed: 21, numRuns: 400 },
    );
    // Both outcomes occur, and the write would have corrupted gradients in a good share of cases
    // (seed 21 gives 144 / 256 / 91).
    expect(tally.threw).toBeGreaterThan(60);
    expect(tally.agreed).toBeGreaterThan(60);
    expect(tally.corruptWithoutVersions).toBeGreaterThan(40);
  });
});
