/**
 * Forward implementations of the primitives, one entry per op (exhaustive, like the backward
 * table). Inputs arrive validated by ops.ts; each entry returns a fresh tensor without a node.
 */
import { runMatmul } from '../kernels/registry.js';
import { batchNormForward } from './batchnorm.js';
import { conv2dTensor } from './conv.js';
import { allocate, allocateUnset } from './dtype.js';
import { siluForward, softplusForward } from './fused.js';
import { Bin, Un, binary, broadcastCopy, pairDiffLoop, permute as permuteLoop, reduce, unary, where as whereLoop } from './loops.js';
import type { OpAttrs, OpName } from './op-types.js';
import { avgPoolForward, maxPoolForward } from './pool.js';
import { broadcastShapes, broadcastStrides, sizeOf, stridesOf } from './shape.js';
import { Tensor } from './tensor.js';

type Forward<K extends OpName> = (inputs: readonly Tensor[], attrs: OpAttrs[K]) => Tensor;

type NoAttrsForward = (inputs: readonly Tensor[], attrs: Record<string, never>) => Tensor;
type ReduceForward = (inputs: readonly Tensor[], attrs: OpAttrs['sum']) => Tensor;

function bin(op: Bin): NoAttrsForward {
  return ([a, b]) => {
    const shape = broadcastShapes(a!.shape, b!.shape, 'binary op');
    const out = allocateUnset(a!.dtype, sizeOf(shape));
    binary(op, a!.data, a!.shape, b!.data, b!.shape, out, shape);
    return new Tensor(out, shape);
  };
}

function un(op: Un): NoAttrsForward {
  return ([x]) => {
    const out = allocateUnset(x!.dtype, x!.size);
    unary(op, x!.data, out);
    return new Tensor(out, x!.shape);
  };
}

function keepShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

function reduced(kind: 'sum' | 'max'): ReduceForward {
  return ([x], { axes, keepdims }) => {
    const keep = keepShape(x!.shape, axes);
    const out = allocate(x!.dtype, sizeOf(keep));
    reduce(kind, x!.data, x!.shape, out, keep);
    return new Tensor(out, keepdims ? keep : x!.shape.filter((_, i) => !axes.includes(i)));
  };
}

export const forward: { [K in OpName]: Forward<K> } = {
  add: bin(Bin.Add),
  sub: bin(Bin.Sub),
  mul: bin(Bin.Mul),
  div: bin(Bin.Div),
  maximum: bin(Bin.Max),
  minimum: bin(Bin.Min),
  neg: un(Un.Neg),
  exp: un(Un.Exp),
  log: un(Un.Log),
  sqrt: un(Un.Sqrt),
  abs: un(Un.Abs),
  relu: un(Un.Relu),
  sigmoid: un(Un.Sigmoid),
  tanh: un(Un.Tanh),
  silu: ([x], { s, y }) => siluForward(x!, s, y),
  maskMul: ([x], { mask }) => {
    const out = allocateUnset(x!.dtype, x!.size);
    binary(Bin.Mul, x!.data, x!.shape, mask, x!.shape, out, x!.shape);
    return new Tensor(out, x!.shape);
  },
  softplus: ([x], { e }) => softplusForward(x!, e),
  pow: ([x], { exponent }) => {
    const out = allocateUnset(x!.dtype, x!.size);
    const d = x!.data;
    if (exponent === 2) for (let i = 0; i < d.length; i++) out[i] = d[i]! * d[i]!;
    else for (let i = 0; i < d.length; i++) out[i] = Math.pow(d[i]!, exponent);
    return new Tensor(out, x!.shape);
  },
  where: ([m, a, b]) => {
    const shape = broadcastShapes(broadcastShapes(m!.shape, a!.shape, 'where'), b!.shape, 'where');
    const out = allocateUnset(a!.dtype, sizeOf(shape));
    whereLoop(m!.data, m!.shape, a!.data, a!.shape, b!.data, b!.shape, out, shape);
    return new Tensor(out, shape);
  },
  sum: reduced('sum'),
  max: reduced('max'),
  // Contiguous storage makes reshape a relabelling; the buffer is shared, never written in place.
  reshape: ([x], { shape }) => new Tensor(x!.data, shape),
  permute: ([x], { perm }) => {
    const out = allocateUnset(x!.dtype, x!.size);
    permuteLoop(x!.data, x!.shape, perm, out);
    return new Tensor(out, perm.map((p) => x!.shape[p]!));
  },
  broadcast: ([x], { shape }) => {
    const out = allocateUnset(x!.dtype, sizeOf(shape));
    broadcastCopy(x!.data, x!.shape, out, shape);
    return new Tensor(out, shape);
  },
  slice: ([x], { begin, end }) => {
    const shape = begin.map((b, i) => end[i]! - b);
    const out = allocateUnset(x!.dtype, sizeOf(shape));
    if (out.length > 0) {
      const xs = stridesOf(x!.shape);
      const offset = begin.reduce((acc, b, i) => acc + b * xs[i]!, 0);
      // Read x through its own strides over the sliced shape, writing out contiguously.
      copyStrided(x!.data, offset, xs, shape, out);
    }
    return new Tensor(out, shape);
  },
  concat: (xs, { axis }) => {
    const first = xs[0]!;
    const shape = [...first.shape];
    shape[axis] = xs.reduce((acc, t) => acc + t.shape[axis]!, 0);
    const out = allocateUnset(first.dtype, sizeOf(shape));
    const outer = sizeOf(shape.slice(0, axis));
    const inner = sizeOf(shape.slice(axis + 1));
    const row = shape[axis]! * inner;
    let col = 0;
    for (const t of xs) {
      const w = t.shape[axis]! * inner;
      for (let o = 0; o < outer; o++) out.set(t.data.subarray(o * w, (o + 1) * w), o * row + col);
      col += w;
    }
    return new Tensor(out, shape);
  },
  pairDiff: ([x], { i, j }) => {
    const out = allocateUnset(x!.dtype, i.length);
    pairDiffLoop(x!.data, i, j, out);
    return new Tensor(out, [i.length]);
  },
  gather: ([x], { indices, axis }) => {
    const shape = [...x!.shape];
    const n = shape[axis]!;
    shape[axis] = indices.length;
    const out = allocateUnset(x!.dtype, sizeOf(shape));
    const outer = sizeOf(shape.slice(0, axis));
    const inner = sizeOf(shape.slice(axis + 1));
    const xd = x!.data;
    for (let o = 0; o < outer; o++) {
      const base = o * n, at = o * indices.length;
      // Scalar elements (the ranking loss's pairs): a subarray per element costs more than the copy.
      if (inner === 1) for (let j = 0; j < indices.length; j++) out[at + j] = xd[base + indices[j]!]!;
      else {
        for (let j = 0; j < indices.length; j++) {
          const src = (base + indices[j]!) * inner;
          out.set(xd.subarray(src, src + inner), (at + j) * inner);
        }
      }
    }
    return new Tensor(out, shape);
  },
  matmul: ([a, b], { transA, transB }) => {
    const plan = matmulPlan(a!.shape, b!.shape, transA, transB);
    const out = allocateUnset(a!.dtype, sizeOf(plan.shape)); // every backend overwrites out (MatmulSpec)
    runMatmul(
      { a: a!.data, b: b!.data, out, m: plan.m, n: plan.n, k: plan.k, transA, transB, batch: plan.batch, aOffsets: plan.aOffsets, bOffsets: plan.bOffsets },
      a!.dtype,
    );
    return new Tensor(out, plan.shape);
  },
  conv2d: ([x, w], attrs) => conv2dTensor(x!, w!, attrs),
  maxPool2d: ([x], attrs) => maxPoolForward(x!, attrs),
  avgPool2d: ([x], attrs) => avgPoolForward(x!, attrs),
  batchNorm: ([x, gamma, beta], attrs) => batchNormForward(x!, gamma!, beta!, attrs),
  batchNormEval: ([x, gamma, beta], attrs) => batchNormForward(x!, gamma!, beta!, attrs),
};

