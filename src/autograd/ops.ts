/**
 * The user-facing primitive ops: validate arguments (with messages that name the op, the shapes
 * and what was expected), then hand over to the engine, which runs the forward table and records
 * the node. Plain numbers are promoted to scalar tensors of the other operand's dtype.
 */
import { allocate, type FloatArray } from './dtype.js';
import { apply } from './engine.js';
import { siluSaved, softplusSaved } from './fused.js';
import { NO_ATTRS } from './op-types.js';
import { broadcastShapes, checkShape, fmtShape, normAxes, normAxis, sameShape, sizeOf, type Shape } from './shape.js';
import { Tensor, type TensorLike } from './tensor.js';

function scalarLike(v: number, like: Tensor): Tensor {
  const d = allocate(like.dtype, 1);
  d[0] = v;
  return new Tensor(d, []);
}

function asPair(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  if (typeof a === 'number' && typeof b === 'number') throw new Error(`${op}: at least one operand must be a Tensor`);
  const ta = typeof a === 'number' ? scalarLike(a, b as Tensor) : a;
  const tb = typeof b === 'number' ? scalarLike(b, ta) : b;
  if (!(ta instanceof Tensor) || !(tb instanceof Tensor)) throw new Error(`${op}: operands must be Tensors or numbers`);
  if (ta.dtype !== tb.dtype) throw new Error(`${op}: dtype mismatch, ${ta.toString()} vs ${tb.toString()} (cast one with .clone(dtype))`);
  broadcastShapes(ta.shape, tb.shape, op);
  return [ta, tb];
}

function checkTensor(op: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new Error(`${op}: expected a Tensor, got ${typeof x}`);
}

export const add = (a: TensorLike, b: TensorLike): Tensor => apply('add', asPair('add', a, b), NO_ATTRS);
export const sub = (a: TensorLike, b: TensorLike): Tensor => apply('sub', asPair('sub', a, b), NO_ATTRS);
export const mul = (a: TensorLike, b: TensorLike): Tensor => apply('mul', asPair('mul', a, b), NO_ATTRS);
export const div = (a: TensorLike, b: TensorLike): Tensor => apply('div', asPair('div', a, b), NO_ATTRS);
export const maximum = (a: TensorLike, b: TensorLike): Tensor => apply('maximum', asPair('maximum', a, b), NO_ATTRS);
export const minimum = (a: TensorLike, b: TensorLike): Tensor => apply('minimum', asPair('minimum', a, b), NO_ATTRS);

const unaryOp = (op: 'neg' | 'exp' | 'log' | 'sqrt' | 'abs' | 'relu' | 'sigmoid' | 'tanh') => (x: Tensor): Tensor => {
  checkTensor(op, x);
  return apply(op, [x], NO_ATTRS);
};
export const neg = unaryOp('neg');
export const exp = unaryOp('exp');
export const log = unaryOp('log');
export const sqrt = unaryOp('sqrt');
export const abs = unaryOp('abs');
export const relu = unaryOp('relu');
export const sigmoid = unaryOp('sigmoid');
export const tanh = unaryOp('tanh');
/** x·sigmoid(x) (fused.ts; re-exported by composites.ts). */
export function silu(x: Tensor): Tensor {
  checkTensor('silu', x);
  return apply('silu', [x], siluSaved(x));
}

/** log(1 + exp(x)) (fused.ts; re-exported by composites.ts). */
export function softplus(x: Tensor): Tensor {
  checkTensor('softplus', x);
  return apply('softplus', [x], { e: softplusSaved(x) });
}

/**
 * x ⊙ mask, the mask (x's size and dtype) a constant that gets no gradient: dropout's product.
 * The op takes the mask over: a released training step (engine.releaseGraph) hands it back to the
 * free lists with the graph, so the caller must not read or write it afterwards. That is why it
 * is the engine's own (composites.ts's dropout) and not exported with the public ops.
 */
export function maskMul(x: Tensor, mask: FloatArray): Tensor {
  checkTensor('maskMul', x);
  const want = x.dtype === 'float64' ? Float64Array : Float32Array;
  if (!(mask instanceof want) || mask.length !== x.size) {
    const got = mask instanceof Float32Array || mask instanceof Float64Array ? `${mask.constructor.name}(${mask.length})` : String(mask);
    throw new Error(`maskMul: mask must be a ${want.name} of ${x.size} elements (x ${x.toString()}), got ${got}`);
  }
  return apply('maskMul', [x], { mask });
}

export function pow(x: Tensor, exponent: number): Tensor {
  checkTensor('pow', x);
  if (typeof exponent !== 'number' || !Number.isFinite(exponent)) throw new Error(`pow: exponent must be a finite number, got ${String(exponent)}`);
  return apply('pow', [x], { exponent });
}

/** Elementwise select: mask ≠ 0 → a, else b (all three broadcast). The mask is never differentiated. */
export function where(mask: Tensor, a: TensorLike, b: TensorLike): Tensor {
  checkTensor('where', mask);
  const [ta, tb] = asPair('where', a, b);
  broadcastShapes(broadcastShapes(mask.shape, ta.shape, 'where'), tb.shape, 'where');
  return apply('where', [mask, ta, tb], NO_ATTRS);
}

