/**
 * Ensemble neural predictor (M members differing by seed) on standardised targets. fit() trains
 * full-batch with Adam (the training sets of sample-efficient NAS are tens to a few hundred
 * architectures), then maps each member onto the targets' scale (calibration.ts); score() is the
 * differentiable mean of the calibrated members, which the ascent climbs. The members are trained
 * and evaluated as one batched network (EnsembleMlp / EnsembleGcn): each keeps its own
 * initialisation, dropout stream and ranking pairs, so each equals the network it would be if
 * trained alone.
 */
import { softplus } from '../../autograd/composites.js';
import { graphMark, isNaNCheckOn, noGradReleased, releaseGrads, releaseGraph } from '../../autograd/engine.js';
import { add, mul, pairDiffOwned, reshape, sub, sum } from '../../autograd/ops.js';
import { Adam } from '../../autograd/optim/index.js';
import { Rng } from '../../autograd/random.js';
import type { FloatArray } from '../../autograd/dtype.js';
import { Tensor } from '../../autograd/tensor.js';
import type { RelaxedBatch } from '../space.js';
import { ensembleMoments, fitAffine, type Affine } from './calibration.js';
import { encodeBatch } from './encode-batch.js';
import { MlpRankingStep, MlpScoreGrad, type PairDraws } from './mlp-step.js';
import { EnsembleGcn, EnsembleMlp, type EnsembleNet } from './nets.js';
import type { Prediction, Predictor, PredictorKind, PredictorOptions, SpaceForPredictor } from './predictor.js';

export { PREDICTOR_DEFAULTS } from '../defaults.js';
import { PREDICTOR_DEFAULTS } from '../defaults.js';

/** Architectures per batched forward of predict() (memberOutputs). */
export const PREDICT_ROWS = 128;

/** Pairs the ranking loss subsamples to per step (pairwiseRankingLoss's maxPairs). */
export const RANKING_MAX_PAIRS = 4096;

let compiledSteps = true;

/**
 * Train the MLP predictor by its compiled step, and let the ascent climb its compiled score
 * gradient (default), or do both through the engine's ops: the same bits either way
 * (test/mlp-step.test.ts compares the two); off is for that test and for benches.
 */
export function setCompiledSteps(on: boolean): void {
  compiledSteps = on;
}

export class NeuralPredictor<A> implements Predictor<A> {
  readonly kind: PredictorKind;
  readonly opts: typeof PREDICTOR_DEFAULTS;
  private net: EnsembleNet | null = null;
  private readonly memberRngs: Rng[];
  private mu = 0;
  private sd = 1;
  /** Per member, its map onto the standardised targets (identity when calibration is off). */
  private maps: Affine[] = [];
  /** Training-loss curve of the last fit per member (for diagnostics and tests). */
  lastLosses: number[][] = [];

  constructor(readonly space: SpaceForPredictor<A>, options: PredictorOptions = {}) {
    const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    this.opts = { ...PREDICTOR_DEFAULTS, ...defined } as typeof PREDICTOR_DEFAULTS;
    // MLP by default: the GCN ranks no better once a search has more than a few dozen cells, at
    // several times the training time (results/predictor-nb201-*); it is one option away.
    this.kind = options.kind ?? 'mlp';
    if (this.kind === 'gcn' && !space.graphDims) throw new Error(`NeuralPredictor: space '${space.name}' has no graph view; use kind 'mlp'`);
    if (!(Number.isInteger(this.opts.epochs) && this.opts.epochs >= 1)) throw new Error(`NeuralPredictor: epochs must be an integer >= 1, got ${this.opts.epochs}`);
    if (!(Number.isInteger(this.opts.ensemble) && this.opts.ensemble >= 1)) throw new Error(`NeuralPredictor: ensemble must be an integer >= 1, got ${this.opts.ensemble}`);
    const root = new Rng(this.opts.seed);
    this.memberRngs = Array.from({ length: this.opts.ensemble }, () => root.fork());
  }

  /**
   * Member m sits at row M−1−m of the stacked network. The ascent's input gradient sums the
   * members' contributions over that axis in ascending row order, and the engine's reverse sweep
   * over M separate networks summed them last member first: stacked in reverse, the two round
   * alike and the ascent climbs the same path as with separate networks. (score()'s value, which
   * the ascent does not use, now sums the members last first too: it may differ in the last bit.)
   */
  private row(m: number): number {
    return this.memberRngs.length - 1 - m;
  }

  get isFitted(): boolean {
    return this.net !== null;
  }

