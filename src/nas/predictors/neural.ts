/**
 * Ensemble neural predictor (M members differing by seed) on standardised targets. fit() trains
 * full-batch with Adam (the training sets of sample-efficient NAS are tens to a few hundred
 * architectures), then maps each member onto the targets' scale (calibration.ts); score() is the
 * differentiable mean of the calibrated members, which the ascent climbs.
 */
import { mseLoss, pairwiseRankingLoss } from '../../autograd/composites.js';
import { noGrad } from '../../autograd/engine.js';
import { add, mul } from '../../autograd/ops.js';
import { Adam } from '../../autograd/optim/index.js';
import { Rng } from '../../autograd/random.js';
import { Tensor } from '../../autograd/tensor.js';
import type { RelaxedBatch } from '../space.js';
import { ensembleMoments, fitAffine, type Affine } from './calibration.js';
import { encodeBatch } from './encode-batch.js';
import { GcnNet, MlpNet } from './nets.js';
import type { Prediction, Predictor, PredictorKind, PredictorOptions, ScoreNet, SpaceForPredictor } from './predictor.js';

export { PREDICTOR_DEFAULTS } from '../defaults.js';
import { PREDICTOR_DEFAULTS } from '../defaults.js';

export class NeuralPredictor<A> implements Predictor<A> {
  readonly kind: PredictorKind;
  readonly opts: typeof PREDICTOR_DEFAULTS;
  private nets: ScoreNet[] = [];
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
    if (!(this.opts.ensemble >= 1)) throw new Error(`NeuralPredictor: ensemble must be >= 1, got ${this.opts.ensemble}`);
    const root = new Rng(this.opts.seed);
    this.memberRngs = Array.from({ length: this.opts.ensemble }, () => root.fork());
  }

  private makeNet(rng: Rng): ScoreNet {
    const o = { hidden: this.opts.hidden, layers: this.opts.layers, dropout: this.opts.dropout, activation: 'silu' as const, rng, dtype: this.opts.dtype };
    return this.kind === 'gcn' ? new GcnNet(this.space.graphDims!.f, o) : new MlpNet(this.space.flatDim, o);
  }

  get isFitted(): boolean {
    return this.nets.length > 0;
  }

  fit(archs: readonly A[], ys: readonly number[]): void {
    if (archs.length !== ys.length) throw new Error(`fit: ${archs.length} architectures but ${ys.length} targets`);
    if (archs.length < 2) throw new Error(`fit: need at least 2 evaluated architectures, got ${archs.length}`);
    ys.forEach((y, i) => {
      if (!Number.isFinite(y)) throw new Error(`fit: target ${i} is ${y}; targets must be finite`);
    });
    const n = ys.length;
    this.mu = ys.reduce((a, b) => a + b, 0) / n;
    const variance = ys.reduce((a, b) => a + (b - this.mu) ** 2, 0) / n;
    this.sd = variance > 0 ? Math.sqrt(variance) : 1;
    const target = new Tensor(this.opts.dtype === 'float64' ? Float64Array.from(ys, (y) => (y - this.mu) / this.sd) : Float32Array.from(ys, (y) => (y - this.mu) / this.sd), [n]);
    const batch = encodeBatch(this.space, archs, this.opts.dtype);
    const steps = this.opts.epochs;
    this.nets = this.memberRngs.map((r) => this.makeNet(r.fork()));
    this.lastLosses = this.nets.map((net, m) => {
      const rng = this.memberRngs[m]!;
      net.train(true);
      const opt = new Adam(net.parameters(), { lr: this.opts.lr, weightDecay: this.opts.weightDecay });
      const curve: number[] = [];
      for (let s = 0; s < steps; s++) {
        opt.zeroGrad();
        const pred = net.forward(batch);
        const loss = this.opts.loss === 'mse' ? mseLoss(pred, target) : pairwiseRankingLoss(pred, ys, { maxPairs: 4096, rng });
        loss.backward();
        opt.step();
        curve.push(loss.item());
      }
      net.train(false);
      return curve;
    });
    const standardised = Float64Array.from(ys, (y) => (y - this.mu) / this.sd);
    this.maps = this.opts.calibrate
      ? noGrad(() => this.nets.map((net) => fitAffine(net.forward(batch).data, standardised)))
      : this.nets.map(() => ({ a: 1, b: 0 }));
  }

  /** Each member's map onto the standardised targets, from the last fit (diagnostics and tests). */
  get calibration(): readonly Affine[] {
    return this.maps;
  }

  private ensureFitted(): void {
    if (this.nets.length === 0) throw new Error('predictor used before fit()');
  }

  predict(archs: readonly A[]): Prediction {
    this.ensureFitted();
    const B = archs.length;
    const mean = new Float64Array(B), std = new Float64Array(B);
    if (B === 0) return { mean, std };
    const batch = encodeBatch(this.space, archs, this.opts.dtype);
    const outs = noGrad(() => this.nets.map((net) => net.forward(batch).data));
    const z = ensembleMoments(outs, this.maps);
    for (let i = 0; i < B; i++) {
      mean[i] = z.mean[i]! * this.sd + this.mu;
      std[i] = z.std[i]! * this.sd;
    }
    return { mean, std };
  }

  score(batch: RelaxedBatch): Tensor {
    this.ensureFitted();
    let total: Tensor | null = null;
    this.nets.forEach((net, m) => {
      const { a, b } = this.maps[m]!;
      const o = add(mul(net.forward(batch), a), b);
      total = total === null ? o : add(total, o);
    });
    return mul(total!, 1 / this.nets.length);
  }
}