export function sum(x: Tensor, axes?: number | readonly number[], keepdims = false): Tensor {
  checkTensor('sum', x);
  return apply('sum', [x], { axes: normAxes(axes, x.rank, 'sum'), keepdims });
}

export function max(x: Tensor, axes?: number | readonly number[], keepdims = false): Tensor {
  checkTensor('max', x);
  const ax = normAxes(axes, x.rank, 'max');
  for (const a of ax) if (x.shape[a] === 0) throw new Error(`max: cannot reduce over empty axis ${a} of ${fmtShape(x.shape)}`);
  return apply('max', [x], { axes: ax, keepdims });
}

/** Mean over axes, derived from sum so that its gradient comes for free. */
export function mean(x: Tensor, axes?: number | readonly number[], keepdims = false): Tensor {
  checkTensor('mean', x);
  const ax = normAxes(axes, x.rank, 'mean');
  const count = ax.reduce((n, a) => n * x.shape[a]!, 1);
  return mul(sum(x, ax, keepdims), 1 / count);
}

export function reshape(x: Tensor, shape: Shape): Tensor {
  checkTensor('reshape', x);
  const s = [...shape];
  const infer = s.indexOf(-1);
  if (infer >= 0) {
    if (s.indexOf(-1, infer + 1) >= 0) throw new Error(`reshape: at most one -1 allowed in ${fmtShape(shape)}`);
    const rest = sizeOf(s.filter((_, i) => i !== infer));
    if (rest === 0 || x.size % rest !== 0) throw new Error(`reshape: cannot infer -1 to reshape ${fmtShape(x.shape)} into ${fmtShape(shape)}`);
    s[infer] = x.size / rest;
  }
  checkShape(s, 'reshape');
  if (sizeOf(s) !== x.size) throw new Error(`reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)}`);
  return apply('reshape', [x], { shape: s });
}

export function permute(x: Tensor, perm: readonly number[]): Tensor {
  checkTensor('permute', x);
  const p = perm.map((a) => normAxis(a, x.rank, 'permute'));
  if (p.length !== x.rank || new Set(p).size !== p.length) {
    throw new Error(`permute: [${perm.join(',')}] is not a permutation of the ${x.rank} axes of ${fmtShape(x.shape)}`);
  }
  return apply('permute', [x], { perm: p });
}

export function transpose(x: Tensor, a0 = -2, a1 = -1): Tensor {
  checkTensor('transpose', x);
  if (x.rank < 2) throw new Error(`transpose: needs rank >= 2, got ${fmtShape(x.shape)}`);
  const p = Array.from({ length: x.rank }, (_, i) => i);
  const i0 = normAxis(a0, x.rank, 'transpose'), i1 = normAxis(a1, x.rank, 'transpose');
  p[i0] = i1;
  p[i1] = i0;
  return permute(x, p);
}

export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  checkTensor('broadcastTo', x);
  checkShape(shape, 'broadcastTo');
  const b = broadcastShapes(x.shape, shape, 'broadcastTo');
  if (!sameShape(b, shape)) throw new Error(`broadcastTo: ${fmtShape(x.shape)} cannot be broadcast to ${fmtShape(shape)}`);
  if (sameShape(x.shape, shape)) return x;
  return apply('broadcast', [x], { shape: [...shape] });
}

/** x[begin[0]:end[0], ...]; missing trailing axes are taken whole; negative bounds count from the end. */
export function slice(x: Tensor, begin: readonly number[], end: readonly number[]): Tensor {
  checkTensor('slice', x);
  if (begin.length > x.rank || end.length !== begin.length) {
    throw new Error(`slice: begin [${begin.join(',')}] and end [${end.join(',')}] must have equal length <= rank ${x.rank}`);
  }
  const b: number[] = [], e: number[] = [];
  for (let i = 0; i < x.rank; i++) {
    const d = x.shape[i]!;
    let lo = begin[i] ?? 0, hi = end[i] ?? d;
    if (lo < 0) lo += d;
    if (hi < 0) hi += d;
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 0 || hi > d || lo > hi) {
      throw new Error(`slice: bounds [${begin[i]}, ${end[i]}) out of range for axis ${i} of size ${d} in ${fmtShape(x.shape)}`);
    }
    b.push(lo);
    e.push(hi);
  }
  return apply('slice', [x], { begin: b, end: e });
}

export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new Error('concat: needs at least one tensor');
  xs.forEach((t) => checkTensor('concat', t));
  const first = xs[0]!;
  const ax = normAxis(axis, first.rank, 'concat');
  for (const t of xs) {
    if (t.dtype !== first.dtype) throw new Error(`concat: dtype mismatch, ${first.toString()} vs ${t.toString()}`);
    if (t.rank !== first.rank || t.shape.some((d, i) => i !== ax && d !== first.shape[i])) {
      throw new Error(`concat: shapes ${xs.map((q) => fmtShape(q.shape)).join(', ')} differ outside axis ${ax}`);
    }
  }
  if (xs.length === 1) return first;
  return apply('concat', xs, { axis: ax });
}

