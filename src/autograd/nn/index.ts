export { Module, type StateDict, type TensorState } from './module.js';
export { Linear, MLP, Dropout, LayerNorm, activate, type Activation, type LinearOptions, type MLPOptions } from './layers.js';
export { DirectedGCNLayer, normalizeAdjacency } from './gcn.js';
