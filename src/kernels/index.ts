export type { Backend, BinaryKind, FloatArray, MatmulSpec, UnaryKind } from './backend.js';
export {
  registerBackend, unregisterBackend, listBackends, setBackend, currentBackend, getBackend, withBackend, backendFor, runMatmul,
  backendStats, lastBackend, resetBackendStats, registerLazyBackend, unavailableBackends, elementwiseBackend,
} from './registry.js';
export { jsBackend } from './js/index.js';
export { conv2dForward, conv2dBackward, convColumns, convGeometry, convOutSize, im2col, col2im, type ConvGeometry } from './conv.js';
