/**
 * The MLP predictor's compiled training step (src/nas/predictors/mlp-step.ts) against the engine's
 * ops: every parameter after a fit, every loss of the curves and every prediction, bit for bit, on
 * the js backend and on 'auto' (which hands the larger products and passes to wasm), Float32 and
 * Float64, with and without dropout and pair subsampling, across two fits that continue the
 * members' streams. Then the cases that stay on the engine (the NaN check, the MSE loss) and the
 * step's argument errors.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Adam, Rng, Tensor, setDebug, tensor, valueAndGrad } from '../src/autograd/index.js';
import { backward } from '../src/autograd/engine.js';
import { withBackend } from '../src/kernels/index.js';
import { NeuralPredictor } from '../src/nas/predictors/index.js';
import { MlpRankingStep } from '../src/nas/predictors/mlp-step.js';
import { EnsembleMlp } from '../src/nas/predictors/nets.js';
import { setCompiledSteps } from '../src/nas/predictors/neural.js';
import { nb201Space } from '../src/nas/spaces/nb201.js';
import { distinctCells, knownTarget } from './helpers/nb201-cells.js';

const space = nb201Space();

afterEach(() => {
  setCompiledSteps(true);
  setDebug({ checkNaN: false });
});

type Opts = ConstructorParameters<typeof NeuralPredictor>[1];

/** A fit (or two) with the compiled step on or off: the parameters' bits, the curves, the predictions. */
function trained(opts: Opts, sizes: readonly number[], compiled: boolean): { params: number[][]; curves: number[][][]; preds: number[][] } {
  setCompiledSteps(compiled);
  const p = new NeuralPredictor(space, opts);
  const archs = distinctCells(Math.max(...sizes), 11), unseen = distinctCells(40, 12);
  const curves: number[][][] = [];
  for (const n of sizes) {
    const train = archs.slice(0, n);
    p.fit(train, train.map(knownTarget));
    curves.push(p.lastLosses.map((c) => [...c]));
  }
  const net = Reflect.get(p, 'net') as EnsembleMlp;
  return { params: net.parameters().map((t) => [...t.data]), curves, preds: p.predictMembers(unseen).map((o) => [...o]) };
}

describe('compiled MLP training step = the engine, bit for bit', () => {
  const cases: [string, Opts, number[]][] = [
    ['defaults (5 members, 3×64, dropout 0.1), 95 cells: 4,465 pairs subsampled to 4,096', { epochs: 6, seed: 3 }, [95]],
    ['3 members, 2×16, dropout 0.3, two fits', { ensemble: 3, hidden: 16, layers: 2, dropout: 0.3, epochs: 8, seed: 4 }, [20, 33]],
    ['1 member, 1×8, no dropout, 3 cells', { ensemble: 1, hidden: 8, layers: 1, dropout: 0, epochs: 10, seed: 5 }, [3]],
    ['weight decay, lr 0.03', { ensemble: 2, hidden: 32, layers: 2, weightDecay: 1e-3, lr: 0.03, epochs: 5, seed: 6 }, [40]],
    ['no hidden layer (a linear model)', { ensemble: 2, layers: 0, epochs: 6, seed: 9 }, [15]],
  ];
  for (const backend of ['js', 'auto'] as const) {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const [name, opts, sizes] of cases) {
        it(`${backend}, ${dtype}: ${name}`, () => {
          const o = { ...opts, dtype };
          const want = withBackend(backend, () => trained(o, sizes, false));
          const got = withBackend(backend, () => trained(o, sizes, true));
          expect(got.curves).toEqual(want.curves);
          expect(got.params).toEqual(want.params);
          expect(got.preds).toEqual(want.preds);
          // Not vacuous: training moved the weights and the loss.
          expect(got.curves[0]![0]![0]).not.toBe(got.curves[0]![0]!.at(-1));
        });
      }
    }
  }

  it('steps aside under the NaN check (the engine checks every op) and for the MSE loss, with the same results', () => {
    const opts = { ensemble: 2, hidden: 8, layers: 2, epochs: 4, seed: 8 };
    const want = trained(opts, [25], true);
    setDebug({ checkNaN: true });
    expect(trained(opts, [25], true)).toEqual(want);
    setDebug({ checkNaN: false });
    const mse = { ...opts, loss: 'mse' as const };
    expect(trained(mse, [25], true)).toEqual(trained(mse, [25], false));
  });
});

