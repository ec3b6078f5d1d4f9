/**
 * THE backward table: one vector-Jacobian product per primitive. The mapped type makes a
 * primitive without a rule a compile error. Rules run under noGrad and may use ops freely;
 * `needs[i]` says whether input i wants a gradient, so e.g. the ascent skips weight gradients.
 * Non-differentiable helpers (masks, scatter) are plain loops at the bottom of this file.
 */
import { batchNormBackward } from './batchnorm.js';
import { conv2dGrads } from './conv.js';
import { elementwiseBackend } from '../kernels/registry.js';
import { allocate, allocateUnset } from './dtype.js';
import { pairDiffAdjoint } from './loops.js';
import { siluBackward, softplusBackward } from './fused.js';
import type { OpAttrs, OpName } from './op-types.js';
import * as op from './ops.js';
import { avgPoolBackward, maxPoolBackward } from './pool.js';
import { broadcastAxes, broadcastShapes, broadcastStrides, sameShape, sizeOf, stridesOf, type Shape } from './shape.js';
import { Tensor } from './tensor.js';

export interface VjpContext<K extends OpName> {
  readonly inputs: readonly Tensor[];
  readonly out: Tensor;
  readonly attrs: OpAttrs[K];
  readonly needs: readonly boolean[];
}
export type VjpRule<K extends OpName> = (g: Tensor, ctx: VjpContext<K>) => (Tensor | null)[];

/** Sum a broadcast gradient back down to the shape of the input that was broadcast. */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const axes = broadcastAxes(shape, g.shape);
  return op.reshape(op.sum(g, axes, false), shape);
}

const ifNeeded = (needs: readonly boolean[], i: number, f: () => Tensor): Tensor | null => (needs[i] ? f() : null);

