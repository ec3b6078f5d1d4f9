import type { FloatArray } from '../kernels/backend.js';

export type DType = 'float32' | 'float64';
export type { FloatArray };

/**
 * Buffers of gradients that a reverse sweep (engine.backwardImpl) consumed and proved dead: it
 * allocated them, and no gradient, result or leaf refers to them any more. The rules that run next,
 * and the next step's forward pass, need arrays of the same sizes; reusing these saves the
 * zero-filled allocation, the first touch of fresh pages and the garbage collection of large
 * arrays. Only buffers a sweep allocated are ever handed back, and dead they stay dead, so the free
 * lists may outlive the sweep; their total size is capped.
 */
const free = new Map<number, FreeList>();
/** The free buffers of one size and dtype, and when that size was last handed back or taken. */
interface FreeList { readonly arrays: FloatArray[]; used: number }
/** Advances at every take and hand-back: the free lists' clock for eviction. */
let tick = 0;
/** The buffers in the free lists: one handed back twice would serve two tensors at once. */
let inFree = new WeakSet<ArrayBufferLike>();
let freeBytes = 0;
/** Buffers the running sweep allocated (and has not handed back), by their ArrayBuffer; null outside a sweep. */
let owned: Map<ArrayBufferLike, FloatArray> | null = null;
/** Buffers allocated while a released forward runs (engine.noGradReleased); null otherwise. */
let scratch: FloatArray[] | null = null;
let reusedCount = 0;
let enabled = true;

/** Smaller arrays are cheap to allocate (V8 keeps them on its heap); not worth tracking. */
const RECYCLE_MIN_ELEMENTS = 1024;
/**
 * At most this many bytes wait in the free lists. A buffer handed back beyond it first evicts the
 * sizes least recently used (left to the GC): a search fits its predictor on a few more cells each
 * round, so the sizes of earlier rounds go stale, and refusing the current round's buffers instead
 * (as a plain cap does once stale ones fill it) would make every step allocate afresh.
 */
export const FREE_MAX_BYTES = 64 << 20;

/** Turn recycling on or off (engine.setDebug's `recycle`); off empties the free lists. */
export function setRecycling(on: boolean): void {
  enabled = on;
  if (!on) {
    free.clear();
    inFree = new WeakSet();
    freeBytes = 0;
  }
}

/** A zero-filled array of `size` elements: a recycled buffer when one of that size is free. */
export function allocate(dtype: DType, size: number): FloatArray {
  return take(dtype, size, true);
}

/**
 * allocate() for a caller that writes every element before anything reads one (an op whose loop
 * or kernel fills its whole output): a recycled buffer is handed over as it is, without the
 * zero-fill pass that the caller would overwrite at once. A fresh array is zeroed by the runtime
 * anyway. A caller that accumulates into its output (+=) or leaves elements unwritten must use
 * allocate(): it would read another tensor's old values.
 */
export function allocateUnset(dtype: DType, size: number): FloatArray {
  return take(dtype, size, false);
}

function take(dtype: DType, size: number, zero: boolean): FloatArray {
  if (size < RECYCLE_MIN_ELEMENTS || !enabled) return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
  const list = free.get(size * 2 + (dtype === 'float64' ? 1 : 0));
  const reused = list?.arrays.pop();
  let a: FloatArray;
  if (reused !== undefined) {
    list!.used = ++tick;
    reusedCount++;
    freeBytes -= reused.byteLength;
    inFree.delete(reused.buffer);
    a = zero ? reused.fill(0) : reused;
  } else a = dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
  owned?.set(a.buffer, a);
  scratch?.push(a);
  return a;
}

/** How many allocations a recycled buffer has served since the process started (tests, benches). */
export function recycledAllocations(): number {
  return reusedCount;
}

/** Start recording allocations for recycling (engine.backwardImpl; not re-entrant). */
export function startRecycling(): void {
  owned = enabled ? new Map() : null;
}

/** The sweep is over: its remaining buffers may be referenced anywhere, none is handed back. */
export function stopRecycling(): void {
  owned = null;
}

/**
 * Hand back the buffer under `data` (or a view of it) if the running sweep allocated it; the
 * caller guarantees that nothing references it any more. Returns whether it was taken.
 */
export function recycle(data: FloatArray): boolean {
  const a = owned?.get(data.buffer);
  if (a === undefined) return false;
  owned!.delete(data.buffer);
  return pushFree(a);
}

/**
 * Hand back a buffer that the caller knows to be dead although no sweep allocated it (the
 * intermediate tensors of a released graph: engine.releaseGraph). Whole buffers only.
 */
export function recycleDead(a: FloatArray): boolean {
  if (!enabled || a.length < RECYCLE_MIN_ELEMENTS || a.byteOffset !== 0 || a.byteLength !== a.buffer.byteLength) return false;
  return pushFree(a);
}

function pushFree(a: FloatArray): boolean {
  if (inFree.has(a.buffer) || a.byteLength > FREE_MAX_BYTES) return false;
  const key = a.length * 2 + (a instanceof Float64Array ? 1 : 0);
  let list = free.get(key);
  if (list === undefined) free.set(key, (list = { arrays: [], used: 0 }));
  list.used = ++tick;
  while (freeBytes + a.byteLength > FREE_MAX_BYTES) evictOldest(list);
  list.arrays.push(a);
  inFree.add(a.buffer);
  freeBytes += a.byteLength;
  return true;
}

/**
 * Drop one buffer of the least recently used size other than `current` (or, when only `current`
 * holds any, one of its own: the newest hand-back is worth more than an older one of its size).
 */
function evictOldest(current: FreeList): void {
  let oldest: FreeList = current;
  for (const [key, list] of free) {
    if (list.arrays.length === 0) {
      if (list !== current) free.delete(key);
    } else if (list !== current && (oldest === current || list.used < oldest.used)) oldest = list;
  }
  const a = oldest.arrays.shift()!;
  inFree.delete(a.buffer);
  freeBytes -= a.byteLength;
}

/** Start recording allocations for a released forward; returns the enclosing one's record. */
export function startScratch(): FloatArray[] | null {
  const outer = scratch;
  scratch = [];
  return outer;
}

/**
 * The released forward is over: every buffer it allocated goes to the free lists except those
 * under `keep` (its result; null: all, when it failed), which belong to the enclosing record, if any.
 */
export function endScratch(outer: FloatArray[] | null, keep: readonly FloatArray[] | null): void {
  const list = scratch ?? [];
  scratch = outer;
  const kept = keep === null ? null : new Set(keep.map((a) => a.buffer));
  for (const a of list) {
    if (kept !== null && !kept.has(a.buffer)) recycleDead(a);
    else outer?.push(a);
  }
}

export function dtypeOf(a: FloatArray): DType {
  return a instanceof Float64Array ? 'float64' : 'float32';
}

export function isDType(x: unknown): x is DType {
  return x === 'float32' || x === 'float64';
}
