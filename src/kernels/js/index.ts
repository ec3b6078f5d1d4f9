import type { Backend } from '../backend.js';
import { matmulJs } from './matmul.js';

/** The default pure-TypeScript CPU backend: exact, deterministic, available everywhere. */
export const jsBackend: Backend = {
  name: 'js',
  exact: true,
  supports: () => true,
  matmul: matmulJs,
};
