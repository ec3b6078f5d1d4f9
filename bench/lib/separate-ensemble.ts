/**
 * The ensemble predictor as it was before its members were batched: M separate MlpNet/GcnNet,
 * each trained alone with its own Adam, graph per step and loss. Kept out of the core, for the
 * bench (old vs batched fit time) and for the test that the batched members equal these.
 * Same streams as NeuralPredictor: the root seed forks one stream per member, every fit forks
 * each member's initialisation from it, and its ranking pairs are drawn from the member stream.
 */
import { mseLoss, pairwiseRankingLoss } from '../../src/autograd/composites.js';
import { noGrad } from '../../src/autograd/engine.js';
import { add, mul } from '../../src/autograd/ops.js';
import { Adam } from '../../src/autograd/optim/index.js';
import { Rng } from '../../src/autograd/random.js';
import { Tensor } from '../../src/autograd/tensor.js';
import { PREDICTOR_DEFAULTS } from '../../src/nas/defaults.js';
import { ensembleMoments } from '../../src/nas/predictors/calibration.js';
import { encodeBatch } from '../../src/nas/predictors/encode-batch.js';
import { NeuralPredictor, RANKING_MAX_PAIRS } from '../../src/nas/predictors/neural.js';
import type { Prediction, PredictorKind, PredictorOptions, SpaceForPredictor } from '../../src/nas/predictors/predictor.js';
import { DirectedGCNLayer, Dropout, Linear, MLP, Module, activate, normalizeAdjacency, type Activation } from '../../src/autograd/nn/index.js';
import type { DType } from '../../src/autograd/dtype.js';
import { div, sum } from '../../src/autograd/ops.js';
import type { RelaxedBatch } from '../../src/nas/space.js';

/** A network that maps an encoded batch to one output per architecture. */
export interface ScoreNet {
  forward(batch: RelaxedBatch): Tensor;
  parameters(): Tensor[];
  train(on?: boolean): unknown;
}

export interface NetOptions {
  readonly hidden: number;
  readonly layers: number;
  readonly dropout: number;
  readonly activation: Activation;
  readonly rng: Rng;
  readonly dtype: DType;
}

/** One member as the core built it before batching (src/nas/predictors/nets.ts at that time). */
export class GcnNet extends Module implements ScoreNet {
  readonly gcn: DirectedGCNLayer[];
  readonly fc: Linear;
  readonly out: Linear;
  readonly drop: Dropout;
  private readonly act: Activation;

  constructor(features: number, opts: NetOptions) {
    super();
    const { hidden, layers, rng, dtype } = opts;
    this.gcn = Array.from({ length: layers }, (_, i) => new DirectedGCNLayer(i === 0 ? features : hidden, hidden, { rng, dtype }));
    this.fc = new Linear(hidden, 128, { rng, dtype });
    this.out = new Linear(128, 1, { rng, dtype });
    this.drop = new Dropout(opts.dropout, rng.fork());
    this.act = opts.activation;
  }

  forward(batch: RelaxedBatch): Tensor {
    const { adj, nodes } = batch;
    if (adj === undefined || nodes === undefined) throw new Error('GcnNet: the space has no graph view (adj/nodes); use the MLP predictor');
    const aHat = normalizeAdjacency(adj);
    let h = nodes;
    for (const layer of this.gcn) h = this.drop.forward(activate(layer.forward(h, aHat), this.act));
    // Real nodes have one-hot (or softmax) feature rows summing to 1; padding rows are all zero.
    const mask = sum(nodes, -1, true);
    const pooled = div(sum(mul(h, mask), 1), sum(mask, 1));
    return this.out.forward(activate(this.fc.forward(pooled), this.act)).reshape([-1]);
  }
}

/** One MLP member, likewise. */
export class MlpNet extends Module implements ScoreNet {
  readonly mlp: MLP;

  constructor(features: number, opts: NetOptions) {
    super();
    const sizes = [features, ...Array.from({ length: opts.layers }, () => opts.hidden), 1];
    this.mlp = new MLP(sizes, { rng: opts.rng, activation: opts.activation, dropout: opts.dropout, dtype: opts.dtype });
  }

  forward(batch: RelaxedBatch): Tensor {
    return this.mlp.forward(batch.flat).reshape([-1]);
  }
}


export class SeparateEnsemble<A> {
  readonly kind: PredictorKind;
  readonly opts: typeof PREDICTOR_DEFAULTS;
  nets: ScoreNet[] = [];
  lastLosses: number[][] = [];
  private readonly memberRngs: Rng[];

  constructor(readonly space: SpaceForPredictor<A>, options: PredictorOptions = {}) {
    const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    this.opts = { ...PREDICTOR_DEFAULTS, ...defined } as typeof PREDICTOR_DEFAULTS;
    this.kind = options.kind ?? 'mlp';
    const root = new Rng(this.opts.seed);
    this.memberRngs = Array.from({ length: this.opts.ensemble }, () => root.fork());
  }