describe('compiled score gradient = valueAndGrad of Σ score, bit for bit', () => {
  for (const backend of ['js', 'auto'] as const) {
    for (const dtype of ['float32', 'float64'] as const) {
      it(`${backend}, ${dtype}: defaults, a small net and a linear one, 1 to 13 rows, through relax`, () => {
        withBackend(backend, () => {
          for (const opts of [{ epochs: 5, seed: 2 }, { ensemble: 2, hidden: 8, layers: 1, epochs: 5, seed: 3 }, { ensemble: 3, layers: 0, epochs: 5, seed: 4 }] as Opts[]) {
            const p = new NeuralPredictor(space, { ...opts, dtype });
            const train = distinctCells(30, 13);
            p.fit(train, train.map(knownTarget));
            const rng = new Rng(9);
            for (const S of [1, 7, 13]) {
              const z = Array.from({ length: S * space.logitDim }, () => 3 * rng.normal());
              const zt = tensor(z, [S, space.logitDim], { dtype });
              const want = valueAndGrad((zz) => p.score(space.relax(zz)).sum())(zt).grads[0]!;
              // The compiled gradient wrt the relaxed rows, then relax's rules by the engine.
              const leaf = tensor(z, [S, space.logitDim], { dtype, requiresGrad: true });
              const flat = space.relax(leaf).flat;
              backward(flat, new Tensor(p.compiledScoreGrad(S)!.inputGrad(flat.data), flat.shape));
              expect([...leaf.grad!.data]).toEqual([...want.data]);
              expect(want.data.some((v) => v !== 0)).toBe(true);
            }
          }
        });
      });
    }
  }

  it('is offered only where it computes score(): not for the GCN, calibrated members, under the NaN check or with compiled steps off', () => {
    const train = distinctCells(20, 14), ys = train.map(knownTarget);
    const fitted = (o: Opts) => {
      const p = new NeuralPredictor(space, { ensemble: 2, hidden: 8, layers: 1, epochs: 2, ...o });
      p.fit(train, ys);
      return p;
    };
    expect(fitted({}).compiledScoreGrad(3)).not.toBeNull();
    expect(fitted({ kind: 'gcn' }).compiledScoreGrad(3)).toBeNull();
    expect(fitted({ calibrate: true }).compiledScoreGrad(3)).toBeNull();
    const p = fitted({});
    setDebug({ checkNaN: true });
    expect(p.compiledScoreGrad(3)).toBeNull();
    setDebug({ checkNaN: false });
    setCompiledSteps(false);
    expect(p.compiledScoreGrad(3)).toBeNull();
  });
});

describe('MlpRankingStep arguments', () => {
  const rngs = [new Rng(1), new Rng(2)];
  const pairs = { P: 1, gi: new Int32Array(2), gj: new Int32Array(2), draw: () => {} };
  const x = new Tensor(new Float32Array(4 * 5), [4, 5]);
  it('names what it cannot compile: the activation, the rows, a parameter it does not own', () => {
    const tanhNet = new EnsembleMlp(5, { hidden: 4, layers: 1, dropout: 0, activation: 'tanh', dtype: 'float32', rngs });
    expect(() => new MlpRankingStep(tanhNet, x, pairs, new Adam(tanhNet.parameters(), { lr: 0.1 }))).toThrow('MlpRankingStep: compiled for silu, the network uses tanh');
    const net = new EnsembleMlp(5, { hidden: 4, layers: 1, dropout: 0, activation: 'silu', dtype: 'float32', rngs });
    const opt = new Adam(net.parameters(), { lr: 0.1 });
    expect(() => new MlpRankingStep(net, new Tensor(new Float32Array(12), [4, 3]), pairs, opt)).toThrow('MlpRankingStep: rows must be [n, 5], got [4, 3]');
    const stray = new Tensor(new Float32Array(3), [3], true);
    expect(() => new MlpRankingStep(net, x, pairs, new Adam([...net.parameters(), stray], { lr: 0.1 }))).toThrow(/MlpRankingStep: the optimiser holds .*\[3\].*, which is not one of the network's weights or biases/);
  });
});
