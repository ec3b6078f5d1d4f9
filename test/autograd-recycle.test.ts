/**
 * The reverse sweep recycles the buffers of gradients it has consumed (src/autograd/dtype.ts,
 * engine.backwardImpl). A buffer handed back while something still refers to it would corrupt
 * values silently, so every case here compares, bit for bit, against the same computation with
 * recycling off (setDebug({ recycle: false })): leaf gradients, functional gradients, forward
 * values after the sweep, and gradients kept from an earlier sweep while later sweeps reuse
 * buffers. Random programs reuse tensors (add(x, x), shared subexpressions, reshape views,
 * broadcasts, matmuls), which is where gradients alias. The cases also check that buffers were
 * in fact reused, so that they cannot pass vacuously.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { allocateUnset, FREE_MAX_BYTES, recycleDead, recycledAllocations } from '../src/autograd/dtype.js';
import { graphMark, noGradReleased, releaseGrads, releaseGraph } from '../src/autograd/engine.js';
import { Rng, dropout, setDebug, tensor, valueAndGrad, type OpAttrs, type Tensor } from '../src/autograd/index.js';
import { add, broadcastTo, concat, exp, gather, matmul, maximum, mul, neg, pow, reshape, silu, slice, softplus, sub, sum, tanh, transpose, where } from '../src/autograd/ops.js';
import { loadMnistDigits } from '../src/io/mnist.js';
import { NeuralPredictor, setCompiledSteps } from '../src/nas/predictors/neural.js';
import { mnistRegNetTask } from '../src/nas/tasks/mnist-regnet.js';
import { trainRegNetDigits } from '../src/nas/tasks/regnet-train.js';
import { trainMlp } from '../src/nas/tasks/train-mlp.js';
import { FunctionOracle } from '../src/nas/benchmarks/synthetic.js';
import { runOne } from '../src/nas/experiment/runner.js';
import { nb201Space } from '../src/nas/spaces/nb201.js';

afterEach(() => setDebug({ recycle: true }));

const R = 32, C = 48; // 1,536 elements: above the size from which buffers are recycled
/** Row indices for gather: some rows twice, some never. */
const REPEATS = Array.from({ length: R }, (_, i) => (i * 7) % (R - 5));

type Step = { op: number; a: number; b: number };

/** Run a program over leaves x [R, C] and w [C, C]; returns every tensor it made (the last is the loss). */
function program(x: Tensor, w: Tensor, steps: readonly Step[]): Tensor[] {
  const ts: Tensor[] = [x, mul(x, 0.5)];
  for (const { op, a, b } of steps) {
    const p = ts[a % ts.length]!, q = ts[b % ts.length]!;
    switch (op % 15) {
      case 0: ts.push(add(p, q)); break;
      case 1: ts.push(sub(p, p)); break; // one tensor on both sides
      case 2: ts.push(mul(p, q)); break;
      case 3: ts.push(tanh(p)); break;
      case 4: ts.push(reshape(reshape(p, [C, R]), [R, C])); break; // views of one gradient buffer
      case 5: ts.push(add(p, sum(q, 1, true))); break; // broadcast back over a reduced axis
      case 6: ts.push(mul(matmul(tanh(p), w), 0.1)); break;
      case 7: ts.push(silu(add(p, p))); break;
      case 8: ts.push(neg(exp(mul(tanh(q), 0.5)))); break;
      // Ops whose outputs are not zero-filled when recycled (dtype.allocateUnset), and the
      // backward rules that must be (gather's scatter-add, slice's padding).
      case 9: ts.push(gather(p, REPEATS, 0)); break; // rows repeated and skipped: scatter-add accumulates
      case 10: ts.push(concat([slice(p, [0, 0], [R, C / 2]), slice(q, [0, C / 2], [R, C])], 1)); break;
      case 11: ts.push(transpose(reshape(transpose(p), [C, R]))); break;
      case 12: ts.push(add(where(maximum(tanh(p), 0).detach(), p, q), maximum(p, q))); break;
      case 13: ts.push(mul(pow(tanh(p), 2), softplus(q))); break;
      case 14: ts.push(broadcastTo(sum(p, 0, true), [R, C])); break;
    }
  }
  // Every tensor (and w) feeds the loss, so every path is swept.
  ts.push(ts.reduce((s, t) => add(s, sum(mul(t, t))), sum(w)));
  return ts;
}

function leaves(seed: number, dtype: 'float32' | 'float64'): [Tensor, Tensor] {
  const rng = new Rng(seed);
  const make = (n: number, shape: number[]) => tensor(Array.from({ length: n }, () => rng.normal()), shape, { dtype, requiresGrad: true });
  return [make(R * C, [R, C]), make(C * C, [C, C])];
}