  private makeNet(rng: Rng): ScoreNet {
    const o = { hidden: this.opts.hidden, layers: this.opts.layers, dropout: this.opts.dropout, activation: 'silu' as const, rng, dtype: this.opts.dtype };
    return this.kind === 'gcn' ? new GcnNet(this.space.graphDims!.f, o) : new MlpNet(this.space.flatDim, o);
  }

  private mu = 0;
  private sd = 1;

  fit(archs: readonly A[], ys: readonly number[]): void {
    if (this.opts.calibrate) throw new Error('SeparateEnsemble: calibration is not reproduced here');
    const n = ys.length;
    const mu = ys.reduce((a, b) => a + b, 0) / n;
    const variance = ys.reduce((a, b) => a + (b - mu) ** 2, 0) / n;
    const sd = variance > 0 ? Math.sqrt(variance) : 1;
    this.mu = mu;
    this.sd = sd;
    const target = new Tensor(this.opts.dtype === 'float64' ? Float64Array.from(ys, (y) => (y - mu) / sd) : Float32Array.from(ys, (y) => (y - mu) / sd), [n]);
    const batch = encodeBatch(this.space, archs, this.opts.dtype);
    this.nets = this.memberRngs.map((r) => this.makeNet(r.fork()));
    this.lastLosses = this.nets.map((net, m) => {
      const rng = this.memberRngs[m]!;
      net.train(true);
      const opt = new Adam(net.parameters(), { lr: this.opts.lr, weightDecay: this.opts.weightDecay });
      const curve: number[] = [];
      for (let s = 0; s < this.opts.epochs; s++) {
        opt.zeroGrad();
        const pred = net.forward(batch);
        const loss = this.opts.loss === 'mse' ? mseLoss(pred, target) : pairwiseRankingLoss(pred, ys, { maxPairs: RANKING_MAX_PAIRS, rng });
        loss.backward();
        opt.step();
        curve.push(loss.item());
      }
      net.train(false);
      return curve;
    });
  }

  /** Each member's raw output per architecture. */
  predictMembers(archs: readonly A[]): Float64Array[] {
    const batch = encodeBatch(this.space, archs, this.opts.dtype);
    return noGrad(() => this.nets.map((net) => Float64Array.from(net.forward(batch).data)));
  }

  /** Ensemble mean and std in target units, as predict() computed them from separate members. */
  predict(archs: readonly A[]): Prediction {
    const B = archs.length;
    const mean = new Float64Array(B), std = new Float64Array(B);
    if (B === 0) return { mean, std };
    const z = ensembleMoments(this.predictMembers(archs), this.nets.map(() => ({ a: 1, b: 0 })));
    for (let i = 0; i < B; i++) {
      mean[i] = z.mean[i]! * this.sd + this.mu;
      std[i] = z.std[i]! * this.sd;
    }
    return { mean, std };
  }

  /** The uncalibrated ensemble mean, as score() computed it from separate members. */
  score(batch: RelaxedBatch): Tensor {
    let total: Tensor | null = null;
    for (const net of this.nets) {
      const o = add(mul(net.forward(batch), 1), 0);
      total = total === null ? o : add(total, o);
    }
    return mul(total!, 1 / this.nets.length);
  }
}

/**
 * Run `fn` with every NeuralPredictor trained and evaluated the old way (a SeparateEnsemble with
 * the predictor's own options and seed behind fit/predict/score), so that a whole search can be
 * timed and its trajectory compared, old against batched, in one process.
 */
export function withSeparateTraining<T>(fn: () => T): T {
  const proto = NeuralPredictor.prototype as unknown as Record<string, unknown>;
  const saved = { fit: proto.fit, predict: proto.predict, score: proto.score, compiledScoreGrad: proto.compiledScoreGrad };
  type Host = NeuralPredictor<unknown> & { separate?: SeparateEnsemble<unknown> };
  const sep = (p: Host) => (p.separate ??= new SeparateEnsemble(p.space, { ...p.opts, kind: p.kind }));
  proto.fit = function (this: Host, archs: readonly unknown[], ys: readonly number[]) { sep(this).fit(archs, ys); };
  proto.predict = function (this: Host, archs: readonly unknown[]) { return sep(this).predict(archs); };
  proto.score = function (this: Host, batch: RelaxedBatch) { return sep(this).score(batch); };
  // The ascent climbs score() itself: the batched network's compiled gradient is not these members'.
  proto.compiledScoreGrad = () => null;
  try {
    return fn();
  } finally {
    Object.assign(proto, saved);
  }
}
