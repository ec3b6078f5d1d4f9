export { Module, type StateDict, type TensorState } from './module.js';
export { Linear, MLP, Dropout, LayerNorm, activate, type Activation, type LinearOptions, type MLPOptions } from './layers.js';
export { DirectedGCNLayer, normalizeAdjacency } from './gcn.js';
export { Conv2d, MaxPool2d, AvgPool2d, GlobalAvgPool2d, type Conv2dLayerOptions } from './conv.js';
export { BatchNorm2d, type BatchNormLayerOptions } from './batchnorm.js';
