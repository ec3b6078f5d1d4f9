export type { Backend, FloatArray, MatmulSpec } from './backend.js';
export {
  registerBackend, listBackends, setBackend, getBackend, withBackend, runMatmul, backendStats,
  resetBackendStats,
} from './registry.js';
export { jsBackend } from './js/index.js';
