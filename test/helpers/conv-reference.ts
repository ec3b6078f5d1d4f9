/**
 * Plain references for the convolutional ops, sharing no code with src: naive loops over nested
 * indices in Float64, written for obviousness (PyTorch's definitions: NCHW, OIHW, groups,
 * dilation; average pooling counts padded taps; max pooling ignores them).
 */
import { at, build, type Arr } from './reference.js';

export interface ConvArgs { stride: [number, number]; padding: [number, number]; dilation: [number, number]; groups: number }

export function conv2d(x: Arr, w: Arr, a: ConvArgs): Arr {
  const [N, C, H, W] = x.shape as number[];
  const [O, Cg, KH, KW] = w.shape as number[];
  const OH = Math.floor((H! + 2 * a.padding[0] - a.dilation[0] * (KH! - 1) - 1) / a.stride[0]) + 1;
  const OW = Math.floor((W! + 2 * a.padding[1] - a.dilation[1] * (KW! - 1) - 1) / a.stride[1]) + 1;
  const perGroupOut = O! / a.groups;
  void C;
  return build([N!, O!, OH, OW], ([n, o, oy, ox]) => {
    const g = Math.floor(o! / perGroupOut);
    let s = 0;
    for (let ci = 0; ci < Cg!; ci++) {
      for (let ky = 0; ky < KH!; ky++) {
        for (let kx = 0; kx < KW!; kx++) {
          const iy = oy! * a.stride[0] - a.padding[0] + ky * a.dilation[0];
          const ix = ox! * a.stride[1] - a.padding[1] + kx * a.dilation[1];
          if (iy < 0 || iy >= H! || ix < 0 || ix >= W!) continue;
          s += at(x, [n!, g * Cg! + ci, iy, ix]) * at(w, [o!, ci, ky, kx]);
        }
      }
    }
    return s;
  });
}

export interface PoolArgs { kernel: [number, number]; stride: [number, number]; padding: [number, number] }

function pool(x: Arr, a: PoolArgs, f: (taps: number[]) => number): Arr {
  const [N, C, H, W] = x.shape as number[];
  const OH = Math.floor((H! + 2 * a.padding[0] - a.kernel[0]) / a.stride[0]) + 1;
  const OW = Math.floor((W! + 2 * a.padding[1] - a.kernel[1]) / a.stride[1]) + 1;
  return build([N!, C!, OH, OW], ([n, c, oy, ox]) => {
    const taps: number[] = [];
    for (let ky = 0; ky < a.kernel[0]; ky++) {
      for (let kx = 0; kx < a.kernel[1]; kx++) {
        const iy = oy! * a.stride[0] - a.padding[0] + ky, ix = ox! * a.stride[1] - a.padding[1] + kx;
        if (iy >= 0 && iy < H! && ix >= 0 && ix < W!) taps.push(at(x, [n!, c!, iy, ix]));
      }
    }
    return f(taps);
  });
}

export const maxPool2d = (x: Arr, a: PoolArgs): Arr => pool(x, a, (t) => Math.max(...t));
export const avgPool2d = (x: Arr, a: PoolArgs): Arr => pool(x, a, (t) => t.reduce((s, v) => s + v, 0) / (a.kernel[0] * a.kernel[1]));

/** Training-mode batch norm over axis 1 with biased batch variance. */
export function batchNorm(x: Arr, gamma: Arr, beta: Arr, eps: number): Arr {
  const C = x.shape[1]!;
  const mean: number[] = [], variance: number[] = [];
  for (let c = 0; c < C; c++) {
    const vals = x.data.filter((_, i) => channelOf(x.shape, i) === c);
    const m = vals.reduce((s, v) => s + v, 0) / vals.length;
    mean.push(m);
    variance.push(vals.reduce((s, v) => s + (v - m) ** 2, 0) / vals.length);
  }
  return { shape: [...x.shape], data: x.data.map((v, i) => {
    const c = channelOf(x.shape, i);
    return ((v - mean[c]!) / Math.sqrt(variance[c]! + eps)) * gamma.data[c]! + beta.data[c]!;
  }) };
}

/** Evaluation-mode batch norm: the given statistics, as constants. */
export function batchNormEval(x: Arr, gamma: Arr, beta: Arr, mean: number[], variance: number[], eps: number): Arr {
  return { shape: [...x.shape], data: x.data.map((v, i) => {
    const c = channelOf(x.shape, i);
    return ((v - mean[c]!) / Math.sqrt(variance[c]! + eps)) * gamma.data[c]! + beta.data[c]!;
  }) };
}

function channelOf(shape: readonly number[], i: number): number {
  const inner = shape.slice(2).reduce((n, d) => n * d, 1);
  return Math.floor(i / inner) % shape[1]!;
}
