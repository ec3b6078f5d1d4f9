import type { Backend, MatmulSpec } from './backend.js';
import { jsBackend } from './js/index.js';
import { createWasmBackend } from './wasm/index.js';

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
  /** Backends built on first use (selection, lookup or the first 'auto' decision). */
  lazy: Map<string, () => Backend>;
  /** Backends whose build failed, with the reason; never retried. */
  unavailable: Map<string, string>;
}

const KEY = Symbol.for('prednas.kernels.registry');
const g = globalThis as unknown as Record<symbol, RegistryState | undefined>;
const state: RegistryState = (g[KEY] ??= {
  backends: new Map([[jsBackend.name, jsBackend]]),
  current: jsBackend.name,
  counts: new Map(),
  last: null,
  lazy: new Map(),
  unavailable: new Map(),
});
// A registry created by an older copy of this module lacks the lazy fields.
state.lazy ??= new Map();
state.unavailable ??= new Map();
// WebAssembly SIMD: built on first use, so a runtime that forbids WebAssembly (strict CSP) only
// loses this backend, with the reason in unavailableBackends().
if (!state.backends.has('wasm') && !state.unavailable.has('wasm')) state.lazy.set('wasm', () => createWasmBackend());

/** Optional backends that must be loaded (asynchronously) before they can be selected. */
const LOADERS: Record<string, string> = {
  gpujs: "load it first with `await loadGpuJs()` from src/kernels/gpujs (needs the optional peer dependency 'gpu.js': `npm install gpu.js@^2.24.1`)",
};

export function registerBackend(backend: Backend): void {
  if (backend.name === 'auto') throw new Error(`registerBackend: 'auto' is reserved for size-based routing`);
  state.backends.set(backend.name, backend);
  state.lazy.delete(backend.name);
  state.unavailable.delete(backend.name);
}

/**
 * Register a backend that is built on first use. `build` throws (with a reason) where the backend
 * cannot run; the registry then records the reason (`unavailableBackends()`), 'auto' ignores the
 * backend and selecting it explicitly throws that reason. Replaces any backend of that name.
 */
export function registerLazyBackend(name: string, build: () => Backend): void {
  if (name === 'auto' || name === jsBackend.name) throw new Error(`registerLazyBackend: '${name}' is reserved`);
  state.backends.delete(name);
  state.unavailable.delete(name);
  state.lazy.set(name, build);
}

/** Build a lazy backend now; false (reason recorded) if it cannot run here. */
function resolve(name: string): boolean {
  if (state.backends.has(name)) return true;
  const build = state.lazy.get(name);
  if (build === undefined) return false;
  state.lazy.delete(name);
  try {
    const b = build();
    if (b.name !== name) throw new Error(`lazy backend '${name}' built a backend named '${b.name}'`);
    state.backends.set(name, b);
    return true;
  } catch (e) {
    state.unavailable.set(name, (e as Error).message);
    return false;
  }
}

/** Backends that could not be loaded here, with the reason (e.g. WebAssembly refused by a CSP). */
export function unavailableBackends(): Record<string, string> {
  return Object.fromEntries(state.unavailable);
}

/** Remove a backend (e.g. after destroying it); the selection falls back to 'js' if it was current. */
export function unregisterBackend(name: string): void {
  if (name === jsBackend.name) throw new Error(`unregisterBackend: cannot unregister 'js', the always-available default`);
  state.backends.delete(name);
  state.lazy.delete(name);
  if (state.current === name) state.current = jsBackend.name;
}

/** Registered backends, including those built on first use that have not failed (yet). */
export function listBackends(): string[] {
  return [...state.backends.keys(), ...state.lazy.keys()];
}

function unknown(fn: string, name: string): Error {
  const why = state.unavailable.get(name);
  if (why !== undefined) return new Error(`${fn}: backend '${name}' is unavailable here: ${why}`);
  const hint = LOADERS[name];
  const known = `registered: ${listBackends().join(', ')}, or 'auto'`;
  return new Error(hint === undefined
    ? `${fn}: unknown backend '${name}' (${known})`
    : `${fn}: backend '${name}' is not loaded: ${hint} (${known})`);
}

/** Select the backend for subsequent matmuls: a registered name, or 'auto' (route by size). */
export function setBackend(name: string): void {
  if (name !== 'auto' && !resolve(name)) throw unknown('setBackend', name);
  state.current = name;
}

/** The current selection: a registered backend name or 'auto'. */
export function currentBackend(): string {
  return state.current;
}

export function getBackend(name: string = state.current): Backend {
  if (name === 'auto') throw new Error(`getBackend: 'auto' is a routing policy, not a backend; use backendFor(spec, dtype)`);
  const b = resolve(name) ? state.backends.get(name) : undefined;
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
 * 'auto' takes the non-js backend with the highest measured crossover that this product reaches,
 * else 'js': each crossover is measured against what `auto` used below it (wasm against js from
 * 1,024 flops; a calibrated gpu.js against wasm), so the highest one reached names the fastest.
 * A backend that does not support the dtype is replaced by 'js' (gpu.js is Float32 only).
 */
export function backendFor(spec: MatmulSpec, dtype: 'float32' | 'float64', choice: string = state.current): Backend {
  if (choice !== 'auto') {
    const b = getBackend(choice);
    return b.supports(dtype) ? b : jsBackend;
  }
  if (state.lazy.size > 0) for (const name of [...state.lazy.keys()]) resolve(name);
  const flops = 2 * spec.batch * spec.m * spec.n * spec.k;
  let best: Backend = jsBackend;
  let bestMin = -Infinity;
  for (const b of state.backends.values()) {
    const min = b.autoMinFlops ?? Infinity;
    if (b !== jsBackend && min <= flops && min > bestMin && b.supports(dtype)) {
      best = b;
      bestMin = min;
    }
  }
  return best;
}

/**
 * The backend that runs an elementwise op of `size` Float32 elements under the selection
 * `choice`, or null when the engine's own loops should (the selection has no elementwise kernels,
 * or `size` is below its autoMinElements). 'auto' takes the lowest autoMinElements reached.
 */
export function elementwiseBackend(size: number, choice: string = state.current): Backend | null {
  if (choice !== 'auto') {
    const b = choice === jsBackend.name ? undefined : getBackend(choice);
    return b?.unary !== undefined && size >= (b.autoMinElements ?? Infinity) ? b : null;
  }
  if (state.lazy.size > 0) for (const name of [...state.lazy.keys()]) resolve(name);
  let best: Backend | null = null;
  for (const b of state.backends.values()) {
    const min = b.autoMinElements ?? Infinity;
    if (b.unary !== undefined && min <= size && min < (best?.autoMinElements ?? Infinity)) best = b;
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

/**
 * Count `products` matmuls that `name` ran inside a larger kernel (a whole convolution), so that
 * backendStats() and lastBackend() still answer which backend did the work.
 */
export function noteRun(name: string, products: number): void {
  if (products <= 0) return;
  state.counts.set(name, (state.counts.get(name) ?? 0) + products);
  state.last = name;
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
