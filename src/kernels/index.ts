export type { Backend, FloatArray, MatmulSpec } from './backend.js';
export {
  registerBackend, unregisterBackend, listBackends, setBackend, currentBackend, getBackend, withBackend, backendFor, runMatmul,
  backendStats, lastBackend, resetBackendStats, registerLazyBackend, unavailableBackends,
} from './registry.js';
export { jsBackend } from './js/index.js';
