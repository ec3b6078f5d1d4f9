import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/autograd/index.js';
import { Tensor } from '../src/autograd/tensor.js';
import { ensembleMoments, fitAffine } from '../src/nas/predictors/calibration.js';
import { NeuralPredictor } from '../src/nas/predictors/neural.js';
import { nb201Space, type Nb201Arch } from '../src/nas/spaces/nb201.js';

const finite = fc.double({ min: -100, max: 100, noNaN: true });

describe('fitAffine', () => {
  it('recovers an exact affine relation and maps a constant member to the targets\' mean', () => {
    const s = [0.5, -1, 2, 3.25, 7];
    const exact = fitAffine(s, s.map((x) => 3 * x - 2));
    expect(exact.a).toBeCloseTo(3, 12);
    expect(exact.b).toBeCloseTo(-2, 12);
    const flat = fitAffine([4, 4, 4], [1, 2, 6]);
    expect(flat.a).toBe(0);
    expect(flat.b).toBeCloseTo(3, 12);
    // A member that ranks backwards is flipped, not discarded.
    expect(fitAffine([1, 2, 3], [3, 2, 1]).a).toBeCloseTo(-1, 12);
    expect(() => fitAffine([1, 2], [1])).toThrow(/fitAffine: expected equal non-zero lengths, got 2 scores and 1 targets/);
  });

  it('members that differ only by an offset and a positive scale give std 0 and the same mean (property)', () => {
    fc.assert(fc.property(fc.array(finite, { minLength: 3, maxLength: 30 }), fc.array(finite, { minLength: 30, maxLength: 30 }), fc.double({ min: 0.01, max: 50, noNaN: true }), finite, (s, t, scale, offset) => {
      const targets = t.slice(0, s.length);
      const other = s.map((x) => scale * x + offset);
      // Members with a real spread (a spread at rounding level is a constant member: a = 0).
      const spread = (xs: number[]) => { const m = xs.reduce((a, b) => a + b, 0) / xs.length; return xs.reduce((a, x) => a + (x - m) ** 2, 0) / xs.reduce((a, x) => a + x * x, 1e-300); };
      fc.pre(spread(s) > 1e-6 && spread(other) > 1e-6);
      const maps = [fitAffine(s, targets), fitAffine(other, targets)];
      const { mean, std } = ensembleMoments([s, other], maps);
      const single = ensembleMoments([s], [maps[0]!]);
      for (let i = 0; i < s.length; i++) {
        expect(std[i]!).toBeLessThan(1e-6 * (1 + Math.abs(mean[i]!)));
        expect(mean[i]!).toBeCloseTo(single.mean[i]!, 6);
      }
    }), { seed: 18, numRuns: 200 });
  });

  it('the calibrated scores have the targets\' mean and are the least-squares fit (no other a, b does better)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(finite, finite), { minLength: 3, maxLength: 40 }), fc.double({ min: -0.5, max: 0.5, noNaN: true }), fc.double({ min: -0.5, max: 0.5, noNaN: true }), (pairs, da, db) => {
      const s = pairs.map((p) => p[0]), t = pairs.map((p) => p[1]);
      fc.pre(new Set(s).size > 1);
      const { a, b } = fitAffine(s, t);
      const sse = (aa: number, bb: number) => s.reduce((acc, x, i) => acc + (aa * x + bb - t[i]!) ** 2, 0);
      const meanT = t.reduce((x, y) => x + y, 0) / t.length;
      const meanFit = s.reduce((acc, x) => acc + a * x + b, 0) / s.length;
      expect(meanFit).toBeCloseTo(meanT, 6);
      expect(sse(a, b)).toBeLessThanOrEqual(sse(a + da, b + db) * (1 + 1e-9) + 1e-9);
    }), { seed: 19, numRuns: 200 });
  });
});

describe('NeuralPredictor calibration', () => {
  const space = nb201Space();
  const rng = new Rng(2);
  const train: Nb201Arch[] = Array.from({ length: 40 }, () => space.sample(rng));
  const y = train.map((a) => a.reduce((s, op, e) => s + ((op + e) % 5), 0) * 0.7 + 60);
  const fit = (calibrate: boolean) => {
    const p = new NeuralPredictor(space, { seed: 1, epochs: 40, hidden: 16, layers: 2, ensemble: 3, calibrate });
    p.fit(train, y);
    return p;
  };

  it('puts every ranking-trained member on the targets\' scale (mean prediction on the training set = mean target)', () => {
    const on = fit(true), off = fit(false);
    const mean = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(on.predict(train).mean)).toBeCloseTo(mean(y), 4);
    // Without calibration a ranking-trained member's outputs sit at an arbitrary offset and scale.
    expect(Math.abs(mean(off.predict(train).mean) - mean(y))).toBeGreaterThan(1e-3);
    expect(off.calibration.every((m) => m.a === 1 && m.b === 0)).toBe(true);
    expect(on.calibration).toHaveLength(3);
    // An increasing map keeps each member's ranking, so the ascent climbs the same directions.
    expect(on.calibration.every((m) => m.a > 0)).toBe(true);
  });

  it('score() is the mean of the calibrated members, the same numbers predict() gives', () => {
    const p = fit(true);
    const batch = train.slice(0, 7);
    const logits = new Float32Array(batch.length * space.logitDim);
    batch.forEach((a, i) => logits.set(space.logits(a, 40), i * space.logitDim));
    const s = p.score(space.relax(new Tensor(logits, [batch.length, space.logitDim]), { tau: 1 })).data;
    const want = p.predict(batch).mean;
    const mu = y.reduce((a, b) => a + b, 0) / y.length;
    const sd = Math.sqrt(y.reduce((a, b) => a + (b - mu) ** 2, 0) / y.length);
    for (let i = 0; i < batch.length; i++) expect(s[i]! * sd + mu).toBeCloseTo(want[i]!, 2);
  });
});
