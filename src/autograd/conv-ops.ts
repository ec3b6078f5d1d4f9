/**
 * The public convolutional ops: conv2d, max/avg pooling, global average pooling, batch norm.
 * Arguments are validated here (one-line errors naming the op, the shapes and what was expected),
 * then handed to the engine's primitives (conv2d, maxPool2d, avgPool2d, batchNorm). Layout NCHW,
 * weights OIHW, as in PyTorch; a `Pair` is one number for both axes or [height, width].
 */
import { batchStats } from './batchnorm.js';
import { allocate } from './dtype.js';
import { apply } from './engine.js';
import { mean } from './ops.js';
import { convOutSize } from '../kernels/conv.js';
import { fmtShape } from './shape.js';
import { Tensor } from './tensor.js';

export type Pair = number | readonly [number, number];

export interface Conv2dOptions {
  readonly stride?: Pair;
  readonly padding?: Pair;
  readonly dilation?: Pair;
  /** Input and output channels are split into this many groups; groups = Cin = Cout is depthwise. */
  readonly groups?: number;
}

export interface Pool2dOptions {
  /** Default: the kernel size (non-overlapping windows). */
  readonly stride?: Pair;
  /** Implicit padding, at most half the kernel; max pooling ignores it, average pooling counts it as 0. */
  readonly padding?: Pair;
}

function pair(op: string, name: string, v: Pair, min: number): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!Number.isInteger(p[0]) || !Number.isInteger(p[1]) || p[0] < min || p[1] < min) {
    throw new Error(`${op}: ${name} must be an integer >= ${min} or a pair of them, got ${JSON.stringify(v)}`);
  }
  return p;
}

function check4d(op: string, x: unknown, what: string): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new Error(`${op}: ${what} must be a Tensor, got ${typeof x}`);
  if (x.rank !== 4) throw new Error(`${op}: ${what} must be 4-D (${what === 'weight' ? 'OIHW' : 'NCHW'}), got ${fmtShape(x.shape)}`);
}

/** y = x ⊛ w: x [N, Cin, H, W], w [Cout, Cin/groups, kh, kw] → [N, Cout, OH, OW] (no bias). */
export function conv2d(x: Tensor, w: Tensor, opts: Conv2dOptions = {}): Tensor {
  check4d('conv2d', x, 'input');
  check4d('conv2d', w, 'weight');
  if (x.dtype !== w.dtype) throw new Error(`conv2d: dtype mismatch, input ${x.toString()} vs weight ${w.toString()}`);
  const stride = pair('conv2d', 'stride', opts.stride ?? 1, 1);
  const padding = pair('conv2d', 'padding', opts.padding ?? 0, 0);
  const dilation = pair('conv2d', 'dilation', opts.dilation ?? 1, 1);
  const groups = opts.groups ?? 1;
  const [, cin, h, wd] = x.shape as [number, number, number, number];
  const [cout, cg, kh, kw] = w.shape as [number, number, number, number];
  if (!Number.isInteger(groups) || groups < 1 || cin % groups !== 0 || cout % groups !== 0) {
    throw new Error(`conv2d: groups ${groups} must divide input channels ${cin} and output channels ${cout}`);
  }
  if (cg !== cin / groups) {
    throw new Error(`conv2d: weight ${fmtShape(w.shape)} needs ${cin / groups} input channels per group (input ${fmtShape(x.shape)}, groups ${groups}), got ${cg}`);
  }
  const oh = convOutSize(h, kh, stride[0], padding[0], dilation[0]), ow = convOutSize(wd, kw, stride[1], padding[1], dilation[1]);
  if (oh < 1 || ow < 1 || kh < 1 || kw < 1) {
    throw new Error(`conv2d: kernel ${kh}x${kw} (dilation ${dilation.join('x')}) does not fit input ${fmtShape(x.shape)} with padding ${padding.join('x')}: output ${oh}x${ow}`);
  }
  return apply('conv2d', [x, w], { stride, padding, dilation, groups });
}

function poolAttrs(op: string, x: Tensor, kernel: Pair, opts: Pool2dOptions) {
  check4d(op, x, 'input');
  const k = pair(op, 'kernel', kernel, 1);
  const stride = pair(op, 'stride', opts.stride ?? k, 1);
  const padding = pair(op, 'padding', opts.padding ?? 0, 0);
  if (2 * padding[0] > k[0] || 2 * padding[1] > k[1]) throw new Error(`${op}: padding ${padding.join('x')} must be at most half the kernel ${k.join('x')}`);
  if (x.shape[2]! + 2 * padding[0] < k[0] || x.shape[3]! + 2 * padding[1] < k[1]) {
    throw new Error(`${op}: kernel ${k.join('x')} does not fit input ${fmtShape(x.shape)} with padding ${padding.join('x')}`);
  }
  return { kernel: k, stride, padding };
}

/** Maximum over each window of the last two axes; the gradient goes to the window's first maximum. */
export function maxPool2d(x: Tensor, kernel: Pair, opts: Pool2dOptions = {}): Tensor {
  return apply('maxPool2d', [x], poolAttrs('maxPool2d', x, kernel, opts));
}

