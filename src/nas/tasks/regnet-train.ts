/**
 * Build, count and train the networks of ./regnet-space.ts with our own engine (core: typed
 * arrays in, accuracies out). A candidate is trained from a seed that the caller derives from the
 * network itself, so the same candidate gives the same accuracies in any process, worker or tab.
 */
import { noGrad } from '../../autograd/engine.js';
import { BatchNorm2d } from '../../autograd/nn/batchnorm.js';
import { Conv2d, GlobalAvgPool2d } from '../../autograd/nn/conv.js';
import { Linear } from '../../autograd/nn/layers.js';
import { Module } from '../../autograd/nn/module.js';
import { Rng } from '../../autograd/random.js';
import { Tensor } from '../../autograd/tensor.js';
import type { Examples } from './digits.js';
import type { RegNetDigitsConfig } from './regnet-space.js';
import { chunkedAccuracy, fitClassifier, rows, type LrSchedule } from './train-mlp.js';

/** One executed convolution or linear layer: its weight's shape and its output's shape. */
export interface LayerTrace {
  readonly weight: readonly number[];
  readonly out: readonly number[];
}

type Trace = LayerTrace[] | null;

function run(layer: Conv2d | Linear, x: Tensor, trace: Trace): Tensor {
  const y = layer.forward(x);
  trace?.push({ weight: [...layer.weight.shape], out: [...y.shape] });
  return y;
}

/** Conv (no bias: batch norm follows) + batch norm, optionally ReLU. */
class ConvBn extends Module {
  readonly conv: Conv2d;
  readonly bn: BatchNorm2d;
  constructor(cin: number, cout: number, k: number, stride: number, groups: number, rng: Rng) {
    super();
    this.conv = new Conv2d(cin, cout, k, { rng, stride, padding: (k - 1) / 2, groups, bias: false, init: 'kaiming' });
    this.bn = new BatchNorm2d(cout);
  }
  forward(x: Tensor, trace: Trace = null, relu = true): Tensor {
    const y = this.bn.forward(run(this.conv, x, trace));
    return relu ? y.relu() : y;
  }
}

/** RegNet's X block: 1×1 → grouped 3×3 (stride here) → 1×1, residual with projection if needed. */
class Bottleneck extends Module {
  readonly a: ConvBn;
  readonly b: ConvBn;
  readonly c: ConvBn;
  readonly proj: ConvBn | null;
  constructor(cin: number, w: number, wb: number, groupWidth: number, stride: number, rng: Rng) {
    super();
    this.a = new ConvBn(cin, wb, 1, 1, 1, rng);
    this.b = new ConvBn(wb, wb, 3, stride, wb / groupWidth, rng);
    this.c = new ConvBn(wb, w, 1, 1, 1, rng);
    this.proj = cin !== w || stride !== 1 ? new ConvBn(cin, w, 1, stride, 1, rng) : null;
  }
  forward(x: Tensor, trace: Trace = null): Tensor {
    const y = this.c.forward(this.b.forward(this.a.forward(x, trace), trace), trace, false);
    const short = this.proj === null ? x : this.proj.forward(x, trace, false);
    return y.add(short).relu();
  }
}

export class RegNetDigitsNet extends Module {
  readonly stem: ConvBn;
  readonly blocks: Bottleneck[] = [];
  readonly pool = new GlobalAvgPool2d();
  readonly head: Linear;
  readonly side: number;

  constructor(cfg: RegNetDigitsConfig, rng: Rng) {
    super();
    this.side = cfg.side;
    this.stem = new ConvBn(1, cfg.stemWidth, 3, 1, 1, rng);
    let cin = cfg.stemWidth;
    for (const s of cfg.stages) {
      const wb = s.width / s.bottleneck;
      if (!Number.isInteger(wb) || wb % s.groupWidth !== 0) {
        throw new Error(`RegNetDigitsNet: stage width ${s.width}, bottleneck ${s.bottleneck}, group width ${s.groupWidth}: expected w/b an integer multiple of g`);
      }
      for (let j = 0; j < s.depth; j++) {
        this.blocks.push(new Bottleneck(j === 0 ? cin : s.width, s.width, wb, s.groupWidth, j === 0 ? 2 : 1, rng));
      }
      cin = s.width;
    }
    this.head = new Linear(cin, cfg.classes, { rng });
  }

