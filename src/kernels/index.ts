export type { Backend, BinaryKind, FloatArray, MatmulSpec, UnaryKind } from './backend.js';
export {
  registerBackend, unregisterBackend, listBackends, setBackend, currentBackend, getBackend, withBackend, backendFor, runMatmul,
  backendStats, lastBackend, resetBackendStats, registerLazyBackend, unavailableBackends, elementwiseBackend,
} from './registry.js';
export { jsBackend } from './js/index.js';
