export { Tensor, type TensorLike } from './tensor.js';
export type { DType, FloatArray } from './dtype.js';
export type { Shape } from './shape.js';
export { Rng } from './random.js';
export { tensor, zeros, ones, full, arange, randn, rand, type CreateOptions } from './creation.js';
export {
  add, sub, mul, div, maximum, minimum, neg, exp, log, sqrt, abs, relu, sigmoid, tanh, pow, where,
  sum, mean, max, reshape, permute, transpose, broadcastTo, slice, concat, gather, pairDiff, matmul,
} from './ops.js';
export {
  conv2d, maxPool2d, avgPool2d, globalAvgPool2d, batchNorm, batchNorm2d,
  type Pair, type Conv2dOptions, type Pool2dOptions, type BatchNormOptions,
} from './conv-ops.js';
export { softmax, logSoftmax, softplus, silu, gelu, layerNorm, dropout, mseLoss, pairwiseRankingLoss, crossEntropy } from './composites.js';
export { noGrad, isGradEnabled, valueAndGrad, grad, setDebug, type ValueAndGrad, type ValueAndGradOptions, type DebugOptions } from './engine.js';
export { vjp, type VjpRule } from './vjp.js';
export type { OpName, OpAttrs } from './op-types.js';
export { checkGrads, allclose, GRAD_TOLERANCE, type CheckGradsOptions, type CheckGradsReport } from './check-grads.js';
export * as nn from './nn/index.js';
export { Module, Linear, MLP, Dropout, LayerNorm, DirectedGCNLayer, normalizeAdjacency, type StateDict } from './nn/index.js';
export { Conv2d, BatchNorm2d, MaxPool2d, AvgPool2d, GlobalAvgPool2d } from './nn/index.js';
export { Optimizer, SGD, Adam, AdamW, cosineSchedule } from './optim/index.js';