  fit(archs: readonly A[], ys: readonly number[]): void {
    if (archs.length !== ys.length) throw new Error(`fit: ${archs.length} architectures but ${ys.length} targets`);
    if (archs.length < 2) throw new Error(`fit: need at least 2 evaluated architectures, got ${archs.length}`);
    ys.forEach((y, i) => {
      if (!Number.isFinite(y)) throw new Error(`fit: target ${i} is ${y}; targets must be finite`);
    });
    const n = ys.length, M = this.memberRngs.length;
    this.mu = ys.reduce((a, b) => a + b, 0) / n;
    const variance = ys.reduce((a, b) => a + (b - this.mu) ** 2, 0) / n;
    this.sd = variance > 0 ? Math.sqrt(variance) : 1;
    const batch = encodeBatch(this.space, archs, this.opts.dtype);
    const steps = this.opts.epochs;
    // Rows in stacking order (see row()): the streams of members M−1, …, 0.
    const rowRngs = Array.from({ length: M }, (_, k) => this.memberRngs[M - 1 - k]!);
    // Every fit, each member's initialisation and dropout come from a fresh fork of its stream.
    const forks = this.memberRngs.map((r) => r.fork());
    const netRngs = Array.from({ length: M }, (_, k) => forks[M - 1 - k]!);
    const o = { hidden: this.opts.hidden, layers: this.opts.layers, dropout: this.opts.dropout, activation: 'silu' as const, rngs: netRngs, dtype: this.opts.dtype };
    const net = this.kind === 'gcn' ? new EnsembleGcn(this.space.graphDims!.f, o) : new EnsembleMlp(this.space.flatDim, o);
    this.net = net;
    const pairs = this.opts.loss === 'mse' ? null : rankingPairs(ys, rowRngs);
    const loss = pairs === null ? mseLosses(ys, this.mu, this.sd, this.opts.dtype) : rankingLosses(pairs, M);
    net.train(true);
    const opt = new Adam(net.parameters(), { lr: this.opts.lr, weightDecay: this.opts.weightDecay });
    const curves: number[][] = Array.from({ length: M }, () => []);
    // The MLP under the ranking loss trains by the compiled step (same bits, mlp-step.ts); the
    // engine's NaN check needs the engine's ops.
    const compiled = net instanceof EnsembleMlp && pairs !== null && compiledSteps && !isNaNCheckOn() ? new MlpRankingStep(net, batch.flat, pairs, opt) : null;
    if (compiled !== null) for (let s = 0; s < steps; s++) {
      const losses = compiled.step();
      for (let m = 0; m < M; m++) curves[m]!.push(losses[this.row(m)]!);
    }
    else for (let s = 0; s < steps; s++) {
      opt.zeroGrad();
      // [M] per-member losses; their sum gives every member exactly its own gradient.
      const mark = graphMark();
      const losses = loss(net.forward(batch));
      const total = sum(losses);
      total.backward();
      opt.step();
      for (let m = 0; m < M; m++) curves[m]!.push(losses.data[this.row(m)]!);
      // Nothing of this step's graph, nor its gradients, is read again: their buffers serve the next step.
      releaseGraph(total, mark);
      releaseGrads(opt.params);
    }
    opt.dispose();
    net.train(false);
    this.lastLosses = curves;
    const standardised = Float64Array.from(ys, (y) => (y - this.mu) / this.sd);
    this.maps = this.opts.calibrate
      ? this.memberOutputs(archs).map((out) => fitAffine(out, standardised))
      : this.memberRngs.map(() => ({ a: 1, b: 0 }));
  }

  /** Each member's map onto the standardised targets, from the last fit (diagnostics and tests). */
  get calibration(): readonly Affine[] {
    return this.maps;
  }

  private ensureFitted(): EnsembleNet {
    if (this.net === null) throw new Error('predictor used before fit()');
    return this.net;
  }

  /**
   * Raw outputs per member (member order): batched forwards without a graph, over slices of
   * PREDICT_ROWS architectures (the remainder joins the last slice). Each slice's buffers serve the
   * next one, so a pool of any size costs the memory of one slice and no fresh pages. A row's
   * outputs do not depend on the other rows of its batch: js and wasm sum each product's outputs
   * in the same order whatever the number of rows, and under 'auto' a slice of ≥ PREDICT_ROWS
   * rows keeps every product past wasm's crossover, as the whole batch was. So the slices give
   * the bits one forward gave (test/ensemble-batched.test.ts).
   */
  private memberOutputs(archs: readonly A[]): FloatArray[] {
    const net = this.ensureFitted();
    const B = archs.length;
    const outs = this.memberRngs.map(() => (this.opts.dtype === 'float64' ? new Float64Array(B) : new Float32Array(B)));
    for (let at = 0; at < B; ) {
      const end = B - at < 2 * PREDICT_ROWS ? B : at + PREDICT_ROWS;
      const b = end - at;
      const out = noGradReleased(() => net.forward(encodeBatch(this.space, archs.slice(at, end), this.opts.dtype)));
      outs.forEach((o, m) => o.set(out.data.subarray(this.row(m) * b, (this.row(m) + 1) * b), at));
      at = end;
    }
    return outs;
  }