export const vjp: { [K in OpName]: VjpRule<K> } = {
  add: (g, { inputs: [a, b], needs }) => [ifNeeded(needs, 0, () => sumTo(g, a!.shape)), ifNeeded(needs, 1, () => sumTo(g, b!.shape))],
  sub: (g, { inputs: [a, b], needs }) => [ifNeeded(needs, 0, () => sumTo(g, a!.shape)), ifNeeded(needs, 1, () => sumTo(op.neg(g), b!.shape))],
  mul: (g, { inputs: [a, b], needs }) => [
    ifNeeded(needs, 0, () => sumTo(op.mul(g, b!), a!.shape)),
    ifNeeded(needs, 1, () => sumTo(op.mul(g, a!), b!.shape)),
  ],
  div: (g, { inputs: [a, b], out, needs }) => [
    ifNeeded(needs, 0, () => sumTo(op.div(g, b!), a!.shape)),
    // d(a/b)/db = -a/b² = -out/b
    ifNeeded(needs, 1, () => sumTo(op.neg(op.div(op.mul(g, out), b!)), b!.shape)),
  ],
  // Ties split the gradient evenly, so that maximum(x, x) = x has gradient exactly 1.
  maximum: (g, { inputs: [a, b], needs }) => [
    ifNeeded(needs, 0, () => sumTo(op.mul(g, selectMask(a!, b!, 1)), a!.shape)),
    ifNeeded(needs, 1, () => sumTo(op.mul(g, selectMask(b!, a!, 1)), b!.shape)),
  ],
  minimum: (g, { inputs: [a, b], needs }) => [
    ifNeeded(needs, 0, () => sumTo(op.mul(g, selectMask(a!, b!, -1)), a!.shape)),
    ifNeeded(needs, 1, () => sumTo(op.mul(g, selectMask(b!, a!, -1)), b!.shape)),
  ],
  neg: (g) => [op.neg(g)],
  exp: (g, { out }) => [op.mul(g, out)],
  log: (g, { inputs: [x] }) => [op.div(g, x!)],
  sqrt: (g, { out }) => [op.div(op.mul(g, 0.5), out)],
  abs: (g, { inputs: [x] }) => [scaleByLocal(g, x!, Local.Sign)],
  relu: (g, { inputs: [x] }) => [scaleByLocal(g, x!, Local.Step)],
  sigmoid: (g, { out }) => [scaleByLocal(g, out, Local.Sigmoid)],
  tanh: (g, { out }) => [scaleByLocal(g, out, Local.Tanh)],
  silu: (g, { inputs: [x], attrs: { s } }) => [siluBackward(g, x!, s)],
  maskMul: (g, { attrs: { mask } }) => [op.maskMul(g, mask)],
  softplus: (g, { inputs: [x], attrs: { e } }) => [softplusBackward(g, x!, e)],
  pow: (g, { inputs: [x], attrs: { exponent: p } }) => [
    p === 0 ? op.mul(g, 0) : op.mul(g, mapped(x!, (v) => p * Math.pow(v, p - 1))),
  ],
  where: (g, { inputs: [m, a, b], needs }) => {
    const zero = new Tensor(allocate(g.dtype, 1), []);
    return [
      null,
      ifNeeded(needs, 1, () => sumTo(op.where(m!, g, zero), a!.shape)),
      ifNeeded(needs, 2, () => sumTo(op.where(m!, zero, g), b!.shape)),
    ];
  },
  sum: (g, { inputs: [x], attrs: { axes } }) => [op.broadcastTo(op.reshape(g, keepShape(x!.shape, axes)), x!.shape)],
  max: (g, { inputs: [x], out, attrs: { axes } }) => {
    const keep = keepShape(x!.shape, axes);
    const m = op.reshape(out, keep);
    // Ties share the gradient: mask / count of maxima along the reduced axes.
    const hit = mapped2(x!, m, (v, w) => (v === w || (v !== v && w !== w) ? 1 : 0));
    const count = op.sum(hit, axes, true);
    return [op.mul(hit, op.div(op.reshape(g, keep), count))];
  },
  reshape: (g, { inputs: [x] }) => [op.reshape(g, x!.shape)],
  permute: (g, { attrs: { perm } }) => {
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => (inv[p] = i));
    return [op.permute(g, inv)];
  },
  broadcast: (g, { inputs: [x] }) => [sumTo(g, x!.shape)],
  slice: (g, { inputs: [x], attrs: { begin } }) => [padInto(g, x!.shape, begin)],
  concat: (g, { inputs, attrs: { axis }, needs }) => {
    let at = 0;
    return inputs.map((t, i) => {
      const lo = at;
      at += t.shape[axis]!;
      if (!needs[i]) return null;
      const b = t.shape.map(() => 0), e = [...g.shape];
      b[axis] = lo;
      e[axis] = at;
      return op.slice(g, b, e);
    });
  },
  gather: (g, { inputs: [x], attrs: { indices, axis } }) => [scatterAdd(g, x!.shape, indices, axis)],
  pairDiff: (g, { inputs: [x], attrs: { i, j } }) => [pairDiffBackward(g, x!.size, i, j)],
  matmul: (g, { inputs: [a, b], attrs: { transA: tA, transB: tB }, needs }) => {
    // C = op(A)·op(B); each case below is d/dA and d/dB written without transposed copies.
    const mm = (x: Tensor, y: Tensor, ta: boolean, tb: boolean) => op.matmul(x, y, { transA: ta, transB: tb });
    const dA = () => sumTo(!tA ? mm(g, b!, false, !tB) : tB ? mm(b!, g, true, true) : mm(b!, g, false, true), a!.shape);
    const dB = () => sumTo(!tB ? mm(a!, g, !tA, false) : tA ? mm(g, a!, true, true) : mm(g, a!, true, false), b!.shape);
    return [ifNeeded(needs, 0, dA), ifNeeded(needs, 1, dB)];
  },
  // dx = col2im(Wᵀ·G), dW = G·colsᵀ per group (src/kernels/conv.ts).
  conv2d: (g, { inputs: [x, w], out, attrs, needs }) => conv2dGrads(g, x!, w!, out, attrs, needs),
  maxPool2d: (g, { inputs: [x], attrs }) => [maxPoolBackward(g, x!, attrs)],
  avgPool2d: (g, { inputs: [x], attrs }) => [avgPoolBackward(g, x!.shape, attrs)],
  batchNorm: (g, { inputs: [x, gamma], attrs, needs }) => batchNormBackward(g, x!, gamma!, attrs, needs),
  // Running statistics are constants: dx = γσ̂⁻¹·g.
  batchNormEval: (g, { inputs: [x, gamma], attrs, needs }) => batchNormBackward(g, x!, gamma!, attrs, needs, true),
};