const bits = (t: Tensor) => Array.from(t.data);

interface Outcome { grads: number[][]; values: number[][]; fgrads: number[][] }

function runBoth(steps: Step[], seed: number, dtype: 'float32' | 'float64'): Outcome {
  const [x, w] = leaves(seed, dtype);
  const ts = program(x, w, steps);
  ts[ts.length - 1]!.backward();
  const { grads: fgrads } = valueAndGrad((xx, ww) => program(xx!, ww!, steps).at(-1)!)(x, w);
  return { grads: [bits(x.grad!), bits(w.grad!)], values: ts.map(bits), fgrads: fgrads.map(bits) };
}

describe('recycled gradient buffers', () => {
  it('random programs: gradients, functional gradients and forward values equal those without recycling, bit for bit', () => {
    const before = recycledAllocations();
    fc.assert(
      fc.property(
        fc.array(fc.record({ op: fc.nat(14), a: fc.nat(40), b: fc.nat(40) }), { minLength: 1, maxLength: 14 }),
        fc.nat(1000),
        fc.constantFrom('float32' as const, 'float64' as const),
        (steps, seed, dtype) => {
          setDebug({ recycle: false });
          const off = runBoth(steps, seed, dtype);
          setDebug({ recycle: true });
          const on = runBoth(steps, seed, dtype);
          const again = runBoth(steps, seed, dtype); // now the free lists hold the first run's buffers
          expect(on).toEqual(off);
          expect(again).toEqual(off);
        },
      ),
      { numRuns: 60, seed: 23 },
    );
    expect(recycledAllocations() - before).toBeGreaterThan(100);
  });

  it('gradients and values kept from one sweep are untouched by later sweeps that reuse buffers', () => {
    const steps: Step[] = [{ op: 6, a: 0, b: 0 }, { op: 0, a: 2, b: 1 }, { op: 7, a: 3, b: 0 }, { op: 5, a: 4, b: 2 }, { op: 4, a: 5, b: 0 }];
    const [x, w] = leaves(1, 'float32');
    const ts = program(x, w, steps);
    ts.at(-1)!.backward();
    const kept = [x.grad!, w.grad!, ...ts];
    const snapshot = kept.map(bits);
    const { grads } = valueAndGrad((xx, ww) => program(xx!, ww!, steps).at(-1)!)(x, w);
    const gSnap = grads.map(bits);
    const before = recycledAllocations();
    for (let s = 2; s < 8; s++) {
      const [x2, w2] = leaves(s, 'float32');
      program(x2, w2, [...steps, { op: s, a: s, b: 1 }]).at(-1)!.backward();
    }
    expect(recycledAllocations() - before).toBeGreaterThan(20);
    expect(kept.map(bits)).toEqual(snapshot);
    expect(grads.map(bits)).toEqual(gSnap);
  });

  // The MLP's compiled step and score gradient (predictors/mlp-step.ts) allocate once per fit or
  // round and recycle nothing: these two tests train and climb through the engine's ops.
  it('the ensemble predictors (MLP and GCN) fit and predict exactly as without recycling', () => {
    setCompiledSteps(false);
    onTestFinished(() => setCompiledSteps(true));
    const space = nb201Space();
    const rng = new Rng(5);
    const archs = Array.from({ length: 24 }, () => space.sample(rng));
    const ys = archs.map((a, i) => a.reduce((s, op, e) => s + Math.cos(op + e), 0) + 0.01 * i);
    for (const kind of ['mlp', 'gcn'] as const) {
      const fit = (recycle: boolean) => {
        setDebug({ recycle });
        const p = new NeuralPredictor(space, { kind, seed: 3, epochs: 8 });
        p.fit(archs, ys);
        return { losses: p.lastLosses, members: p.predictMembers(archs).map((m) => Array.from(m)) };
      };
      const off = fit(false);
      const before = recycledAllocations();
      const on = fit(true);
      expect(recycledAllocations() - before, kind).toBeGreaterThan(0);
      expect(on, kind).toEqual(off);
    }
  });

  it('releaseGraph hands back the intermediates and keeps parameters, inputs, constants, views of them and what was recorded before the mark', () => {
    const [x, w] = leaves(9, 'float32');
    const input = tensor(Array.from({ length: R * C }, (_, i) => Math.sin(i)), [R, C]);
    const outer = tanh(mul(x, 0.3)); // recorded before the step: captured, not the step's own
    const mark = graphMark();
    const wView = reshape(w, [C * C]); // a view of a parameter's buffer, recorded as an op
    const h = tanh(add(matmul(mul(add(x, outer), input), w), reshape(wView, [C, C]).sum(0, true)));
    const total = sum(mul(h, silu(h)));
    total.backward();
    const kept = [x, w, input, outer, x.grad!, w.grad!].map((t) => [t, bits(t)] as const);
    releaseGraph(total, mark);
    releaseGraph(total, mark); // a second release hands nothing back twice
    const before = recycledAllocations();
    // Allocations of the released sizes now take those buffers (and write into them), each at most once.
    const live = Array.from({ length: 16 }, () => add(input, 1));
    const liveW = Array.from({ length: 4 }, () => mul(reshape(w.detach(), [C * C]), 2));
    expect(recycledAllocations() - before).toBeGreaterThan(3);
    expect(new Set([...live, ...liveW].map((t) => t.data.buffer)).size).toBe(live.length + liveW.length);
    for (const [t, b] of kept) expect(bits(t)).toEqual(b);
  });

  it("releaseGraph hands back dropout's mask with the step's graph (the mask is maskMul's own)", () => {
    const x = tensor(Float32Array.from({ length: R * C }, (_, i) => Math.cos(i)), [R, C], { requiresGrad: true });
    const mark = graphMark();
    const y = dropout(x, 0.5, new Rng(3));
    expect(y.node?.op).toBe('maskMul');
    const mask = (y.node!.attrs as OpAttrs['maskMul']).mask;
    const total = sum(mul(y, y));
    total.backward();
    const grad = bits(x.grad!), input = bits(x);
    releaseGraph(total, mark);
    // The free list of that size now holds the mask's buffer among the step's others.
    const taken = Array.from({ length: 8 }, () => allocateUnset('float32', mask.length).buffer);
    expect(taken).toContain(mask.buffer);
    expect(bits(x.grad!)).toEqual(grad);
    expect(bits(x)).toEqual(input);
  });

  it('a full free list evicts the sizes least recently used; the newest hand-back is kept', () => {
    setDebug({ recycle: false }); // empties the free lists
    setDebug({ recycle: true });
    const M = 1 << 20, full = FREE_MAX_BYTES / (4 * M); // Float32 buffers of 4 MiB: `full` of them fill the cap
    const reusedOf = (size: number, count: number) => {
      const before = recycledAllocations();
      for (let i = 0; i < count; i++) allocateUnset('float32', size);
      return recycledAllocations() - before;
    };
    // A plain cap, once stale sizes filled it, refused every later buffer.
    for (let i = 0; i < full; i++) expect(recycleDead(new Float32Array(M))).toBe(true);
    const fresh = new Float32Array(M / 4);
    expect(recycleDead(fresh)).toBe(true);
    expect(allocateUnset('float32', M / 4)).toBe(fresh);
    expect(reusedOf(M, full)).toBe(full - 1); // one stale buffer made room
    // Two sizes waiting (A: half the cap, B: just under the rest); the one used last is kept.
    setDebug({ recycle: false });
    setDebug({ recycle: true });
    const nA = full / 2, nB = full / 2 - 1;
    for (let i = 0; i < nA; i++) recycleDead(new Float32Array(M));
    for (let i = 0; i < nB; i++) recycleDead(new Float32Array(M + 256));
    recycleDead(allocateUnset('float32', M)); // size A used after size B
    for (let i = 0; i < 2; i++) expect(recycleDead(new Float32Array(M / 2))).toBe(true); // the second needs room
    expect(reusedOf(M + 256, nB)).toBe(nB - 1);
    expect(reusedOf(M, nA)).toBe(nA);
    expect(reusedOf(M / 2, 2)).toBe(2);
    expect(recycleDead(new Float32Array(FREE_MAX_BYTES / 4 + 1))).toBe(false); // larger than the cap
  });

  it('the live tasks train their networks (an MLP, a small RegNet-style CNN) exactly as without recycling', () => {
    const t = mnistRegNetTask(loadMnistDigits(), { epochs: 1, split: { train: 256, val: 200, test: 100 } });
    const cnn = t.space.config(t.space.parse('d1=1,w1=8,g1=2,b1=2,d2=1,w2=16,g2=4,b2=2,d3=1,w3=16,g3=8,b3=2'));
    const train = (recycle: boolean) => {
      setDebug({ recycle });
      const before = recycledAllocations();
      const mlp = trainMlp({ hidden: [96, 64], activation: 'relu', lr: 0.005, dropout: 0.1 }, t.data.train, [t.data.val], { epochs: 2, batchSize: 32, seed: 4 });
      const conv = trainRegNetDigits(cnn, t.data.train, [t.data.val], { epochs: 2, batchSize: 32, lr: 0.01, seed: 4 });
      return { mlp, conv, reused: recycledAllocations() - before };
    };
    const off = train(false), on = train(true);
    expect(off.reused).toBe(0);
    expect(on.reused).toBeGreaterThan(0);
    expect(on.mlp).toEqual(off.mlp);
    expect(on.conv).toEqual(off.conv);
  });

  it('valueAndGrad with release: the same values and gradients, call after call, and the buffers are reused', () => {
    const steps: Step[] = [{ op: 6, a: 0, b: 0 }, { op: 7, a: 2, b: 1 }, { op: 5, a: 3, b: 0 }, { op: 4, a: 4, b: 2 }];
    const [x, w] = leaves(3, 'float32');
    const f = (xx: Tensor, ww: Tensor) => program(xx, ww, steps).at(-1)!;
    const plain = valueAndGrad((a, b) => f(a!, b!));
    const released = valueAndGrad((a, b) => f(a!, b!), undefined, { release: true });
    const expected = plain(x, w);
    const before = recycledAllocations();
    for (let k = 0; k < 4; k++) {
      const got = released(x, w);
      expect(bits(got.value)).toEqual(bits(expected.value));
      expect(got.grads.map(bits)).toEqual(expected.grads.map(bits));
    }
    expect(recycledAllocations() - before).toBeGreaterThan(10);
  });

  it('a PredNAS search (ascent with release) queries the same architectures as without recycling', () => {
    setCompiledSteps(false);
    onTestFinished(() => setCompiledSteps(true));
    const space = nb201Space();
    const w = (a: readonly number[]) => a.reduce((s, op, e) => s + Math.sin(3 * op + e), 0);
    const oracle = new FunctionOracle('synthetic-nb201', space, space.enumerate(), (a) => ({ val: w(a), test: w(a) }));
    const run = (recycle: boolean) => {
      setDebug({ recycle });
      const r = runOne({ oracle, dataset: 'synthetic', algorithms: ['prednas'], budget: 24, seeds: [0], algorithmOptions: { prednas: { predictor: { epochs: 20, hidden: 48, ensemble: 3 }, steps: 20 } } }, 'prednas', 0);
      return r.trajectory.map((p) => p.arch);
    };
    const off = run(false);
    const before = recycledAllocations();
    expect(run(true)).toEqual(off);
    expect(recycledAllocations() - before).toBeGreaterThan(100);
  });

  it('noGradReleased keeps its result and hands back the rest, call after call; a failed call hands back nothing', () => {
    const [x, w] = leaves(4, 'float32');
    const input = tensor(Array.from({ length: R * C }, (_, i) => Math.cos(i)), [R, C]);
    const f = () => reshape(tanh(add(matmul(mul(input, x.detach()), w.detach()), silu(input))), [C, R]);
    const expected = bits(f());
    const results = [noGradReleased(f)];
    const before = recycledAllocations();
    for (let k = 0; k < 4; k++) results.push(noGradReleased(f));
    expect(recycledAllocations() - before).toBeGreaterThan(4);
    // Every result kept its own buffer and its values while the later calls reused the others.
    expect(new Set(results.map((t) => t.data.buffer)).size).toBe(results.length);
    for (const t of results) expect(bits(t)).toEqual(expected);
    expect(bits(input)).toEqual(Array.from({ length: R * C }, (_, i) => Math.fround(Math.cos(i))));
    let leaked: Tensor | null = null;
    expect(() => noGradReleased(() => {
      leaked = add(input, 1);
      throw new Error('fails after allocating');
    })).toThrow('fails after allocating');
    const leakedBits = bits(leaked!);
    for (let k = 0; k < 3; k++) noGradReleased(f);
    expect(bits(leaked!)).toEqual(leakedBits);
  });

  it('releaseGrads clears the gradients and the next step reuses their buffers', () => {
    const [x, w] = leaves(6, 'float32');
    const loss = () => sum(mul(tanh(matmul(x, w)), 0.5));
    loss().backward();
    const g = [bits(x.grad!), bits(w.grad!)];
    releaseGrads([x, w]);
    expect([x.grad, w.grad]).toEqual([null, null]);
    const before = recycledAllocations();
    loss().backward();
    expect(recycledAllocations() - before).toBeGreaterThan(1);
    expect([bits(x.grad!), bits(w.grad!)]).toEqual(g);
  });
});
