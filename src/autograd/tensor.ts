/**
 * The Tensor: a row-major, contiguous Float32Array (default) or Float64Array with a shape, plus
 * the autodiff bookkeeping (requiresGrad, grad, and the node that produced it). Every op is also
 * a method so that code reads left to right: `x.matmul(w).add(b).relu()`.
 */
import { allocateUnset, dtypeOf, type DType, type FloatArray } from './dtype.js';
import { checkShape, fmtShape, sizeOf, type Shape } from './shape.js';
import type { Node } from './node.js';
import * as ops from './ops.js';
import * as comp from './composites.js';
import { backward as runBackward, bumpVersion, versionOf } from './engine.js';

export type Scalar = number;
export type TensorLike = Tensor | number;

export class Tensor {
  readonly data: FloatArray;
  readonly shape: readonly number[];
  readonly dtype: DType;
  requiresGrad: boolean;
  /** Accumulated gradient of a leaf after backward(); null until then or after zeroGrad. */
  grad: Tensor | null = null;
  /** The op that produced this tensor (null for leaves and for results computed without grad). */
  node: Node | null = null;
  /**
   * Set by an optimiser step on the parameters it updated; a later backward into a stale grad
   * means zeroGrad() was forgotten, which we refuse loudly (see optim).
   */
  gradApplied = false;

  constructor(data: FloatArray, shape: Shape, requiresGrad = false) {
    checkShape(shape, 'Tensor');
    if (data.length !== sizeOf(shape)) {
      throw new Error(`Tensor: data has ${data.length} elements but shape ${fmtShape(shape)} needs ${sizeOf(shape)}`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtypeOf(data);
    this.requiresGrad = requiresGrad;
  }

  get size(): number {
    return this.data.length;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** Flat copy of the values as plain numbers. */
  toArray(): number[] {
    return Array.from(this.data);
  }

  /** Nested arrays following the shape (a number for rank 0). */
  toNested(): unknown {
    const build = (dim: number, off: number): unknown => {
      if (dim === this.shape.length) return this.data[off]!;
      const n = this.shape[dim]!;
      const step = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: n }, (_, i) => build(dim + 1, off + i * step));
    };
    return build(0, 0);
  }

  item(): number {
    if (this.data.length !== 1) throw new Error(`item(): tensor of shape ${fmtShape(this.shape)} has ${this.data.length} elements, expected 1`);
    return this.data[0]!;
  }

  /**
   * Version of the buffer: 0 until its first in-place write through the API (optimiser step,
   * loadStateDict, bumpVersion), then strictly increasing. Shared by every tensor viewing the
   * same buffer (reshape, detach). backward() refuses a graph whose saved tensors changed version
   * after they were recorded.
   */
  get version(): number {
    return versionOf(this.data);
  }

  /**
   * Declare that `data` was just written in place. Code that writes into `.data` of a tensor that
   * may already be part of a recorded graph must call this, so that a backward through that
   * graph throws instead of returning silently wrong gradients.
   */
  bumpVersion(): this {
    bumpVersion(this.data);
    return this;
  }

  /** Same data, cut from the graph: no gradient flows through the result (shares the version). */
  detach(): Tensor {
    return new Tensor(this.data, this.shape, false);
  }

  /** A copy with its own buffer, in the requested dtype. */
  clone(dtype: DType = this.dtype): Tensor {
    const d = allocateUnset(dtype, this.data.length);
    d.set(this.data);
    return new Tensor(d, this.shape, false);
  }

  toString(): string {
    return `Tensor(${this.dtype}, ${fmtShape(this.shape)}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }

  /** Reverse-mode sweep from this tensor; a non-scalar root needs an explicit seed gradient. */
  backward(seed?: Tensor): void {
    runBackward(this, seed);
  }

  add(o: TensorLike): Tensor { return ops.add(this, o); }
  sub(o: TensorLike): Tensor { return ops.sub(this, o); }
  mul(o: TensorLike): Tensor { return ops.mul(this, o); }
  div(o: TensorLike): Tensor { return ops.div(this, o); }
  maximum(o: TensorLike): Tensor { return ops.maximum(this, o); }
  minimum(o: TensorLike): Tensor { return ops.minimum(this, o); }
  pow(p: number): Tensor { return ops.pow(this, p); }
  neg(): Tensor { return ops.neg(this); }
  exp(): Tensor { return ops.exp(this); }
  log(): Tensor { return ops.log(this); }
  sqrt(): Tensor { return ops.sqrt(this); }
  abs(): Tensor { return ops.abs(this); }
  relu(): Tensor { return ops.relu(this); }
  sigmoid(): Tensor { return ops.sigmoid(this); }
  tanh(): Tensor { return ops.tanh(this); }
  sum(axes?: number | readonly number[], keepdims = false): Tensor { return ops.sum(this, axes, keepdims); }
  mean(axes?: number | readonly number[], keepdims = false): Tensor { return ops.mean(this, axes, keepdims); }
  max(axes?: number | readonly number[], keepdims = false): Tensor { return ops.max(this, axes, keepdims); }
  reshape(shape: Shape): Tensor { return ops.reshape(this, shape); }
  permute(perm: readonly number[]): Tensor { return ops.permute(this, perm); }
  transpose(a0 = -2, a1 = -1): Tensor { return ops.transpose(this, a0, a1); }
  broadcastTo(shape: Shape): Tensor { return ops.broadcastTo(this, shape); }
  slice(begin: readonly number[], end: readonly number[]): Tensor { return ops.slice(this, begin, end); }
  gather(indices: ArrayLike<number>, axis = 0): Tensor { return ops.gather(this, indices, axis); }
  matmul(o: Tensor, opts: { transA?: boolean; transB?: boolean } = {}): Tensor { return ops.matmul(this, o, opts); }
  softmax(axis = -1): Tensor { return comp.softmax(this, axis); }
  logSoftmax(axis = -1): Tensor { return comp.logSoftmax(this, axis); }
  silu(): Tensor { return comp.silu(this); }
  gelu(): Tensor { return comp.gelu(this); }
}
