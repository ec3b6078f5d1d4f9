/**
 * Batched ensembles (issue 23 §1): the M members trained as one stacked network equal, member by
 * member, M networks trained separately with the same seeds (bench/lib/separate-ensemble.ts, the
 * old training loop): predictions, loss curves, a refit that continues the streams, and the
 * ascent's input gradient. Float64 and Float32, MLP and GCN, ranking (with and without pair
 * subsampling) and MSE losses. Plus the two stream helpers the batching relies on.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng, add, div, dropout, maximum, minimum, mul, sub, tensor, valueAndGrad } from '../src/autograd/index.js';
import { withBackend } from '../src/kernels/index.js';
import { NeuralPredictor } from '../src/nas/predictors/index.js';
import { PREDICT_ROWS } from '../src/nas/predictors/neural.js';
import { nb201Space } from '../src/nas/spaces/nb201.js';
import { SeparateEnsemble } from '../bench/lib/separate-ensemble.js';
import { FC } from './helpers/gen.js';
import { distinctCells, knownTarget } from './helpers/nb201-cells.js';

const space = nb201Space();


/** Max |a − b| / (1 + |b|) over paired rows. */
function maxRelDiff(a: readonly ArrayLike<number>[], b: readonly ArrayLike<number>[]): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  a.forEach((row, m) => {
    expect(row.length).toBe(b[m]!.length);
    for (let i = 0; i < row.length; i++) worst = Math.max(worst, Math.abs(row[i]! - b[m]![i]!) / (1 + Math.abs(b[m]![i]!)));
  });
  return worst;
}

const TOL = { float64: 1e-12, float32: 1e-5 } as const;

describe('batched ensemble = separately trained members', () => {
  for (const kind of ['mlp', 'gcn'] as const) {
    for (const dtype of ['float64', 'float32'] as const) {
      it(`${kind}, ${dtype}: predictions and loss curves member by member, across two fits`, () => {
        const opts = { kind, dtype, ensemble: 3, epochs: 12, hidden: 16, layers: 2, seed: 5 };
        const sep = new SeparateEnsemble(space, opts);
        const bat = new NeuralPredictor(space, opts);
        const archs = distinctCells(40, 1), unseen = distinctCells(30, 2);
        // Two fits: the second continues each member's stream, as the search's rounds do.
        for (const n of [24, 40]) {
          const train = archs.slice(0, n);
          sep.fit(train, train.map(knownTarget));
          bat.fit(train, train.map(knownTarget));
          expect(maxRelDiff(bat.lastLosses, sep.lastLosses)).toBeLessThanOrEqual(TOL[dtype]);
          expect(maxRelDiff(bat.predictMembers(unseen), sep.predictMembers(unseen))).toBeLessThanOrEqual(TOL[dtype]);
          const p = bat.predict(unseen), q = sep.predict(unseen);
          expect(maxRelDiff([p.mean, p.std], [q.mean, q.std])).toBeLessThanOrEqual(TOL[dtype]);
        }
        // The ascent's input gradient through score().
        const rng = new Rng(4);
        const z = tensor(Array.from({ length: 3 * space.logitDim }, () => rng.normal()), [3, space.logitDim], { dtype });
        const gb = valueAndGrad((zz) => bat.score(space.relax(zz)).sum())(z);
        const gs = valueAndGrad((zz) => sep.score(space.relax(zz)).sum())(z);
        expect(maxRelDiff([gb.value.data, gb.grads[0]!.data], [gs.value.data, gs.grads[0]!.data])).toBeLessThanOrEqual(TOL[dtype]);
      });
    }
  }

  it('mlp, float32: the ascent gradient of the default ensemble is the same bits (members stacked last first)', () => {
    const opts = { ensemble: 5, epochs: 4, seed: 1 };
    const train = distinctCells(30, 3);
    const sep = new SeparateEnsemble(space, opts), bat = new NeuralPredictor(space, opts);
    sep.fit(train, train.map(knownTarget));
    bat.fit(train, train.map(knownTarget));
    const rng = new Rng(8);
    const z = tensor(Float32Array.from({ length: 7 * space.logitDim }, () => 3 * rng.normal()), [7, space.logitDim]);
    const gb = valueAndGrad((zz) => bat.score(space.relax(zz)).sum())(z).grads[0]!;
    const gs = valueAndGrad((zz) => sep.score(space.relax(zz)).sum())(z).grads[0]!;
    expect([...gb.data]).toEqual([...gs.data]);
  });

  it('ranking pairs subsampled per member (more than 4,096 ordered pairs) and the MSE loss', () => {
    const train = distinctCells(95, 6); // 95·94/2 = 4,465 ordered pairs
    for (const loss of ['ranking', 'mse'] as const) {
      const opts = { loss, dtype: 'float64' as const, ensemble: 2, epochs: 4, hidden: 8, layers: 1, seed: 7 };
      const sep = new SeparateEnsemble(space, opts), bat = new NeuralPredictor(space, opts);
      sep.fit(train, train.map(knownTarget));
      bat.fit(train, train.map(knownTarget));
      expect(maxRelDiff(bat.lastLosses, sep.lastLosses)).toBeLessThanOrEqual(1e-12);
      expect(maxRelDiff(bat.predictMembers(train), sep.predictMembers(train))).toBeLessThanOrEqual(1e-12);
    }
  });

  it('one member, and dropout off', () => {
    const train = distinctCells(20, 9);
    for (const opts of [{ ensemble: 1 }, { ensemble: 2, dropout: 0 }, { kind: 'gcn' as const, ensemble: 2, dropout: 0 }]) {
      const o = { ...opts, dtype: 'float64' as const, epochs: 5, hidden: 8, layers: 2, seed: 2 };
      const sep = new SeparateEnsemble(space, o), bat = new NeuralPredictor(space, o);
      sep.fit(train, train.map(knownTarget));
      bat.fit(train, train.map(knownTarget));
      expect(maxRelDiff(bat.predictMembers(train), sep.predictMembers(train))).toBeLessThanOrEqual(1e-12);
    }
  });
});