  /** x: [N, side·side] rows (or [N, 1, side, side]); logits [N, classes]. */
  forward(x: Tensor, trace: Trace = null): Tensor {
    let h = this.stem.forward(x.reshape([x.shape[0]!, 1, this.side, this.side]), trace);
    for (const b of this.blocks) h = b.forward(h, trace);
    return run(this.head, this.pool.forward(h), trace);
  }
}

/**
 * Multiply-accumulates of one image through the built network, counted from the layers a forward
 * pass actually executes: each conv or linear costs (output elements) × (weight elements per
 * output channel), i.e. out[C·H·W] × cin/groups·kh·kw. Independent of the analytic formula.
 */
export function countMacs(net: RegNetDigitsNet): number {
  const trace: LayerTrace[] = [];
  noGrad(() => net.forward(new Tensor(new Float32Array(net.side * net.side), [1, net.side * net.side]), trace));
  let macs = 0;
  for (const t of trace) {
    const outPerImage = t.out.slice(1).reduce((p, v) => p * v, 1);
    // Conv weight [cout, cin/g, kh, kw]: per output element cin/g·kh·kw; linear weight [in, out]: in.
    const fan = t.weight.length === 4 ? t.weight[1]! * t.weight[2]! * t.weight[3]! : t.weight[0]!;
    macs += outPerImage * fan;
  }
  return macs;
}

export interface CnnTrainOptions {
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly seed: number;
  /** Default 'constant'. */
  readonly schedule?: LrSchedule;
}

export interface CnnTrainResult {
  /** Accuracy in percent on each evaluation set, in the order given. */
  readonly accuracies: number[];
  readonly finalLoss: number;
  readonly params: number;
  readonly steps: number;
}

/** Percent correct, evaluation mode (running batch-norm statistics), no graph. */
export function cnnAccuracy(net: Module & { forward(x: Tensor): Tensor }, ex: Examples, chunk = 500): number {
  const all = Int32Array.from({ length: ex.n }, (_, i) => i);
  return chunkedAccuracy(ex, chunk, (s, e) => net.forward(rows(ex.x, ex.dim, all, s, e)));
}

/**
 * Mini-batch Adam on cross-entropy (constant or one-cycle learning rate), reshuffling with the seeded stream each epoch, then accuracy
 * on each evaluation set in evaluation mode. A diverged run (non-finite loss) stops early and is
 * scored as it stands, a reproducible outcome like any other.
 */
export function trainRegNetDigits(cfg: RegNetDigitsConfig, train: Examples, evalSets: readonly Examples[], opts: CnnTrainOptions): CnnTrainResult {
  if (train.dim !== cfg.side * cfg.side) throw new Error(`trainRegNetDigits: examples have ${train.dim} features, expected ${cfg.side}×${cfg.side} = ${cfg.side * cfg.side}`);
  if (!(opts.epochs >= 1) || !(opts.batchSize >= 2)) throw new Error(`trainRegNetDigits: epochs >= 1 and batchSize >= 2 (batch norm needs two images), got ${opts.epochs} and ${opts.batchSize}`);
  const rng = new Rng(opts.seed);
  const net = new RegNetDigitsNet(cfg, rng.fork());
  // A last batch of one image would make batch norm's batch variance zero: it is dropped.
  const { finalLoss: lastLoss, steps } = fitClassifier(net, train, { epochs: opts.epochs, batchSize: opts.batchSize, lr: opts.lr, rng, minBatch: 2, schedule: opts.schedule ?? 'constant' });
  net.eval();
  return { accuracies: evalSets.map((ex) => cnnAccuracy(net, ex)), finalLoss: lastLoss, params: net.parameterCount(), steps };
}
