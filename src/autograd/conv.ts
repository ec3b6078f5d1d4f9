/**
 * The conv2d primitive's tensor-level forward and backward, on the kernels of src/kernels/conv.ts
 * (im2col + the registry's matmul, so the selected backend runs the products). No engine state.
 */
import { conv2dBackward, conv2dForward, convColumns, convGeometry, wholeConvBackend, type ConvGeometry } from '../kernels/conv.js';
import type { FloatArray } from './dtype.js';
import { isGradEnabled } from './engine.js';
import type { OpAttrs } from './op-types.js';
import { Tensor } from './tensor.js';

export type Conv2dAttrs = OpAttrs['conv2d'];

/** Geometry of x [N, Cin, H, W] ⊛ w [Cout, Cin/G, kh, kw] (shapes validated by conv-ops.ts). */
export function geometryOf(xs: readonly number[], ws: readonly number[], a: Conv2dAttrs): ConvGeometry {
  return convGeometry({
    n: xs[0]!, cin: xs[1]!, h: xs[2]!, w: xs[3]!, cout: ws[0]!, kh: ws[2]!, kw: ws[3]!,
    sh: a.stride[0], sw: a.stride[1], ph: a.padding[0], pw: a.padding[1], dh: a.dilation[0], dw: a.dilation[1], groups: a.groups,
  });
}

/**
 * The forward's im2col columns, kept for the weight gradient while the output (and so the graph
 * that can reach this node) is alive: the backward then skips a second im2col. Only kept when a
 * weight gradient can be asked for, so inference holds no columns.
 */
const keptColumns = new WeakMap<Tensor, FloatArray>();

export function conv2dTensor(x: Tensor, w: Tensor, a: Conv2dAttrs): Tensor {
  const geo = geometryOf(x.shape, w.shape, a);
  // A backend that runs whole convolutions makes the columns in its own memory, again for the
  // backward (cheaper there than moving them out and back in): nothing to keep.
  if (wholeConvBackend(geo, x.dtype) !== null) return new Tensor(conv2dForward(x.data, w.data, geo), [geo.n, geo.cout, geo.oh, geo.ow]);
  const cols = convColumns(x.data, geo);
  const out = new Tensor(conv2dForward(x.data, w.data, geo, undefined, cols), [geo.n, geo.cout, geo.oh, geo.ow]);
  if (w.requiresGrad && isGradEnabled() && cols !== x.data) keptColumns.set(out, cols);
  return out;
}

export function conv2dGrads(g: Tensor, x: Tensor, w: Tensor, out: Tensor, a: Conv2dAttrs, needs: readonly boolean[]): (Tensor | null)[] {
  const geo = geometryOf(x.shape, w.shape, a);
  const cols = keptColumns.get(out);
  keptColumns.delete(out);
  const { dx, dw } = conv2dBackward(x.data, w.data, g.data, geo, { x: needs[0] === true, w: needs[1] === true }, undefined, cols);
  return [dx === null ? null : new Tensor(dx, x.shape), dw === null ? null : new Tensor(dw, w.shape)];
}
