/**
 * Train and score one MLP classifier with our own engine (core: typed arrays in, accuracies out).
 * This is what a live task's oracle does per query: a real training run, seeded, so the same
 * candidate and seed give the same accuracies in any process, worker or browser.
 */
import { crossEntropy } from '../../autograd/composites.js';
import { graphMark, noGrad, releaseGrads, releaseGraph } from '../../autograd/engine.js';
import { MLP, type Activation } from '../../autograd/nn/layers.js';
import { Adam } from '../../autograd/optim/optimizer.js';
import { cosineSchedule } from '../../autograd/optim/schedule.js';
import { Rng } from '../../autograd/random.js';
import { Tensor } from '../../autograd/tensor.js';
import type { Examples } from './digits.js';

export interface MlpConfig {
  /** Hidden layer widths (length = depth). */
  readonly hidden: readonly number[];
  readonly activation: Activation;
  readonly lr: number;
  /** Dropout after every hidden activation (0: none). */
  readonly dropout: number;
}

export interface TrainOptions {
  readonly epochs: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly classes?: number;
}

export interface TrainResult {
  /** Accuracy in percent on each evaluation set, in the order given. */
  readonly accuracies: number[];
  /** Mean cross-entropy of the last epoch's mini-batches. */
  readonly finalLoss: number;
  readonly params: number;
  readonly steps: number;
}

/** Rows [from, to) of a row-major matrix as a tensor (a copy: the batch is reordered anyway). */
export function rows(x: Float32Array, dim: number, idx: ArrayLike<number>, from: number, to: number): Tensor {
  const out = new Float32Array((to - from) * dim);
  for (let r = from; r < to; r++) out.set(x.subarray(idx[r]! * dim, (idx[r]! + 1) * dim), (r - from) * dim);
  return new Tensor(out, [to - from, dim]);
}

/** Percent of rows whose arg-max logit is the label, evaluated in chunks without a graph. */
export function accuracy(model: MLP, ex: Examples, chunk = 1000): number {
  const all = Array.from({ length: ex.n }, (_, i) => i);
  return chunkedAccuracy(ex, chunk, (s, e) => model.forward(rows(ex.x, ex.dim, all, s, e)));
}

/**
 * Percent of `ex` whose arg-max logit is the label; `logitsOf(from, to)` gives the logits of rows
 * from..to-1 (any model), evaluated chunk by chunk without recording a graph.
 */
export function chunkedAccuracy(ex: Examples, chunk: number, logitsOf: (from: number, to: number) => Tensor): number {
  if (ex.n === 0) throw new Error('accuracy: no examples');
  let correct = 0;
  noGrad(() => {
    for (let s = 0; s < ex.n; s += chunk) {
      const e = Math.min(ex.n, s + chunk);
      const logits = logitsOf(s, e);
      const c = logits.shape[1]!, d = logits.data;
      for (let r = 0; r < e - s; r++) {
        let best = 0;
        for (let k = 1; k < c; k++) if (d[r * c + k]! > d[r * c + best]!) best = k;
        if (best === ex.y[s + r]) correct++;
      }
    }
  });
  return (100 * correct) / ex.n;
}

/**
 * Mini-batch Adam on cross-entropy for `epochs` passes over `train` (reshuffled each epoch with the
 * seeded stream), then accuracy on each of `evalSets`. He-uniform initialisation for ReLU stacks,
 * Glorot otherwise. A diverged run (non-finite loss) stops early and is scored as it stands: a
 * learning rate too high for a shape is a legitimate, reproducible outcome of the search.
 */
