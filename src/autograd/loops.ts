/**
 * Elementwise, broadcast and reduction loops on contiguous typed arrays. These are the engine's
 * own reference loops (matmul goes to the kernel registry instead). Hot paths avoid per-element
 * closures: the operation is chosen once per run of the innermost loop.
 * Large Float32 unary/binary ops and axis sums go to the selected backend when it has such kernels
 * (registry `elementwiseBackend`; such kernels must reproduce these loops bit for bit).
 */
import type { BinaryKind, UnaryKind } from '../kernels/backend.js';
import { elementwiseBackend } from '../kernels/registry.js';
import type { FloatArray } from './dtype.js';
import { broadcastStrides, sizeOf, stridesOf, type Shape } from './shape.js';

export enum Bin { Add, Sub, Mul, Div, Max, Min }
export enum Un { Neg, Exp, Log, Sqrt, Abs, Relu, Sigmoid, Tanh }

const BIN_KIND: Record<Bin, BinaryKind> = { [Bin.Add]: 'add', [Bin.Sub]: 'sub', [Bin.Mul]: 'mul', [Bin.Div]: 'div', [Bin.Max]: 'max', [Bin.Min]: 'min' };
// Transcendental ops stay here: a backend's approximations would not match Math.exp & co.
const UN_KIND: Partial<Record<Un, UnaryKind>> = { [Un.Neg]: 'neg', [Un.Abs]: 'abs', [Un.Sqrt]: 'sqrt', [Un.Relu]: 'relu' };

/** True when `yShape` is a trailing block of `outShape` (after dropping its leading 1s): y repeats. */
function trailing(yShape: Shape, outShape: Shape): boolean {
  let lead = 0;
  while (lead < yShape.length && yShape[lead] === 1) lead++;
  const tail = yShape.length - lead;
  if (tail > outShape.length) return false;
  for (let d = 0; d < tail; d++) if (yShape[lead + d] !== outShape[outShape.length - tail + d]) return false;
  return true;
}

function binRun(op: Bin, x: FloatArray, xo: number, xs: number, y: FloatArray, yo: number, ys: number, o: FloatArray, oo: number, n: number): void {
  // A run against one repeated value (a mask or scale per row, a bias per column): the scalar
  // read once. V8 does not hoist y[yo + i·0] out of the loop; the operations are the same.
  if (ys === 0 && xs === 1) return binScalarRun(op, x, xo, y[yo]!, false, o, oo, n);
  if (xs === 0 && ys === 1) return binScalarRun(op, y, yo, x[xo]!, true, o, oo, n);
  switch (op) {
    case Bin.Add: for (let i = 0; i < n; i++) o[oo + i] = x[xo + i * xs]! + y[yo + i * ys]!; return;
    case Bin.Sub: for (let i = 0; i < n; i++) o[oo + i] = x[xo + i * xs]! - y[yo + i * ys]!; return;
    case Bin.Mul: for (let i = 0; i < n; i++) o[oo + i] = x[xo + i * xs]! * y[yo + i * ys]!; return;
    case Bin.Div: for (let i = 0; i < n; i++) o[oo + i] = x[xo + i * xs]! / y[yo + i * ys]!; return;
    // NaN propagates through maximum/minimum, as in NumPy.
    case Bin.Max: for (let i = 0; i < n; i++) { const a = x[xo + i * xs]!, b = y[yo + i * ys]!; o[oo + i] = a > b || a !== a ? a : b; } return;
    case Bin.Min: for (let i = 0; i < n; i++) { const a = x[xo + i * xs]!, b = y[yo + i * ys]!; o[oo + i] = a < b || a !== a ? a : b; } return;
  }
}

