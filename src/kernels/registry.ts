import type { Backend, MatmulSpec } from './backend.js';
import { jsBackend } from './js/index.js';

/**
 * Backend registry. Module state lives on globalThis under a symbol so that two copies of this
 * module (e.g. a bundle plus a direct import) still share one registry.
 */
interface RegistryState {
  backends: Map<string, Backend>;
  /** A registered backend's name, or 'auto'. */
  current: string;
  /** How many matmuls each backend actually ran: the answer to "which backend did the work?". */
  counts: Map<string, number>;
  /** Backend that ran the most recent matmul. */
  last: string | null;
}

const KEY = Symbol.for('prednas.kernels.registry');
const g = globalThis as unknown as Record<symbol, RegistryState | undefined>;
const state: RegistryState = (g[KEY] ??= {
  backends: new Map([[jsBackend.name, jsBackend]]),
  current: jsBackend.name,
  counts: new Map(),
  last: null,
});

/** Optional backends that must be loaded (asynchronously) before they can be selected. */
const LOADERS: Record<string, string> = {
  gpujs: "load it first with `await loadGpuJs()` from src/kernels/gpujs (needs the optional dependency 'gpu.js')",
};

export function registerBackend(backend: Backend): void {
  if (backend.name === 'auto') throw new Error(`registerBackend: 'auto' is reserved for size-based routing`);
  state.backends.set(backend.name, backend);
}

/** Remove a backend (e.g. after destroying it); the selection falls back to 'js' if it was current. */
export function unregisterBackend(name: string): void {
  if (name === jsBackend.name) throw new Error(`unregisterBackend: cannot unregister 'js', the always-available default`);
  state.backends.delete(name);
  if (state.current === name) state.current = jsBackend.name;
}

export function listBackends(): string[] {
  return [...state.backends.keys()];
}

function unknown(fn: string, name: string): Error {
  const hint = LOADERS[name];
  const known = `registered: ${listBackends().join(', ')}, or 'auto'`;
  return new Error(hint === undefined
    ? `${fn}: unknown backend '${name}' (${known})`
    : `${fn}: backend '${name}' is not loaded: ${hint} (${known})`);
}

/** Select the backend for subsequent matmuls: a registered name, or 'auto' (route by size). */
export function setBackend(name: string): void {
  if (name !== 'auto' && !state.backends.has(name)) throw unknown('setBackend', name);
  state.current = name;
}

/** The current selection: a registered backend name or 'auto'. */
export function currentBackend(): string {
  return state.current;
}

export function getBackend(name: string = state.current): Backend {
  if (name === 'auto') throw new Error(`getBackend: 'auto' is a routing policy, not a backend; use backendFor(spec, dtype)`);
  const b = state.backends.get(name);
  if (b === undefined) throw unknown('getBackend', name);
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

/**
 * The backend that will run `spec` under the selection `choice` (default: the current one).
 * 'auto' takes the non-js backend with the lowest measured crossover that this product reaches,
 * else 'js'. A backend that does not support the dtype is replaced by 'js' (gpu.js is Float32 only).
 */
export function backendFor(spec: MatmulSpec, dtype: 'float32' | 'float64', choice: string = state.current): Backend {
  if (choice !== 'auto') {
    const b = getBackend(choice);
    return b.supports(dtype) ? b : jsBackend;
  }
  const flops = 2 * spec.batch * spec.m * spec.n * spec.k;
  let best: Backend = jsBackend;
  let bestMin = Infinity;
  for (const b of state.backends.values()) {
    const min = b.autoMinFlops ?? Infinity;
    if (b !== jsBackend && min <= flops && min < bestMin && b.supports(dtype)) {
      best = b;
      bestMin = min;
    }
  }
  return best;
}

/**
 * Dispatch a matmul to the current backend, or to `backend` for this call only (a registered
 * name or 'auto'). Falls back to 'js' for dtypes the chosen backend does not support; the
 * backend that really ran is counted in `backendStats()` and reported by `lastBackend()`.
 */
export function runMatmul(spec: MatmulSpec, dtype: 'float32' | 'float64', backend?: string): void {
  const b = backendFor(spec, dtype, backend ?? state.current);
  b.matmul(spec);
  state.counts.set(b.name, (state.counts.get(b.name) ?? 0) + 1);
  state.last = b.name;
}

/** Matmul counts per backend since the last reset. */
export function backendStats(): Record<string, number> {
  return Object.fromEntries(state.counts);
}

/** Name of the backend that ran the most recent matmul (null before the first, or after a reset). */
export function lastBackend(): string | null {
  return state.last;
}

export function resetBackendStats(): void {
  state.counts.clear();
  state.last = null;
}