export function trainMlp(cfg: MlpConfig, train: Examples, evalSets: readonly Examples[], opts: TrainOptions): TrainResult {
  const classes = opts.classes ?? 10;
  if (cfg.hidden.length === 0) throw new Error('trainMlp: at least one hidden layer is needed');
  if (!(opts.epochs >= 1) || !(opts.batchSize >= 1)) throw new Error(`trainMlp: epochs and batchSize must be >= 1, got ${opts.epochs} and ${opts.batchSize}`);
  const rng = new Rng(opts.seed);
  const model = new MLP([train.dim, ...cfg.hidden, classes], {
    rng: rng.fork(), activation: cfg.activation, dropout: cfg.dropout,
    init: cfg.activation === 'relu' ? 'kaiming' : 'xavier',
  });
  const { finalLoss: lastLoss, steps } = fitClassifier(model, train, { epochs: opts.epochs, batchSize: opts.batchSize, lr: cfg.lr, rng, minBatch: 1 });
  model.eval();
  return { accuracies: evalSets.map((ex) => accuracy(model, ex)), finalLoss: lastLoss, params: model.parameterCount(), steps };
}

/** What the shared training loop needs of a classifier (an MLP, a CNN). */
export interface Classifier {
  forward(x: Tensor): Tensor;
  parameters(): Tensor[];
  train(on?: boolean): unknown;
}

/**
 * Learning rate per step: 'constant', or 'onecycle' — a linear warm-up over the first fifth of the
 * steps to the peak, then a cosine decay to zero (Smith & Topin's one-cycle shape). A short run
 * of a freshly initialised network tolerates a much higher peak when it starts low and ends at 0.
 */
export type LrSchedule = 'constant' | 'onecycle';
export const LR_SCHEDULES: readonly LrSchedule[] = ['constant', 'onecycle'];

/** The learning rate at each of `total` steps. */
export function lrSchedule(kind: LrSchedule, peak: number, total: number): (step: number) => number {
  if (kind === 'onecycle' && total > 1) return cosineSchedule({ base: peak, total, warmup: Math.max(1, Math.round(total / 5)) });
  return () => peak;
}

export interface FitOptions {
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly rng: Rng;
  readonly minBatch: number;
  readonly schedule?: LrSchedule;
}

/**
 * Mini-batch Adam on cross-entropy for `epochs` passes over `train`, reshuffled each epoch with
 * `rng`; a last batch smaller than `minBatch` is dropped (batch norm needs two images). Stops at a
 * non-finite loss and reports it. Leaves the model in training mode.
 */
export function fitClassifier(model: Classifier, train: Examples, opts: FitOptions): { finalLoss: number; steps: number } {
  const opt = new Adam(model.parameters(), { lr: opts.lr });
  let perEpoch = 0;
  for (let s = 0; train.n - s >= opts.minBatch; s += opts.batchSize) perEpoch++;
  const lrAt = lrSchedule(opts.schedule ?? 'constant', opts.lr, perEpoch * opts.epochs);
  const order = Int32Array.from({ length: train.n }, (_, i) => i);
  const labels = new Uint8Array(opts.batchSize);
  let steps = 0, lastLoss = NaN;
  model.train();
  outer: for (let ep = 0; ep < opts.epochs; ep++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = opts.rng.int(i + 1);
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    let sum = 0, count = 0;
    for (let s = 0; train.n - s >= opts.minBatch; s += opts.batchSize) {
      const e = Math.min(train.n, s + opts.batchSize);
      for (let r = s; r < e; r++) labels[r - s] = train.y[order[r]!]!;
      opt.lr = lrAt(steps);
      opt.zeroGrad();
      const mark = graphMark();
      const loss = crossEntropy(model.forward(rows(train.x, train.dim, order, s, e)), labels.subarray(0, e - s));
      const v = loss.data[0]!;
      if (!Number.isFinite(v)) {
        lastLoss = v;
        break outer;
      }
      loss.backward();
      opt.step();
      // Nothing of this step's graph, nor its gradients, is read again: their buffers serve the next batch.
      releaseGraph(loss, mark);
      releaseGrads(opt.params);
      steps++;
      sum += v * (e - s);
      count += e - s;
    }
    lastLoss = sum / count;
  }
  opt.dispose();
  return { finalLoss: lastLoss, steps };
}
