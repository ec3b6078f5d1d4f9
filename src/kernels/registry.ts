import type { Backend, MatmulSpec } from './backend.js';
import { jsBackend } from './js/index.js';

/**
 * Backend registry. Module state lives on globalThis under a symbol so that two copies of this
 * module (e.g. a bundle plus a direct import) still share one registry.
 */
interface RegistryState {
  backends: Map<string, Backend>;
  current: string;
  /** How many matmuls each backend actually ran: the answer to "which backend did the work?". */
  counts: Map<string, number>;
}

const KEY = Symbol.for('prednas.kernels.registry');
const g = globalThis as unknown as Record<symbol, RegistryState | undefined>;
const state: RegistryState = (g[KEY] ??= {
  backends: new Map([[jsBackend.name, jsBackend]]),
  current: jsBackend.name,
  counts: new Map(),
});

export function registerBackend(backend: Backend): void {
  state.backends.set(backend.name, backend);
}

export function listBackends(): string[] {
  return [...state.backends.keys()];
}

export function setBackend(name: string): void {
  if (!state.backends.has(name)) {
    throw new Error(`setBackend: unknown backend '${name}' (registered: ${listBackends().join(', ')})`);
  }
  state.current = name;
}

export function getBackend(name: string = state.current): Backend {
  const b = state.backends.get(name);
  if (b === undefined) {
    throw new Error(`getBackend: unknown backend '${name}' (registered: ${listBackends().join(', ')})`);
  }
  return b;
}

/** Run `fn` with `name` as the current backend, restoring the previous one afterwards. */
export function withBackend<T>(name: string, fn: () => T): T {
  const prev = state.current;
  setBackend(name);
  try {
    return fn();
  } finally {
    state.current = prev;
  }
}

/** Dispatch a matmul to the current backend (falling back to 'js' for unsupported dtypes). */
export function runMatmul(spec: MatmulSpec, dtype: 'float32' | 'float64'): void {
  let b = getBackend();
  if (!b.supports(dtype)) b = jsBackend;
  b.matmul(spec);
  state.counts.set(b.name, (state.counts.get(b.name) ?? 0) + 1);
}

/** Matmul counts per backend since the last reset. */
export function backendStats(): Record<string, number> {
  return Object.fromEntries(state.counts);
}

export function resetBackendStats(): void {
  state.counts.clear();
}