/**
 * An op's own copy of integer indices in [0, n) (the caller may refill its array, as a training
 * loop does every step); `bad(q)` throws for the first position out of range. An Int32Array's
 * elements are integers already, so only their range needs checking; any other array goes through
 * Int32 conversion, which alters a fractional, huge or non-number index: comparing with the
 * original catches it.
 */
function ownIndices(indices: ArrayLike<number>, n: number, bad: (q: number) => never): Int32Array {
  const exact = indices instanceof Int32Array;
  const idx = exact ? indices.slice() : Int32Array.from(indices);
  for (let q = 0; q < idx.length; q++) {
    const v = idx[q]!;
    if (v < 0 || v >= n || (!exact && v !== indices[q])) bad(q);
  }
  return idx;
}

/** Rows (or slices along `axis`) of x picked by integer indices; repeated indices are allowed. */
export function gather(x: Tensor, indices: ArrayLike<number>, axis = 0): Tensor {
  checkTensor('gather', x);
  const ax = normAxis(axis, x.rank, 'gather');
  const n = x.shape[ax]!;
  const idx = ownIndices(indices, n, (q) => {
    throw new Error(`gather: index ${indices[q]} at position ${q} is out of range [0, ${n}) for axis ${ax} of ${fmtShape(x.shape)}`);
  });
  return apply('gather', [x], { indices: idx, axis: ax });
}

/**
 * x[i[q]] − x[j[q]] for each position q of two index arrays of one length, x a vector: what
 * sub(gather(x, i), gather(x, j)) computes, bit for bit and gradient included, in one op. Indices
 * are copied (and range-checked) as gather's are.
 */
export function pairDiff(x: Tensor, i: ArrayLike<number>, j: ArrayLike<number>): Tensor {
  checkPairs(x, i, j);
  const own = (idx: ArrayLike<number>, which: string): Int32Array => ownIndices(idx, x.size, (q) => {
    throw new Error(`pairDiff: ${which}[${q}] = ${idx[q]} is out of range [0, ${x.size}) for ${x.toString()}`);
  });
  return apply('pairDiff', [x], { i: own(i, 'i'), j: own(j, 'j') });
}

function checkPairs(x: Tensor, i: ArrayLike<number>, j: ArrayLike<number>): void {
  checkTensor('pairDiff', x);
  if (x.rank !== 1) throw new Error(`pairDiff: x must be a vector, got ${x.toString()}`);
  if (i.length !== j.length) throw new Error(`pairDiff: i has ${i.length} indices but j has ${j.length}`);
}

/**
 * pairDiff for the engine's own callers (the predictor's ranking losses), whose index arrays are in
 * range by construction: used as they are, neither copied nor range-checked. The caller must not
 * refill them before the op's backward has run. Not in the public index: an index out of range,
 * or arrays refilled too early, would corrupt results silently.
 */
export function pairDiffOwned(x: Tensor, i: Int32Array, j: Int32Array): Tensor {
  checkPairs(x, i, j);
  return apply('pairDiff', [x], { i, j });
}

/** Matrix product of the last two dims, batch dims broadcast (NumPy matmul for rank >= 2). */
export function matmul(a: Tensor, b: Tensor, opts: { transA?: boolean; transB?: boolean } = {}): Tensor {
  checkTensor('matmul', a);
  checkTensor('matmul', b);
  const transA = opts.transA ?? false, transB = opts.transB ?? false;
  if (a.rank < 2 || b.rank < 2) {
    throw new Error(`matmul: both operands need rank >= 2 (reshape vectors to [1,n] or [n,1]); got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  if (a.dtype !== b.dtype) throw new Error(`matmul: dtype mismatch, ${a.toString()} vs ${b.toString()}`);
  const ka = transA ? a.shape[a.rank - 2]! : a.shape[a.rank - 1]!;
  const kb = transB ? b.shape[b.rank - 1]! : b.shape[b.rank - 2]!;
  if (ka !== kb) {
    throw new Error(`matmul: inner dimensions differ: ${fmtShape(a.shape)}${transA ? 'ᵀ' : ''} · ${fmtShape(b.shape)}${transB ? 'ᵀ' : ''} (${ka} vs ${kb})`);
  }
  broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), 'matmul batch dims');
  if (!transA && a.rank > 2 && b.rank === 2) {
    // [..., m, k]·[k, n] is one tall product: fold the batch into rows so the backend sees one
    // big matmul (and the weight gradient one Aᵀ·G) instead of many tiny ones.
    // Row count spelled out: -1 cannot be inferred when k = 0.
    const rows = reshape(a, [sizeOf(a.shape.slice(0, -1)), ka]);
    const out = apply('matmul', [rows, b], { transA, transB });
    return reshape(out, [...a.shape.slice(0, -1), out.shape[1]!]);
  }
  return apply('matmul', [a, b], { transA, transB });
}
