/**
 * Ensemble neural predictor (M members differing by seed) on standardised targets. fit() trains
 * full-batch with Adam (the training sets of sample-efficient NAS are tens to a few hundred
 * architectures); score() is the differentiable ensemble mean the ascent climbs.
 */
import { mseLoss, pairwiseRankingLoss } from '../../autograd/composites.js';
import { noGrad } from '../../autograd/engine.js';
import { add, mul } from '../../autograd/ops.js';
import { Adam } from '../../autograd/optim/index.js';
import { Rng } from '../../autograd/random.js';
import { Tensor } from '../../autograd/tensor.js';
import type { RelaxedBatch } from '../space.js';
import { encodeBatch } from './encode-batch.js';
import { GcnNet, MlpNet } from './nets.js';
import type { Prediction, Predictor, PredictorKind, PredictorOptions, ScoreNet, SpaceForPredictor } from './predictor.js';

/** Defaults (METHOD.md): GCN ~4 × 144 is the paper-style size; we default smaller for speed, see README. */
export const PREDICTOR_DEFAULTS = {
  // Five members of 60 steps (the same member-steps as the former 3 × 100): with ranking by a lower
  // confidence bound (PREDICTOR_GUIDED_DEFAULTS.ucbKappa) PredNAS on NB-201 CIFAR-10 reached 94.22 vs
  // 94.17 at 100 queries (+0.048 ± 0.024, 100 seeds; results/ablations.md, session 5).
  ensemble: 5,
  // Ranking loss by default: on NB-201 (cifar10, 12 seeds, budget 100) PredNAS reached 94.25 with it vs
  // 94.13 with MSE; the ascent needs the predictor's ordering more than its calibration.
  loss: 'ranking' as 'mse' | 'ranking',
  hidden: 64,
  layers: 3,
  dropout: 0.1,
  lr: 0.01,
  // 100 full-batch steps rank as well as 200 at half the time (Kendall τ on 1,000 held-out cells,
  // 5 seeds: NB-201 0.600 vs 0.596 at n=100, 0.652 vs 0.654 at n=150; NB-101 0.603 vs 0.606 at
  // n=150); 50 loses a little (0.643 at n=150). 60 per member with five members (see ensemble).
  epochs: 60,
  warmStart: false,
  warmEpochs: 60,
  weightDecay: 0,
  seed: 0,
  dtype: 'float32' as 'float32' | 'float64',
};

export class NeuralPredictor<A> implements Predictor<A> {
  readonly kind: PredictorKind;
  readonly opts: typeof PREDICTOR_DEFAULTS;
  private nets: ScoreNet[] = [];
  private readonly memberRngs: Rng[];
  private mu = 0;
  private sd = 1;
  /** Training-loss curve of the last fit per member (for diagnostics and tests). */
  lastLosses: number[][] = [];

  constructor(readonly space: SpaceForPredictor<A>, options: PredictorOptions = {}) {
    const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    this.opts = { ...PREDICTOR_DEFAULTS, ...defined } as typeof PREDICTOR_DEFAULTS;
    // MLP by default: on NB-201 the GCN ranks only slightly better (Kendall τ 0.62 vs 0.60 at 100
    // samples) at ~9× the training time with the scalar CPU kernels; GCN is one option away.
    this.kind = options.kind ?? 'mlp';
    if (this.kind === 'gcn' && !space.graphDims) throw new Error(`NeuralPredictor: space '${space.name}' has no graph view; use kind 'mlp'`);
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
    const warm = this.opts.warmStart && this.nets.length === this.opts.ensemble;
    const steps = warm ? this.opts.warmEpochs : this.opts.epochs;
    if (!warm) this.nets = this.memberRngs.map((r) => this.makeNet(r.fork()));
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
    const M = outs.length;
    for (let i = 0; i < B; i++) {
      let s = 0, s2 = 0;
      for (const o of outs) {
        const v = o[i]! * this.sd + this.mu;
        s += v;
        s2 += v * v;
      }
      mean[i] = s / M;
      std[i] = Math.sqrt(Math.max(0, s2 / M - (s / M) ** 2));
    }
    return { mean, std };
  }

  score(batch: RelaxedBatch): Tensor {
    this.ensureFitted();
    let total: Tensor | null = null;
    for (const net of this.nets) {
      const o = net.forward(batch);
      total = total === null ? o : add(total, o);
    }
    return mul(total!, 1 / this.nets.length);
  }
}
