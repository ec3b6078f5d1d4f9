/**
 * Interop with scijs `ndarray` views. A separate entry point (`prednas/ndarray`): ndarray builds
 * its accessors with `new Function`, which CSP pages and edge runtimes forbid, so the core never
 * loads it. Strided views with an offset are read element by element into a contiguous tensor.
 */
import ndarray from 'ndarray';
import type { NdArray } from 'ndarray';
import { Tensor } from '../autograd/tensor.js';
import type { DType } from '../autograd/dtype.js';
import { allocate } from '../autograd/dtype.js';

/** Copy an ndarray view (any strides and offset) into a new contiguous tensor. */
export function fromNdarray(view: NdArray, opts: { dtype?: DType; requiresGrad?: boolean } = {}): Tensor {
  const shape = [...view.shape];
  const stride = [...view.stride];
  const src = view.data as ArrayLike<number>;
  const dtype = opts.dtype ?? (src instanceof Float64Array ? 'float64' : 'float32');
  const size = shape.reduce((a, b) => a * b, 1);
  const out = allocate(dtype, size);
  const idx = new Array<number>(shape.length).fill(0);
  let off = view.offset;
  for (let i = 0; i < size; i++) {
    const v = src[off];
    if (typeof v !== 'number') throw new Error(`fromNdarray: element at flat position ${off} is not a number (got ${typeof v})`);
    out[i] = v;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d]!++;
      off += stride[d]!;
      if (idx[d]! < shape[d]!) break;
      off -= stride[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return new Tensor(out, shape, opts.requiresGrad ?? false);
}

/** A row-major ndarray view over a copy of the tensor's data (same dtype). */
export function toNdarray(t: Tensor): NdArray<Float32Array | Float64Array> {
  const copy = allocate(t.dtype, t.size);
  copy.set(t.data);
  return ndarray(copy, [...t.shape]);
}
