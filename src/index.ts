/** prednas: sample-efficient NAS by predictor gradient ascent. Core entry point (no Node built-ins). */
export * from './autograd/index.js';
export * as kernels from './kernels/index.js';
export { setBackend, getBackend, withBackend, registerBackend, listBackends, backendStats } from './kernels/index.js';
export * as nas from './nas/index.js';