function keepShape(shape: Shape, axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

enum Local { Sign, Step, Sigmoid, Tanh }

/**
 * g ⊙ f'(·) in one pass for the unary rules on the hot path (activations): no per-element
 * closure and one allocation instead of two. `y` is the input (Sign, Step) or the output
 * (Sigmoid: s(1−s), Tanh: 1−t²). Same values as g ⊙ mask: relu'(NaN) = abs'(NaN) = 0, as in PyTorch.
 */
function scaleByLocal(g: Tensor, y: Tensor, kind: Local): Tensor {
  const out = allocateUnset(g.dtype, g.size);
  const gd = g.data, yd = y.data, n = gd.length;
  if (kind === Local.Step && gd instanceof Float32Array && yd instanceof Float32Array && out instanceof Float32Array) {
    const be = elementwiseBackend(n);
    if (be?.binary !== undefined) {
      be.binary('mulstep', gd, yd, out); // the Step loop below, bit for bit
      return new Tensor(out, g.shape);
    }
  }
  switch (kind) {
    case Local.Sign: for (let i = 0; i < n; i++) { const v = yd[i]!; out[i] = gd[i]! * (v > 0 ? 1 : v < 0 ? -1 : 0); } break;
    // +(v > 0) instead of a conditional: branch-free, 2-3x faster on half-negative activations
    // (measured on 600k elements), same values.
    case Local.Step: for (let i = 0; i < n; i++) out[i] = gd[i]! * +(yd[i]! > 0); break;
    case Local.Sigmoid: for (let i = 0; i < n; i++) { const v = yd[i]!; out[i] = gd[i]! * (v * (1 - v)); } break;
    case Local.Tanh: for (let i = 0; i < n; i++) { const v = yd[i]!; out[i] = gd[i]! * (1 - v * v); } break;
  }
  return new Tensor(out, g.shape);
}

/** A non-differentiable elementwise function of x (local derivatives, masks). */
function mapped(x: Tensor, f: (v: number) => number): Tensor {
  const out = allocateUnset(x.dtype, x.size);
  const d = x.data;
  for (let i = 0; i < d.length; i++) out[i] = f(d[i]!);
  return new Tensor(out, x.shape);
}

/** f(x, y) elementwise over the broadcast shape, non-differentiable. */
function mapped2(x: Tensor, y: Tensor, f: (u: number, v: number) => number): Tensor {
  const shape = broadcastShapes(x.shape, y.shape, 'vjp');
  const sx = broadcastStrides(x.shape, shape), sy = broadcastStrides(y.shape, shape);
  const n = sizeOf(shape);
  const out = allocateUnset(x.dtype, n);
  const st = stridesOf(shape);
  for (let i = 0; i < n; i++) {
    let ox = 0, oy = 0, r = i;
    for (let d = 0; d < shape.length; d++) {
      const q = Math.floor(r / st[d]!);
      r -= q * st[d]!;
      ox += q * sx[d]!;
      oy += q * sy[d]!;
    }
    out[i] = f(x.data[ox]!, y.data[oy]!);
  }
  return new Tensor(out, shape);
}

/** 1 where x wins (x > y for sign 1, x < y for sign -1), 0.5 on ties, 0 where it loses. */
function selectMask(x: Tensor, y: Tensor, sign: 1 | -1): Tensor {
  return mapped2(x, y, (u, v) => (u === v ? 0.5 : sign * (u - v) > 0 || u !== u ? 1 : 0));
}

/** Zeros of `shape` with g written at offset `begin` (the adjoint of slice). */
function padInto(g: Tensor, shape: Shape, begin: readonly number[]): Tensor {
  const out = allocate(g.dtype, sizeOf(shape));
  const st = stridesOf(shape), gst = stridesOf(g.shape);
  const base = begin.reduce((acc, b, i) => acc + b * st[i]!, 0);
  for (let i = 0; i < g.size; i++) {
    let o = base, r = i;
    for (let d = 0; d < g.shape.length; d++) {
      const q = Math.floor(r / gst[d]!);
      r -= q * gst[d]!;
      o += q * st[d]!;
    }
    out[o] = g.data[i]!;
  }
  return new Tensor(out, shape);
}

/** pairDiff's adjoint (loops.ts's pairDiffAdjoint says how it rounds). */
function pairDiffBackward(g: Tensor, n: number, i: Int32Array, j: Int32Array): Tensor {
  const a = allocate(g.dtype, n);
  pairDiffAdjoint(g.data, i, j, a, allocate(g.dtype, n));
  return new Tensor(a, [n]);
}

/** The adjoint of gather: add each gathered slice's gradient back at its source index. */
function scatterAdd(g: Tensor, shape: Shape, indices: Int32Array, axis: number): Tensor {
  const out = allocate(g.dtype, sizeOf(shape));
  const n = shape[axis]!;
  const outer = sizeOf(shape.slice(0, axis));
  const inner = sizeOf(shape.slice(axis + 1));
  const gd = g.data, L = indices.length;
  for (let o = 0; o < outer; o++) {
    // A gather of scalars (the ranking loss's pairs): the same additions in the same order, without the inner loop.
    if (inner === 1) for (let j = 0, base = o * n, at = o * L; j < L; j++) out[base + indices[j]!]! += gd[at + j]!;
    else for (let j = 0; j < L; j++) {
      const dst = (o * n + indices[j]!) * inner, src = (o * L + j) * inner;
      for (let q = 0; q < inner; q++) out[dst + q]! += gd[src + q]!;
    }
  }
  return new Tensor(out, shape);
}
