/**
 * The primitive ops and their attributes. Everything differentiable in prednas is built from
 * these; `vjp.ts` must give each one a backward rule (a mapped type makes a missing rule a
 * compile error), and `forward.ts` an implementation.
 */
import type { BatchNormAttrs } from './batchnorm.js';
import type { FloatArray } from './dtype.js';
import type { PoolAttrs } from './pool.js';

export interface OpAttrs {
  add: Record<string, never>;
  sub: Record<string, never>;
  mul: Record<string, never>;
  div: Record<string, never>;
  maximum: Record<string, never>;
  minimum: Record<string, never>;
  neg: Record<string, never>;
  exp: Record<string, never>;
  log: Record<string, never>;
  sqrt: Record<string, never>;
  abs: Record<string, never>;
  relu: Record<string, never>;
  sigmoid: Record<string, never>;
  tanh: Record<string, never>;
  /** x·sigmoid(x) (fused.ts); `s` is sigmoid(x), stored in x's dtype; `y` the output when a kernel computed it with s. */
  silu: { readonly s: FloatArray; readonly y: FloatArray | null };
  /** log(1 + exp(x)), overflow-free, slope ½ at 0 (fused.ts); `e` is exp(−|x|), stored. */
  softplus: { readonly e: FloatArray };
  /**
   * x ⊙ mask for a constant mask of x's shape and dtype (dropout's product). The mask is the op's
   * own attribute, never differentiated: a released training step hands it back with the graph,
   * where a mask passed as an input tensor stayed allocated as any captured constant does.
   */
  maskMul: { readonly mask: FloatArray };
  /** x ** exponent for a constant scalar exponent. */
  pow: { readonly exponent: number };
  /** inputs [mask, a, b]: mask ≠ 0 selects a. The mask gets no gradient. */
  where: Record<string, never>;
  sum: { readonly axes: readonly number[]; readonly keepdims: boolean };
  max: { readonly axes: readonly number[]; readonly keepdims: boolean };
  reshape: { readonly shape: readonly number[] };
  permute: { readonly perm: readonly number[] };
  broadcast: { readonly shape: readonly number[] };
  slice: { readonly begin: readonly number[]; readonly end: readonly number[] };
  concat: { readonly axis: number };
  gather: { readonly indices: Int32Array; readonly axis: number };
  /**
   * x[i[q]] − x[j[q]] for a vector x (the ranking loss's pair margins): two gathers and their
   * difference as one pass, and one scatter each way back, with the same roundings.
   */
  pairDiff: { readonly i: Int32Array; readonly j: Int32Array };
  /** Batched matmul with NumPy batch broadcasting; transpose flags swap the last two dims. */
  matmul: { readonly transA: boolean; readonly transB: boolean };
  /** 2-D convolution, inputs [x NCHW, w OIHW]; pairs are (height, width). No bias (add it). */
  conv2d: { readonly stride: readonly [number, number]; readonly padding: readonly [number, number]; readonly dilation: readonly [number, number]; readonly groups: number };
  maxPool2d: PoolAttrs;
  /** Divides by the whole window, padded taps included (PyTorch's count_include_pad=True). */
  avgPool2d: PoolAttrs;
  /** Training-mode batch norm over axis 1, inputs [x, gamma, beta]; the batch statistics ride along. */
  batchNorm: BatchNormAttrs;
  batchNormEval: BatchNormAttrs;
}

export type OpName = keyof OpAttrs;

export const NO_ATTRS: Record<string, never> = Object.freeze({}) as Record<string, never>;
