/**
 * Composite ops, built only from primitives so that their gradients come for free and need no
 * rules of their own. Constants are created in the input's dtype so that Float64 checks stay
 * Float64 end to end.
 */
import type { Rng } from './random.js';
import * as op from './ops.js';
import { allocate, allocateUnset } from './dtype.js';
import { dropoutMask } from './dropout-mask.js';
import { fmtShape } from './shape.js';
import { Tensor } from './tensor.js';

/** softmax along `axis`; the shift by the (detached) max keeps exp from overflowing. */
export function softmax(x: Tensor, axis = -1): Tensor {
  const m = op.max(x.detach(), axis, true);
  const e = op.exp(op.sub(x, m));
  return op.div(e, op.sum(e, axis, true));
}

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const s = op.sub(x, op.max(x.detach(), axis, true));
  return op.sub(s, op.log(op.sum(op.exp(s), axis, true)));
}

/**
 * softplus, log(1 + exp(x)) = max(x, 0) + log(1 + exp(−|x|)) with slope ½ at 0 (tied ranking
 * scores keep a gradient), and silu, x·sigmoid(x): primitives now (fused.ts), computing bit for
 * bit what their compositions of primitives did, in one pass each way.
 */
export const softplus = (x: Tensor): Tensor => op.softplus(x);
export const silu = (x: Tensor): Tensor => op.silu(x);

/** GELU, tanh approximation (Hendrycks & Gimpel 2016). */
export function gelu(x: Tensor): Tensor {
  const inner = op.mul(op.add(x, op.mul(op.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return op.mul(op.mul(x, 0.5), op.add(op.tanh(inner), 1));
}

/** Normalise over the last axis, then scale and shift (gamma, beta of shape [last dim]). */
export function layerNorm(x: Tensor, gamma?: Tensor, beta?: Tensor, eps = 1e-5): Tensor {
  const mu = op.mean(x, -1, true);
  const xc = op.sub(x, mu);
  const variance = op.mean(op.mul(xc, xc), -1, true);
  let y = op.div(xc, op.sqrt(op.add(variance, eps)));
  if (gamma !== undefined) y = op.mul(y, gamma);
  if (beta !== undefined) y = op.add(y, beta);
  return y;
}

/**
 * Inverted dropout: zero each element with probability p, scale survivors by 1/(1-p). With one
 * rng per slice along the leading axis (`rng` an array of x.shape[0] streams), slice i draws from
 * rng[i] exactly what a separate dropout on that slice would: stacked ensemble members keep their
 * own streams.
 */
export function dropout(x: Tensor, p: number, rng: Rng | readonly Rng[], training = true): Tensor {
  if (!(p >= 0 && p < 1)) throw new Error(`dropout: p must be in [0, 1), got ${p}`);
  if (!training || p === 0) return x;
  const rngs: readonly Rng[] = Array.isArray(rng) ? rng : [rng as Rng];
  if (Array.isArray(rng) && (x.rank === 0 || x.shape[0] !== rngs.length)) {
    throw new Error(`dropout: ${rngs.length} rngs for the leading axis of ${fmtShape(x.shape)}`);
  }
  const mask = allocateUnset(x.dtype, x.size); // dropoutMask writes every element
  dropoutMask(mask, p, rngs);
  return op.maskMul(x, mask);
}

export function mseLoss(pred: Tensor, target: Tensor): Tensor {
  if (pred.size !== target.size) throw new Error(`mseLoss: pred ${fmtShape(pred.shape)} and target ${fmtShape(target.shape)} differ in size`);
  const d = op.sub(pred, op.reshape(target, pred.shape));
  return op.mean(op.mul(d, d));
}

/**
 * Pairwise logistic ranking loss: mean over pairs (i, j) with target_i > target_j of
 * log(1 + exp(-(s_i - s_j))). Ascent needs the predictor's ranking more than its calibration.
 * `maxPairs` subsamples pairs with `rng` when there are more (all pairs otherwise).
 */
export function pairwiseRankingLoss(scores: Tensor, targets: ArrayLike<number>, opts: { maxPairs?: number; rng?: Rng } = {}): Tensor {
  const s = op.reshape(scores, [-1]);
  const n = s.size;
  if (targets.length !== n) throw new Error(`pairwiseRankingLoss: ${n} scores but ${targets.length} targets`);
  let I: number[] = [], J: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (targets[i]! > targets[j]!) { I.push(i); J.push(j); }
  if (I.length === 0) throw new Error('pairwiseRankingLoss: no ordered pairs (all targets equal or fewer than 2 scores)');
  const cap = opts.maxPairs;
  if (cap !== undefined && I.length > cap) {
    if (opts.rng === undefined) throw new Error('pairwiseRankingLoss: maxPairs needs an rng to subsample pairs');
    const pick = opts.rng.shuffle(Array.from({ length: I.length }, (_, k) => k)).slice(0, cap);
    I = pick.map((k) => I[k]!);
    J = pick.map((k) => J[k]!);
  }
  // −(s_i − s_j) as s_j − s_i, one op: equal but for the sign of a zero, which neither softplus
  // nor its gradient sees (test/autograd-pairdiff.test.ts holds it to the gather/sub/neg form).
  return op.mean(softplus(op.pairDiff(s, J, I)));
}

/** Mean cross-entropy of logits [N, C] against integer class labels. */
export function crossEntropy(logits: Tensor, labels: ArrayLike<number>): Tensor {
  if (logits.rank !== 2) throw new Error(`crossEntropy: logits must be [N, C], got ${fmtShape(logits.shape)}`);
  const [n, c] = logits.shape as [number, number];
  if (labels.length !== n) throw new Error(`crossEntropy: ${n} rows of logits but ${labels.length} labels`);
  const onehot = allocate(logits.dtype, n * c);
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    if (!Number.isInteger(y) || y < 0 || y >= c) throw new Error(`crossEntropy: label ${y} at row ${i} is not a class in [0, ${c})`);
    onehot[i * c + y] = 1;
  }
  const picked = op.sum(op.mul(logSoftmax(logits, -1), new Tensor(onehot, [n, c])), -1);
  return op.neg(op.mean(picked));
}