function copyStrided(src: ArrayLike<number>, offset: number, strides: readonly number[], shape: readonly number[], out: { [i: number]: number; length: number }): void {
  const rank = shape.length;
  if (rank === 0) {
    out[0] = src[offset]!;
    return;
  }
  const idx = new Array<number>(rank).fill(0);
  const n = shape[rank - 1]!;
  const s = strides[rank - 1]!;
  let off = offset;
  for (let o = 0; o < out.length; o += n) {
    for (let i = 0; i < n; i++) out[o + i] = src[off + i * s]!;
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]!++;
      off += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      off -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

export interface MatmulPlan {
  shape: number[];
  m: number;
  n: number;
  k: number;
  batch: number;
  aOffsets: Int32Array;
  bOffsets: Int32Array;
}

/** Output shape and per-batch operand offsets of a batched matmul (shapes already validated). */
export function matmulPlan(as: readonly number[], bs: readonly number[], transA: boolean, transB: boolean): MatmulPlan {
  const ra = as.length, rb = bs.length;
  const m = transA ? as[ra - 1]! : as[ra - 2]!;
  const k = transA ? as[ra - 2]! : as[ra - 1]!;
  const n = transB ? bs[rb - 2]! : bs[rb - 1]!;
  const ba = as.slice(0, ra - 2), bb = bs.slice(0, rb - 2);
  const batchShape = broadcastShapes(ba, bb, 'matmul');
  const batch = sizeOf(batchShape);
  const sa = broadcastStrides(ba, batchShape), sb = broadcastStrides(bb, batchShape);
  const aOffsets = new Int32Array(batch), bOffsets = new Int32Array(batch);
  const idx = new Array<number>(batchShape.length).fill(0);
  for (let t = 0; t < batch; t++) {
    let oa = 0, ob = 0;
    for (let d = 0; d < idx.length; d++) {
      oa += idx[d]! * sa[d]!;
      ob += idx[d]! * sb[d]!;
    }
    aOffsets[t] = oa * m * k;
    bOffsets[t] = ob * k * n;
    for (let d = idx.length - 1; d >= 0; d--) {
      if (++idx[d]! < batchShape[d]!) break;
      idx[d] = 0;
    }
  }
  return { shape: [...batchShape, m, n], m, n, k, batch, aOffsets, bOffsets };
}