  /** Each member's raw (uncalibrated, standardised-unit) output per architecture, in member order. */
  predictMembers(archs: readonly A[]): Float64Array[] {
    this.ensureFitted();
    if (archs.length === 0) return this.memberRngs.map(() => new Float64Array(0));
    return this.memberOutputs(archs).map((o) => Float64Array.from(o));
  }

  predict(archs: readonly A[]): Prediction {
    this.ensureFitted();
    const B = archs.length;
    const mean = new Float64Array(B), std = new Float64Array(B);
    if (B === 0) return { mean, std };
    const z = ensembleMoments(this.memberOutputs(archs), this.maps);
    for (let i = 0; i < B; i++) {
      mean[i] = z.mean[i]! * this.sd + this.mu;
      std[i] = z.std[i]! * this.sd;
    }
    return { mean, std };
  }

  /**
   * The compiled gradient of Σ score over `rows` rows of flat encodings (mlp-step.ts's
   * MlpScoreGrad), where it computes what score() and the engine would: the fitted MLP,
   * uncalibrated, compiled steps on and the NaN check off. Else null: the caller climbs score().
   */
  compiledScoreGrad(rows: number): MlpScoreGrad | null {
    const net = this.ensureFitted();
    const identity = this.maps.every(({ a, b }) => a === 1 && b === 0);
    return net instanceof EnsembleMlp && identity && compiledSteps && !isNaNCheckOn() ? new MlpScoreGrad(net, rows) : null;
  }

  score(batch: RelaxedBatch): Tensor {
    const net = this.ensureFitted();
    let out = net.forward(batch);
    const M = this.memberRngs.length;
    if (this.maps.some(({ a, b }) => a !== 1 || b !== 0)) {
      const col = (f: (m: Affine) => number) => {
        const d = out.dtype === 'float64' ? new Float64Array(M) : new Float32Array(M);
        this.maps.forEach((map, m) => (d[this.row(m)] = f(map)));
        return new Tensor(d, [M, 1]);
      };
      out = add(mul(out, col((m) => m.a)), col((m) => m.b));
    }
    return mul(sum(out, 0), 1 / M);
  }
}

type MemberLosses = (pred: Tensor) => Tensor;

/** Per-member mean squared error on the standardised targets: [M, n] → [M]. */
function mseLosses(ys: readonly number[], mu: number, sd: number, dtype: 'float32' | 'float64'): MemberLosses {
  const n = ys.length;
  const target = new Tensor(dtype === 'float64' ? Float64Array.from(ys, (y) => (y - mu) / sd) : Float32Array.from(ys, (y) => (y - mu) / sd), [n]);
  return (pred) => {
    const d = sub(pred, target);
    return mul(sum(mul(d, d), 1), 1 / n);
  };
}

/**
 * Each step's ranking pairs for M members ([M, n] predictions flattened): the ordered pairs are
 * listed once per fit, and every step each row subsamples them with its own stream, the same draws
 * (Rng.permutation: shuffle's Fisher–Yates on the pair indices) as pairwiseRankingLoss makes.
 */
function rankingPairs(ys: readonly number[], rowRngs: readonly Rng[]): PairDraws {
  const n = ys.length, M = rowRngs.length;
  const pi: number[] = [], pj: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (ys[i]! > ys[j]!) { pi.push(i); pj.push(j); }
  if (pi.length === 0) throw new Error('pairwiseRankingLoss: no ordered pairs (all targets equal or fewer than 2 scores)');
  const I = Int32Array.from(pi), J = Int32Array.from(pj);
  const total = I.length, P = Math.min(total, RANKING_MAX_PAIRS);
  const perm = new Int32Array(total);
  const gi = new Int32Array(M * P), gj = new Int32Array(M * P);
  const fill = () => {
    for (let k = 0; k < M; k++) {
      if (total > P) rowRngs[k]!.permutation(perm);
      else for (let q = 0; q < total; q++) perm[q] = q;
      for (let q = 0; q < P; q++) {
        gi[k * P + q] = k * n + I[perm[q]!]!;
        gj[k * P + q] = k * n + J[perm[q]!]!;
      }
    }
  };
  // Every pair, in listing order, when there are no more than P: the same indices every step.
  if (total <= P) fill();
  return { P, gi, gj, draw: total > P ? fill : () => {} };
}

/** Per-member pairwise ranking loss ([M, n] → [M]), pairwiseRankingLoss on each row with rankingPairs' pairs. */
function rankingLosses(pairs: PairDraws, M: number): MemberLosses {
  const { P, gi, gj } = pairs;
  return (pred) => {
    pairs.draw();
    // Drawn for the step (or fixed for the fit), in range by construction, and lent to the step's
    // pairDiff without a copy (pairDiffOwned): fit() calls this once per step and has run that
    // step's backward before the next.
    // −(s_i − s_j) as s_j − s_i (composites.ts's pairwiseRankingLoss says why that is the same).
    const margins = pairDiffOwned(reshape(pred, [-1]), gj, gi);
    return mul(sum(reshape(softplus(margins), [M, P]), 1), 1 / P);
  };
}