/** Mean over each window of the last two axes (padded taps count as zeros). */
export function avgPool2d(x: Tensor, kernel: Pair, opts: Pool2dOptions = {}): Tensor {
  return apply('avgPool2d', [x], poolAttrs('avgPool2d', x, kernel, opts));
}

/** Mean over H and W: [N, C, H, W] → [N, C] (or [N, C, 1, 1] with keepdims); a composite of mean. */
export function globalAvgPool2d(x: Tensor, keepdims = false): Tensor {
  check4d('globalAvgPool2d', x, 'input');
  return mean(x, [2, 3], keepdims);
}

export interface BatchNormOptions {
  /** Scale and shift [C]; default 1 and 0 (no gradient). */
  readonly gamma?: Tensor;
  readonly beta?: Tensor;
  /** Training mode (default): normalise with the batch statistics and update the running ones. */
  readonly training?: boolean;
  /** Running statistics [C], updated in place in training mode, used in evaluation mode. */
  readonly runningMean?: Tensor;
  readonly runningVar?: Tensor;
  /** Running average weight of the new batch (PyTorch's convention), default 0.1. */
  readonly momentum?: number;
  readonly eps?: number;
}

function channelVec(op: string, name: string, t: Tensor | undefined, x: Tensor, fill: number): Tensor {
  const c = x.shape[1]!;
  if (t === undefined) return new Tensor(allocate(x.dtype, c).fill(fill), [c]);
  if (!(t instanceof Tensor) || t.rank !== 1 || t.shape[0] !== c || t.dtype !== x.dtype) {
    throw new Error(`${op}: ${name} must be a ${x.dtype} tensor of shape [${c}] for input ${fmtShape(x.shape)}, got ${t instanceof Tensor ? t.toString() : typeof t}`);
  }
  return t;
}

/**
 * Batch normalisation over axis 1 of [N, C, ...]. Training mode: batch mean and biased variance
 * normalise x, and the running statistics (when given) move by `momentum` towards the batch mean
 * and the unbiased batch variance (as PyTorch does). Evaluation mode: the running statistics
 * normalise x as constants (one fused primitive, batchNormEval).
 */
export function batchNorm(x: Tensor, opts: BatchNormOptions = {}, op = 'batchNorm'): Tensor {
  if (!(x instanceof Tensor) || x.rank < 2) throw new Error(`${op}: input must be a Tensor of rank >= 2 ([N, C, ...]), got ${x instanceof Tensor ? fmtShape(x.shape) : typeof x}`);
  const eps = opts.eps ?? 1e-5, momentum = opts.momentum ?? 0.1;
  if (!(eps > 0)) throw new Error(`${op}: eps must be > 0, got ${eps}`);
  if (!(momentum >= 0 && momentum <= 1)) throw new Error(`${op}: momentum must be in [0, 1], got ${momentum}`);
  const gamma = channelVec(op, 'gamma', opts.gamma, x, 1), beta = channelVec(op, 'beta', opts.beta, x, 0);
  const rm = opts.runningMean === undefined ? undefined : channelVec(op, 'runningMean', opts.runningMean, x, 0);
  const rv = opts.runningVar === undefined ? undefined : channelVec(op, 'runningVar', opts.runningVar, x, 1);
  if ((rm === undefined) !== (rv === undefined)) throw new Error(`${op}: give both runningMean and runningVar, or neither`);
  if (opts.training === false) {
    if (rm === undefined || rv === undefined) throw new Error(`${op}: evaluation mode needs runningMean and runningVar`);
    // The running statistics as they are now: later in-place updates do not reach this graph.
    const fixedMean = Float64Array.from(rm.data), fixedInvStd = Float64Array.from(rv.data, (v) => 1 / Math.sqrt(v + eps));
    return apply('batchNormEval', [x, gamma, beta], { eps, mean: fixedMean, invStd: fixedInvStd });
  }
  const { mean: mu, variance, count } = batchStats(x);
  if (count < 2) throw new Error(`${op}: training mode needs more than one value per channel, got input ${fmtShape(x.shape)}`);
  const invStd = variance.map((v) => 1 / Math.sqrt(v + eps));
  if (rm !== undefined && rv !== undefined) {
    const unbias = count / (count - 1);
    for (let c = 0; c < mu.length; c++) {
      rm.data[c] = (1 - momentum) * rm.data[c]! + momentum * mu[c]!;
      rv.data[c] = (1 - momentum) * rv.data[c]! + momentum * variance[c]! * unbias;
    }
    // In-place writes: a graph that saved these tensors sees the new version (eval mode copies them).
    rm.bumpVersion();
    rv.bumpVersion();
  }
  return apply('batchNorm', [x, gamma, beta], { eps, mean: mu, invStd });
}

/** batchNorm for NCHW feature maps (rank 4 required). */
export function batchNorm2d(x: Tensor, opts: BatchNormOptions = {}): Tensor {
  check4d('batchNorm2d', x, 'input');
  return batchNorm(x, opts, 'batchNorm2d');
}
