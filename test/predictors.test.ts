import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng, checkGrads, tensor } from '../src/autograd/index.js';
import { nb201Space } from '../src/nas/spaces/nb201.js';
import { NeuralPredictor, kendallTau, pearson, precisionAtK, predictorMetrics, spearman } from '../src/nas/predictors/index.js';
import { distinctCells, knownTarget } from './helpers/nb201-cells.js';

const space = nb201Space();


describe('neural predictors', () => {
  for (const kind of ['mlp', 'gcn'] as const) {
    it(`${kind}: the ensemble's score gradient w.r.t. relaxed logits equals finite differences (Float64)`, () => {
      const p = new NeuralPredictor(space, { kind, dtype: 'float64', ensemble: 2, epochs: 5, hidden: 8, layers: 2, seed: 3 });
      const train = distinctCells(12, 1);
      p.fit(train, train.map(knownTarget));
      const rng = new Rng(4);
      const z = tensor(Array.from({ length: 2 * space.logitDim }, () => rng.normal()), [2, space.logitDim], { dtype: 'float64' });
      const report = checkGrads((zz) => p.score(space.relax(zz)), [z], { directions: 4, seed: 9 });
      expect(report.ok).toBe(true);
    });
  }

  it('fitting a known function on 200 cells ranks 1,000 unseen cells with Kendall tau > 0.6', () => {
    const archs = distinctCells(1200, 2);
    const train = archs.slice(0, 200), test = archs.slice(200);
    const p = new NeuralPredictor(space, { kind: 'mlp', seed: 1, epochs: 150, ensemble: 2 });
    p.fit(train, train.map(knownTarget));
    const pred = p.predict(test);
    const tau = kendallTau(pred.mean, test.map(knownTarget));
    expect(tau).toBeGreaterThan(0.6);
    expect(pred.std.every((s) => s >= 0)).toBe(true);
  });

  it('ranking loss trains too, and fit/predict validate their inputs', () => {
    const train = distinctCells(40, 5);
    const p = new NeuralPredictor(space, { loss: 'ranking', seed: 2, epochs: 80 });
    p.fit(train, train.map(knownTarget));
    const losses = p.lastLosses[0]!;
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]!);
    expect(() => p.fit(train, [1, 2])).toThrow(/40 architectures but 2 targets/);
    expect(() => p.fit(train.slice(0, 2), [1, NaN])).toThrow(/finite/);
    expect(() => new NeuralPredictor(space).predict(train)).toThrow(/before fit/);
  });

  it('is deterministic per seed', () => {
    const train = distinctCells(30, 6);
    const a = new NeuralPredictor(space, { seed: 4, epochs: 30 });
    const b = new NeuralPredictor(space, { seed: 4, epochs: 30 });
    a.fit(train, train.map(knownTarget));
    b.fit(train, train.map(knownTarget));
    expect(Array.from(a.predict(train).mean)).toEqual(Array.from(b.predict(train).mean));
  });
});

describe('predictor metrics', () => {
  const bruteKendall = (x: number[], y: number[]) => {
    let c = 0, d = 0, tx = 0, ty = 0;
    for (let i = 0; i < x.length; i++) for (let j = i + 1; j < x.length; j++) {
      const sx = Math.sign(x[i]! - x[j]!), sy = Math.sign(y[i]! - y[j]!);
      if (sx === 0 && sy === 0) continue;
      if (sx === 0) tx++;
      else if (sy === 0) ty++;
      else if (sx === sy) c++;
      else d++;
    }
    return (c - d) / Math.sqrt((c + d + tx) * (c + d + ty));
  };

  it('Kendall tau-b (O(n log n)) equals the brute-force definition, ties included', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 })), { minLength: 3, maxLength: 40 }), (pairs) => {
        const x = pairs.map((p) => p[0]), y = pairs.map((p) => p[1]);
        const brute = bruteKendall(x, y);
        const fast = kendallTau(x, y);
        if (Number.isNaN(brute)) return fast === 0;
        return Math.abs(fast - brute) < 1e-12;
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('pearson / spearman / precision@k on known cases', () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(spearman([1, 2, 3, 4], [1, 8, 27, 64])).toBeCloseTo(1, 12);
    expect(kendallTau([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    expect(precisionAtK([0.9, 0.8, 0.1, 0.2], [1, 0, 0.5, 0.2], 2)).toBe(0.5);
    const m = predictorMetrics([1, 2, 3], [1, 2, 5], [1]);
    expect(m.mae).toBeCloseTo(2 / 3, 12);
    expect(m.rmse).toBeCloseTo(Math.sqrt(4 / 3), 12);
    expect(m.precisionAtK[1]).toBe(1);
    expect(() => pearson([1], [1])).toThrow(/at least 2/);
    expect(() => spearman([1, 2], [1])).toThrow(/2 predictions but 1/);
  });
});