/** o[oo + i] = v[vo + i] op s, or s op v[vo + i] when `sFirst` (s was the left operand). */
function binScalarRun(op: Bin, v: FloatArray, vo: number, s: number, sFirst: boolean, o: FloatArray, oo: number, n: number): void {
  switch (op) {
    case Bin.Add: for (let i = 0; i < n; i++) o[oo + i] = sFirst ? s + v[vo + i]! : v[vo + i]! + s; return;
    case Bin.Sub: if (sFirst) for (let i = 0; i < n; i++) o[oo + i] = s - v[vo + i]!; else for (let i = 0; i < n; i++) o[oo + i] = v[vo + i]! - s; return;
    case Bin.Mul: for (let i = 0; i < n; i++) o[oo + i] = sFirst ? s * v[vo + i]! : v[vo + i]! * s; return;
    case Bin.Div: if (sFirst) for (let i = 0; i < n; i++) o[oo + i] = s / v[vo + i]!; else for (let i = 0; i < n; i++) o[oo + i] = v[vo + i]! / s; return;
    case Bin.Max: for (let i = 0; i < n; i++) { const a = sFirst ? s : v[vo + i]!, b = sFirst ? v[vo + i]! : s; o[oo + i] = a > b || a !== a ? a : b; } return;
    case Bin.Min: for (let i = 0; i < n; i++) { const a = sFirst ? s : v[vo + i]!, b = sFirst ? v[vo + i]! : s; o[oo + i] = a < b || a !== a ? a : b; } return;
  }
}

/**
 * Merge adjacent output dims that every operand walks contiguously, so that same-shape ops
 * become one flat loop and a [N,H] + [H] bias add becomes two loops.
 */
function coalesce(shape: Shape, strides: number[][]): { shape: number[]; strides: number[][] } {
  const dims: number[] = [];
  const st: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && strides.every((s, k) => st[k]![last] === s[d]! * size)) {
      dims[last] = dims[last]! * size;
      strides.forEach((s, k) => (st[k]![last] = s[d]!));
    } else {
      dims.push(size);
      strides.forEach((s, k) => st[k]!.push(s[d]!));
    }
  }
  if (dims.length === 0) {
    dims.push(1);
    strides.forEach((_, k) => st[k]!.push(0));
  }
  return { shape: dims, strides: st };
}