describe('the engine pieces behind the batching', () => {
  it('Rng.permutation is the permutation shuffle() makes of 0..n-1, from the same draws', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 2 ** 31 }), (n, seed) => {
        const a = new Rng(seed), b = new Rng(seed);
        const want = a.shuffle(Array.from({ length: n }, (_, i) => i));
        expect([...b.permutation(new Int32Array(n))]).toEqual(want);
        expect(b.nextU32()).toBe(a.nextU32());
      }),
      FC,
    );
  });

  it('dropout with one rng per leading slice equals dropout on each slice with its own rng', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 1000 }), (M, per, seed) => {
        const x = tensor(Float32Array.from({ length: M * per }, (_, i) => i + 1), [M, per]);
        const stacked = dropout(x, 0.3, Array.from({ length: M }, (_, m) => new Rng(seed + m)));
        for (let m = 0; m < M; m++) {
          const alone = dropout(tensor(x.data.slice(m * per, (m + 1) * per), [per]), 0.3, new Rng(seed + m));
          expect([...stacked.data.subarray(m * per, (m + 1) * per)]).toEqual([...alone.data]);
        }
      }),
      FC,
    );
    expect(() => dropout(tensor([1, 2, 3, 4], [2, 2]), 0.5, [new Rng(1)])).toThrow(/1 rngs for the leading axis of \[2,2\]/);
  });

  it('a stacked bias ([A, R, C] op [A, 1, C], one backend call per leading index) gives the bits of the js loops', () => {
    const ops = [add, sub, mul, div, maximum, minimum];
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 2, max: 300 }), fc.integer({ min: 1, max: 70 }), fc.integer({ min: 0, max: 1000 }), (A, R, C, seed) => {
        const rng = new Rng(seed);
        const x = tensor(Float32Array.from({ length: A * R * C }, () => rng.normal()), [A, R, C]);
        const y = tensor(Float32Array.from({ length: A * C }, () => rng.normal()), [A, 1, C]);
        for (const f of ops) {
          const want = withBackend('js', () => f(x, y));
          for (const backend of ['auto', 'wasm']) expect([...withBackend(backend, () => f(x, y)).data]).toEqual([...want.data]);
        }
        // The same pattern with extra kept and broadcast dims: [A, 2, R, C] op [A, 2, 1, C].
        const x4 = x.reshape([A, 1, R, C]).add(tensor(new Float32Array(2 * R * C), [2, R, C]));
        const y4 = tensor(Float32Array.from({ length: A * 2 * C }, () => rng.normal()), [A, 2, 1, C]);
        expect([...withBackend('auto', () => add(x4, y4)).data]).toEqual([...withBackend('js', () => add(x4, y4)).data]);
      }),
      { ...FC, numRuns: 30 },
    );
  });
});

describe('predictions in slices of PREDICT_ROWS architectures', () => {
  // predict() runs a large pool through the network a slice at a time (NeuralPredictor
  // memberOutputs); each row's outputs must not depend on which rows share its batch.
  const cells = distinctCells(2 * PREDICT_ROWS + 77, 31); // two slices, the second with the remainder
  const ys = cells.map(knownTarget);
  for (const kind of ['mlp', 'gcn'] as const) {
    it(`${kind}: a pool of ${cells.length} gives, row by row, what each cell gives alone (js, wasm), and auto gives wasm's`, () => {
      const p = new NeuralPredictor(space, { kind, ensemble: 3, epochs: 4, hidden: 16, layers: 2, seed: 2 });
      p.fit(cells.slice(0, 40), ys.slice(0, 40));
      const byBackend = (name: string) => withBackend(name, () => {
        const pooled = p.predictMembers(cells).map((m) => Array.from(m));
        const alone = cells.map((c) => p.predictMembers([c]).map((m) => m[0]!));
        return { pooled, alone: pooled.map((_, m) => alone.map((a) => a[m]!)) };
      });
      for (const name of ['js', 'wasm']) {
        const { pooled, alone } = byBackend(name);
        expect(pooled, name).toEqual(alone);
      }
      expect(withBackend('auto', () => p.predictMembers(cells).map((m) => Array.from(m)))).toEqual(byBackend('wasm').pooled);
    });
  }
});
