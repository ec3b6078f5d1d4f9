/**
 * Max and average pooling over the last two axes of an NCHW tensor: the forward loops and their
 * adjoints (no engine state here; forward.ts and vjp.ts call these). Windows follow PyTorch:
 * output size ⌊(H + 2p − k)/s⌋ + 1, max pooling ignores padding, average pooling divides by the
 * full window kh·kw including padded taps (PyTorch's default count_include_pad=True).
 */
import { allocate, type FloatArray } from './dtype.js';
import { Tensor } from './tensor.js';

export interface PoolAttrs {
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
}

interface Win { planes: number; H: number; W: number; OH: number; OW: number; kh: number; kw: number; sh: number; sw: number; ph: number; pw: number }

export function poolOutShape(shape: readonly number[], a: PoolAttrs): number[] {
  const [n, c, h, w] = shape as [number, number, number, number];
  return [n, c, Math.floor((h + 2 * a.padding[0] - a.kernel[0]) / a.stride[0]) + 1, Math.floor((w + 2 * a.padding[1] - a.kernel[1]) / a.stride[1]) + 1];
}

function win(shape: readonly number[], a: PoolAttrs): Win {
  const [, , OH, OW] = poolOutShape(shape, a) as [number, number, number, number];
  return { planes: shape[0]! * shape[1]!, H: shape[2]!, W: shape[3]!, OH, OW, kh: a.kernel[0], kw: a.kernel[1], sh: a.stride[0], sw: a.stride[1], ph: a.padding[0], pw: a.padding[1] };
}

/**
 * Flat input index of the maximum of every window (first maximum in row-major window order on
 * ties; a NaN wins, as in PyTorch). Both the forward and the backward use it, so they agree.
 */
function argmaxes(x: FloatArray, g: Win): Int32Array {
  const { planes, H, W, OH, OW, kh, kw, sh, sw, ph, pw } = g;
  const idx = new Int32Array(planes * OH * OW);
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * H * W;
    for (let oy = 0; oy < OH; oy++) {
      const y0 = Math.max(0, oy * sh - ph), y1 = Math.min(H, oy * sh - ph + kh);
      for (let ox = 0; ox < OW; ox++, o++) {
        const x0 = Math.max(0, ox * sw - pw), x1 = Math.min(W, ox * sw - pw + kw);
        let best = -Infinity, at = base + y0 * W + x0;
        search: for (let y = y0; y < y1; y++) {
          for (let xx = x0; xx < x1; xx++) {
            const v = x[base + y * W + xx]!;
            if (v !== v) { at = base + y * W + xx; break search; }
            if (v > best) { best = v; at = base + y * W + xx; }
          }
        }
        idx[o] = at;
      }
    }
  }
  return idx;
}

export function maxPoolForward(x: Tensor, a: PoolAttrs): Tensor {
  const shape = poolOutShape(x.shape, a);
  const idx = argmaxes(x.data, win(x.shape, a));
  const out = allocate(x.dtype, idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = x.data[idx[i]!]!;
  return new Tensor(out, shape);
}

/** Route each output gradient to its window's maximum (overlapping windows add up). */
export function maxPoolBackward(g: Tensor, x: Tensor, a: PoolAttrs): Tensor {
  const idx = argmaxes(x.data, win(x.shape, a));
  const dx = allocate(x.dtype, x.size);
  for (let i = 0; i < idx.length; i++) dx[idx[i]!]! += g.data[i]!;
  return new Tensor(dx, x.shape);
}

export function avgPoolForward(x: Tensor, a: PoolAttrs): Tensor {
  const g = win(x.shape, a);
  const { planes, H, W, OH, OW, kh, kw, sh, sw, ph, pw } = g;
  const out = allocate(x.dtype, planes * OH * OW);
  const d = x.data, inv = 1 / (kh * kw);
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * H * W;
    for (let oy = 0; oy < OH; oy++) {
      const y0 = Math.max(0, oy * sh - ph), y1 = Math.min(H, oy * sh - ph + kh);
      for (let ox = 0; ox < OW; ox++, o++) {
        const x0 = Math.max(0, ox * sw - pw), x1 = Math.min(W, ox * sw - pw + kw);
        let acc = 0;
        for (let y = y0; y < y1; y++) for (let xx = x0; xx < x1; xx++) acc += d[base + y * W + xx]!;
        out[o] = acc * inv;
      }
    }
  }
  return new Tensor(out, poolOutShape(x.shape, a));
}

/** Spread each output gradient evenly (1/(kh·kw)) over the input taps of its window. */
export function avgPoolBackward(gt: Tensor, xShape: readonly number[], a: PoolAttrs): Tensor {
  const { planes, H, W, OH, OW, kh, kw, sh, sw, ph, pw } = win(xShape, a);
  const dx = allocate(gt.dtype, planes * H * W);
  const g = gt.data, inv = 1 / (kh * kw);
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * H * W;
    for (let oy = 0; oy < OH; oy++) {
      const y0 = Math.max(0, oy * sh - ph), y1 = Math.min(H, oy * sh - ph + kh);
      for (let ox = 0; ox < OW; ox++, o++) {
        const x0 = Math.max(0, ox * sw - pw), x1 = Math.min(W, ox * sw - pw + kw);
        const v = g[o]! * inv;
        for (let y = y0; y < y1; y++) for (let xx = x0; xx < x1; xx++) dx[base + y * W + xx]! += v;
      }
    }
  }
  return new Tensor(dx, xShape);
}
