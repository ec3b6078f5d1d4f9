import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng, Tensor, valueAndGrad, sum } from '../src/autograd/index.js';
import { FunctionOracle } from '../src/nas/benchmarks/synthetic.js';
import { nb201Space, type Nb201Arch } from '../src/nas/spaces/nb201.js';
import { fitLinearCost, solveSpd } from '../src/nas/search/cost-model.js';
import { PredNas } from '../src/nas/search/prednas.js';
import { runOne } from '../src/nas/experiment/runner.js';
import { parseConstraint } from '../src/nas/experiment/constraint.js';

const space = nb201Space();

describe('solveSpd', () => {
  it('solves random SPD systems (M = BᵀB + I) to 1e-9', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 1e6 }), (n, seed) => {
        const rng = new Rng(seed);
        const B = Array.from({ length: n * n }, () => rng.normal());
        const M = new Float64Array(n * n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
          let s = i === j ? 1 : 0;
          for (let k = 0; k < n; k++) s += B[k * n + i]! * B[k * n + j]!;
          M[i * n + j] = s;
        }
        const x = Float64Array.from({ length: n }, () => rng.normal());
        const r = new Float64Array(n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) r[i]! += M[i * n + j]! * x[j]!;
        const got = solveSpd(M, r, n);
        for (let i = 0; i < n; i++) expect(got[i]).toBeCloseTo(x[i]!, 7);
      }),
      { seed: 42, numRuns: 40 },
    );
  });

  it('refuses a matrix that is not positive definite, naming the pivot', () => {
    expect(() => solveSpd(Float64Array.from([1, 2, 2, 1]), Float64Array.from([1, 1]), 2)).toThrow(/not positive definite \(pivot 1/);
  });
});

describe('fitLinearCost', () => {
  it('recovers an additive per-choice cost exactly, and its relaxed value equals it at one-hot logits', () => {
    const rng = new Rng(3);
    const table = Array.from({ length: 6 }, () => Array.from({ length: 5 }, () => rng.uniform(0, 10)));
    const cost = (a: Nb201Arch) => 2 + a.reduce((s, op, e) => s + table[e]![op]!, 0);
    const m = fitLinearCost(space, cost, { seed: 1, dtype: 'float64' });
    expect(m.r2).toBeGreaterThan(0.999999);
    const archs = Array.from({ length: 5 }, () => space.sample(rng));
    const z = new Float64Array(archs.length * space.logitDim);
    // A large logit scale makes the softmax one-hot to machine precision.
    archs.forEach((a, i) => z.set(space.logits(a, 60), i * space.logitDim));
    const got = m.relaxed(new Tensor(z, [archs.length, space.logitDim]), 1).data;
    archs.forEach((a, i) => expect(got[i]).toBeCloseTo(cost(a), 4));
  });

  it('is differentiable in the logits (the penalty gradient is non-zero and finite)', () => {
    const m = fitLinearCost(space, (a) => space.cost(a).flops!, { seed: 2, dtype: 'float64' });
    const z = new Tensor(Float64Array.from(space.logits(space.sample(new Rng(4)), 3)), [1, space.logitDim]);
    const { grads } = valueAndGrad((zz: Tensor) => sum(m.relaxed(zz, 1)))(z);
    const g = Array.from(grads[0]!.data);
    expect(g.every(Number.isFinite)).toBe(true);
    expect(Math.max(...g.map(Math.abs))).toBeGreaterThan(1e-3);
  });

  it('rejects a non-finite cost with the architecture named', () => {
    expect(() => fitLinearCost(space, () => NaN, { seed: 0 })).toThrow(/cost of \|.*\| is NaN/);
  });
});

describe('PredNAS with a learned cost penalty', () => {
  // Synthetic accuracy that prefers expensive cells and a "latency" with no formula, so the
  // penalty has to come from the learned model.
  const latency = (a: Nb201Arch) => a.reduce((s, op, e) => s + (op === 3 ? 1.5 : op === 2 ? 0.6 : 0.1) * (1 + e / 6), 0);
  // The space reports the latency as a tabulated cost (no relaxed formula), like a latency table.
  const sp = Object.assign(Object.create(space) as typeof space, { cost: (a: Nb201Arch) => ({ ...space.cost(a), latency: latency(a) }) });
  const oracle = new FunctionOracle('synthetic-latency', sp, space.enumerate(), (a: Nb201Arch) => {
    const v = a.reduce((s, op) => s + (op === 3 ? 1 : op === 2 ? 0.5 : 0), 0);
    return { val: v, test: v };
  });
  const fast = { predictor: { epochs: 40, hidden: 16, layers: 2, ensemble: 1 } };

  it('is fitted from the context cost functions, and every query stays within the hard limit', () => {
    const c = parseConstraint('latency<=4');
    const cfg = { oracle, dataset: 'synthetic', algorithms: ['prednas'], budget: 30, seeds: [0], constraints: [c], algorithmOptions: { prednas: { ...fast, steps: 30 } } };
    const r = runOne(cfg, 'prednas', 1);
    expect(r.trajectory.length).toBe(30);
    for (const p of r.trajectory) expect(latency(space.parse(p.arch))).toBeLessThanOrEqual(4);
  });

  it('a penalty on a cost nobody provides is refused with the known names', () => {
    expect(() => new PredNas({ space, seed: 0, costs: { 'latency:pixel3': latency } }, { penalty: { cost: 'latency:edge', target: 1 } })).toThrow(/no way to penalise 'latency:edge'.*known: latency:pixel3/);
    const p = new PredNas({ space, seed: 0, costs: { 'latency:pixel3': latency } }, { penalty: { cost: 'latency:pixel3', target: 3 } });
    expect(p.costModel?.r2).toBeGreaterThan(0.99);
    expect(new PredNas({ space, seed: 0 }, { penalty: { cost: 'flops', target: 40 } }).costModel).toBeNull();
  });
});