/** Visit every innermost run of an n-ary broadcast walk: cb(offsets..., outOffset, runLength). */
function walk(outShape: Shape, inStrides: number[][], cb: (offs: number[], oo: number, n: number, inner: number[]) => void): void {
  const total = sizeOf(outShape);
  if (total === 0) return;
  const outSt = stridesOf(outShape);
  const c = coalesce(outShape, [...inStrides, outSt]);
  const shape = c.shape;
  const rank = shape.length;
  const k = inStrides.length;
  const inner = c.strides.map((s) => s[rank - 1]!);
  const n = shape[rank - 1]!;
  const idx = new Array<number>(rank).fill(0);
  const offs = new Array<number>(k + 1).fill(0);
  for (let done = 0; done < total; done += n) {
    cb(offs, offs[k]!, n, inner);
    // odometer over all but the innermost dim
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]!++;
      for (let q = 0; q <= k; q++) offs[q]! += c.strides[q]![d]!;
      if (idx[d]! < shape[d]!) break;
      for (let q = 0; q <= k; q++) offs[q]! -= c.strides[q]![d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

/**
 * [a, r, c] when y, against out, is a block of kept leading dims (a elements), then broadcast dims
 * (r), then a trailing block (c): per leading index, y repeats over the middle. A stacked bias
 * ([M, 1, H] on [M, N, H]: one bias per ensemble member) is such a y.
 */
function blockTrailing(yShape: Shape, outShape: Shape): [number, number, number] | null {
  const lead = outShape.length - yShape.length;
  const yd = (d: number) => (d < lead ? 1 : yShape[d - lead]!);
  let d = 0, a = 1, r = 1, c = 1;
  for (; d < outShape.length && yd(d) === outShape[d]; d++) a *= outShape[d]!;
  for (; d < outShape.length && yd(d) === 1; d++) r *= outShape[d]!;
  for (; d < outShape.length; d++) {
    if (yd(d) !== outShape[d]) return null;
    c *= outShape[d]!;
  }
  return a > 1 && r > 1 && c > 0 ? [a, r, c] : null;
}

export function binary(op: Bin, x: FloatArray, xShape: Shape, y: FloatArray, yShape: Shape, out: FloatArray, outShape: Shape): void {
  // x full size and y the same or a repeating trailing block (a bias): a backend may take it.
  if (out instanceof Float32Array && x instanceof Float32Array && y instanceof Float32Array && x.length === out.length && y.length > 0) {
    const be = elementwiseBackend(out.length);
    if (be !== null && trailing(yShape, outShape)) {
      be.binary!(BIN_KIND[op], x, y, out);
      return;
    }
    // A trailing block per leading index (stacked biases): one backend call per index.
    const blk = be !== null ? blockTrailing(yShape, outShape) : null;
    if (blk !== null && elementwiseBackend(blk[1] * blk[2]) === be) {
      const [a, r, c] = blk, n = r * c;
      for (let i = 0; i < a; i++) be!.binary!(BIN_KIND[op], x.subarray(i * n, (i + 1) * n), y.subarray(i * c, (i + 1) * c), out.subarray(i * n, (i + 1) * n));
      return;
    }
  }
  if (x.length === out.length && y.length === out.length) {
    binRun(op, x, 0, 1, y, 0, 1, out, 0, out.length);
    return;
  }
  const sx = broadcastStrides(xShape, outShape);
  const sy = broadcastStrides(yShape, outShape);
  walk(outShape, [sx, sy], (offs, oo, n, inner) => binRun(op, x, offs[0]!, inner[0]!, y, offs[1]!, inner[1]!, out, oo, n));
}

export function where(mask: FloatArray, mShape: Shape, a: FloatArray, aShape: Shape, b: FloatArray, bShape: Shape, out: FloatArray, outShape: Shape): void {
  const sm = broadcastStrides(mShape, outShape);
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  walk(outShape, [sm, sa, sb], (offs, oo, n, inner) => {
    const [mo, ao, bo] = offs as [number, number, number];
    const [ms, as, bs] = inner as [number, number, number];
    for (let i = 0; i < n; i++) out[oo + i] = mask[mo + i * ms] !== 0 ? a[ao + i * as]! : b[bo + i * bs]!;
  });
}

/** Copy `x` (shape xShape) broadcast to outShape. */
export function broadcastCopy(x: FloatArray, xShape: Shape, out: FloatArray, outShape: Shape): void {
  const sx = broadcastStrides(xShape, outShape);
  walk(outShape, [sx], (offs, oo, n, inner) => {
    const xo = offs[0]!, xs = inner[0]!;
    if (xs === 0) out.fill(x[xo]!, oo, oo + n);
    else if (xs === 1) for (let i = 0; i < n; i++) out[oo + i] = x[xo + i]!;
    else for (let i = 0; i < n; i++) out[oo + i] = x[xo + i * xs]!;
  });
}

export function unary(op: Un, x: FloatArray, o: FloatArray): void {
  const n = x.length;
  const kind = UN_KIND[op];
  if (kind !== undefined && x instanceof Float32Array && o instanceof Float32Array) {
    const be = elementwiseBackend(n);
    if (be !== null) {
      be.unary!(kind, x, o);
      return;
    }
  }
  switch (op) {
    case Un.Neg: for (let i = 0; i < n; i++) o[i] = -x[i]!; return;
    case Un.Exp: for (let i = 0; i < n; i++) o[i] = Math.exp(x[i]!); return;
    case Un.Log: for (let i = 0; i < n; i++) o[i] = Math.log(x[i]!); return;
    case Un.Sqrt: for (let i = 0; i < n; i++) o[i] = Math.sqrt(x[i]!); return;
    case Un.Abs: for (let i = 0; i < n; i++) o[i] = Math.abs(x[i]!); return;
    case Un.Relu: for (let i = 0; i < n; i++) { const v = x[i]!; o[i] = v > 0 ? v : v !== v ? v : 0; } return;
    // Split by sign so that exp never overflows.
    case Un.Sigmoid: for (let i = 0; i < n; i++) { const v = x[i]!; if (v >= 0) o[i] = 1 / (1 + Math.exp(-v)); else { const e = Math.exp(v); o[i] = e / (1 + e); } } return;
    case Un.Tanh: for (let i = 0; i < n; i++) o[i] = Math.tanh(x[i]!); return;
  }
}

/**
 * Reduce `x` over the axes where `outShapeKeep` (same rank as xShape) has size 1 but xShape does
 * not. kind 'sum' adds, 'max' keeps the maximum (NaN wins, as in NumPy).
 */
/**
 * [outer, size, inner] when the reduced axes of xShape form one block followed by kept axes
 * whose product `inner` is a multiple of 4 (a bias gradient, a mean over nodes), else null.
 */
function middleBlock(xShape: Shape, keep: Shape): [number, number, number] | null {
  let outer = 1, size = 1, inner = 1, phase = 0; // 0: leading kept, 1: reduced, 2: trailing kept
  for (let d = 0; d < xShape.length; d++) {
    const n = xShape[d]!;
    if (n === 1) continue;
    const reduced = keep[d] === 1;
    if (reduced && phase === 2) return null;
    if (reduced) phase = 1;
    else if (phase === 1) phase = 2;
    if (phase === 0) outer *= n;
    else if (phase === 1) size *= n;
    else inner *= n;
  }
  return phase === 2 && inner % 4 === 0 ? [outer, size, inner] : null;
}

/** [outer, size] when the reduced axes of xShape (sizes 1 aside) are one trailing block, else null. */
function trailingBlock(xShape: Shape, keep: Shape): [number, number] | null {
  let outer = 1, size = 1;
  for (let d = 0; d < xShape.length; d++) {
    const n = xShape[d]!;
    if (n === 1) continue;
    if (keep[d] === 1) size *= n;
    else if (size > 1) return null;
    else outer *= n;
  }
  return size > 1 ? [outer, size] : null;
}

export function reduce(kind: 'sum' | 'max', x: FloatArray, xShape: Shape, out: FloatArray, outShapeKeep: Shape): void {
  if (kind === 'sum' && x instanceof Float32Array && out instanceof Float32Array) {
    const be = elementwiseBackend(x.length);
    const block = be?.sumAxis !== undefined ? middleBlock(xShape, outShapeKeep) : null;
    if (block !== null) {
      be!.sumAxis!(x, out, ...block);
      return;
    }
  }
  out.fill(kind === 'sum' ? 0 : -Infinity);
  if (x.length === 0) return;
  const tail = kind === 'sum' ? trailingBlock(xShape, outShapeKeep) : null;
  if (tail !== null) {
    // What the walk below does for these shapes (one run per output, summed in a double, added
    // to the zeroed output once), without a callback per run: a global average pool's sum.
    const [outer, size] = tail;
    for (let a = 0, i = 0; a < outer; a++) {
      let acc = 0;
      for (const e = i + size; i < e; i++) acc += x[i]!;
      out[a]! += acc;
    }
    return;
  }
  const xs = stridesOf(xShape);
  const os = broadcastStrides(outShapeKeep, xShape);
  walk(xShape, [xs, os], (offs, _oo, n, inner) => {
    const xo = offs[0]!, xi = inner[0]!, oo = offs[1]!, oi = inner[1]!;
    if (kind === 'sum') {
      if (oi === 0) {
        let acc = 0;
        for (let i = 0; i < n; i++) acc += x[xo + i * xi]!;
        out[oo]! += acc;
      } else for (let i = 0; i < n; i++) out[oo + i * oi]! += x[xo + i * xi]!;
    } else {
      for (let i = 0; i < n; i++) {
        const v = x[xo + i * xi]!, p = oo + i * oi, cur = out[p]!;
        if (v > cur || v !== v) out[p] = v;
        else if (cur !== cur) out[p] = cur;
      }
    }
  });
}

/** out = x permuted: out.shape[i] = xShape[perm[i]]. */
export function permute(x: FloatArray, xShape: Shape, perm: readonly number[], out: FloatArray): void {
  const xs = stridesOf(xShape);
  const outShape = perm.map((p) => xShape[p]!);
  const src = perm.map((p) => xs[p]!);
  walk(outShape, [src], (offs, oo, n, inner) => {
    const xo = offs[0]!, xi = inner[0]!;
    for (let i = 0; i < n; i++) out[oo + i] = x[xo + i * xi]!;
  });
}

/** out[q] = x[i[q]] − x[j[q]] (the pairDiff primitive's forward). */
export function pairDiffLoop(x: FloatArray, i: Int32Array, j: Int32Array, out: FloatArray): void {
  for (let q = 0; q < i.length; q++) out[q] = x[i[q]!]! - x[j[q]!]!;
}

/**
 * pairDiff's adjoint as sub(gather(x, i), gather(x, j)) rounds it: g scattered at i and −g at j,
 * each summed from zero in pair order (gather's adjoint), then the two added (the engine's sum of
 * two gradients). b[j] −= g is b[j] + (−g): negation is exact. `a` and `b` arrive zeroed; the
 * gradient is left in `a`.
 */
export function pairDiffAdjoint(g: FloatArray, i: Int32Array, j: Int32Array, a: FloatArray, b: FloatArray): void {
  for (let q = 0; q < i.length; q++) a[i[q]!]! += g[q]!;
  for (let q = 0; q < j.length; q++) b[j[q]!]! -= g[q]!;
  for (let k = 0; k < a.length; k++) a[k]! += b[k]!;
}
