/**
 * 2-D convolution (NCHW input, OIHW weight, groups) as im2col + the registry's matmul, so every
 * backend with a matmul runs convolutions, and the backward pass reuses the same products with
 * transpose flags instead of transposed copies:
 *   forward       Y_g  = W_g · cols_g              (Cout/G × K) · (K × N·P)
 *   grad weight   dW_g = G_g · cols_gᵀ              (Cout/G × N·P) · (N·P × K)
 *   grad input    dcols_g = W_gᵀ · G_g, dx = col2im(dcols)
 * with K = Cin/G·kh·kw and P = OH·OW. The columns are laid out channel-major, [G][K][N·P], so that
 * each group is one product over the whole batch (depth N·P for dW, not P): one backend call per
 * convolution instead of N·G small ones. The price is one permute of Y (and of G) between
 * [C, N, P] and NCHW, skipped when N = 1. Measured choice, see bench/README.md (CNN section).
 */
import type { Backend, FloatArray } from './backend.js';
import { backendFor, noteRun, runMatmul } from './registry.js';

/** Everything a convolution's loops need; `oh`/`ow` are derived by `convGeometry`. */
export interface ConvGeometry {
  readonly n: number; readonly cin: number; readonly h: number; readonly w: number;
  readonly cout: number; readonly kh: number; readonly kw: number;
  readonly sh: number; readonly sw: number; readonly ph: number; readonly pw: number;
  readonly dh: number; readonly dw: number; readonly groups: number;
  readonly oh: number; readonly ow: number;
}

/** Output size along one axis (PyTorch's formula); may be ≤ 0 for a kernel larger than the input. */
export function convOutSize(size: number, k: number, stride: number, pad: number, dil: number): number {
  return Math.floor((size + 2 * pad - dil * (k - 1) - 1) / stride) + 1;
}

export function convGeometry(g: Omit<ConvGeometry, 'oh' | 'ow'>): ConvGeometry {
  return { ...g, oh: convOutSize(g.h, g.kh, g.sh, g.ph, g.dh), ow: convOutSize(g.w, g.kw, g.sw, g.pw, g.dw) };
}

const alloc = (like: FloatArray, n: number): FloatArray => (like instanceof Float64Array ? new Float64Array(n) : new Float32Array(n));

/**
 * Two reusable scratch buffers per dtype for the intermediates that never leave a call (the
 * channel-major output and gradient, the gradient's columns): a CNN step otherwise allocates and
 * zero-fills megabytes of them, and the garbage collector pays again. Grown, never shrunk; the
 * functions here are synchronous and never hold a slot across calls.
 */
const scratch = { float32: [new Float32Array(0), new Float32Array(0)], float64: [new Float64Array(0), new Float64Array(0)] };
function temp(like: FloatArray, n: number, slot: 0 | 1): FloatArray {
  const pool: FloatArray[] = like instanceof Float64Array ? scratch.float64 : scratch.float32;
  if (pool[slot]!.length < n) pool[slot] = alloc(like, n);
  return pool[slot]!.subarray(0, n);
}
const dtypeOf = (a: FloatArray): 'float32' | 'float64' => (a instanceof Float64Array ? 'float64' : 'float32');

/** First and one-past-last output column whose tap at kernel column offset `off` lands inside [0, size). */
function validRange(off: number, stride: number, size: number, outSize: number): [number, number] {
  // ox·stride + off ∈ [0, size)  ⇔  ox ∈ [ceil(-off/stride), ceil((size-off)/stride))
  const lo = Math.min(outSize, Math.max(0, Math.ceil(-off / stride)));
  const hi = Math.min(outSize, Math.ceil((size - off) / stride));
  return [lo, Math.max(lo, hi)];
}

/**
 * cols[(g·K + r)·N·P + n·P + oy·OW + ox] = x[n, g·Cg + ci, oy·sh − ph + ky·dh, ox·sw − pw + kx·dw]
 * (0 outside the input), r = (ci·kh + ky)·kw + kx.
 */
export function im2col(x: FloatArray, geo: ConvGeometry, cols: FloatArray): void {
  const { n: N, cin, h: H, w: W, kh, kw, sh, sw, ph, pw, dh, dw, oh: OH, ow: OW } = geo;
  const P = OH * OW, NP = N * P;
  for (let c = 0; c < cin; c++) {
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++) {
        // Channels are consecutive across groups, so row (c, ky, kx) is simply c·kh·kw + ky·kw + kx.
        const row = ((c * kh + ky) * kw + kx) * NP;
        const xoff = kx * dw - pw;
        const [x0, x1] = validRange(xoff, sw, W, OW);
        for (let n = 0; n < N; n++) {
          const src = (n * cin + c) * H * W;
          for (let oy = 0; oy < OH; oy++) {
            const dst = row + n * P + oy * OW;
            const iy = oy * sh - ph + ky * dh;
            // Plain loops: rows are short (7–28 here), where subarray/fill/set calls cost more than they save.
            if (iy < 0 || iy >= H) {
              for (let ox = 0; ox < OW; ox++) cols[dst + ox] = 0;
              continue;
            }
            const base = src + iy * W + xoff;
            for (let ox = 0; ox < x0; ox++) cols[dst + ox] = 0;
            if (sw === 1) for (let ox = x0; ox < x1; ox++) cols[dst + ox] = x[base + ox]!;
            else for (let ox = x0; ox < x1; ox++) cols[dst + ox] = x[base + ox * sw]!;
            for (let ox = x1; ox < OW; ox++) cols[dst + ox] = 0;
          }
        }
      }
    }
  }
}

/** The adjoint of im2col: dx[...] += cols[...] over every tap that read it; dx is zeroed first. */
export function col2im(cols: FloatArray, geo: ConvGeometry, dx: FloatArray): void {
  const { n: N, cin, h: H, w: W, kh, kw, sh, sw, ph, pw, dh, dw, oh: OH, ow: OW } = geo;
  const P = OH * OW, NP = N * P;
  dx.fill(0);
  for (let c = 0; c < cin; c++) {
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++) {
        const row = ((c * kh + ky) * kw + kx) * NP;
        const xoff = kx * dw - pw;
        const [x0, x1] = validRange(xoff, sw, W, OW);
        for (let n = 0; n < N; n++) {
          const dst = (n * cin + c) * H * W;
          for (let oy = 0; oy < OH; oy++) {
            const iy = oy * sh - ph + ky * dh;
            if (iy < 0 || iy >= H) continue;
            const src = row + n * P + oy * OW;
            const base = dst + iy * W + xoff;
            if (sw === 1) for (let ox = x0; ox < x1; ox++) dx[base + ox]! += cols[src + ox]!;
            else for (let ox = x0; ox < x1; ox++) dx[base + ox * sw]! += cols[src + ox]!;
          }
        }
      }
    }
  }
}

/** out[b, a, p] = x[a, b, p]: swap the two leading axes of [A, B, P] (P contiguous). */
function swap01(x: FloatArray, A: number, B: number, P: number, out: FloatArray): void {
  // A plain loop: chunks are short (49–196 here), where subarray + set costs more than it saves.
  for (let a = 0; a < A; a++) {
    for (let b = 0; b < B; b++) {
      const src = (a * B + b) * P, dst = (b * A + a) * P;
      for (let p = 0; p < P; p++) out[dst + p] = x[src + p]!;
    }
  }
}

function offsets(count: number, step: number): Int32Array {
  return Int32Array.from({ length: count }, (_, i) => i * step);
}

/**
 * The columns of x for this geometry, [G][K][N·P] (x itself, untouched, for a 1×1 stride-1
 * unpadded conv of one image). The forward's columns may be kept and handed to conv2dBackward.
 */
export function convColumns(x: FloatArray, geo: ConvGeometry): FloatArray {
  const K = (geo.cin / geo.groups) * geo.kh * geo.kw;
  const trivial = geo.kh === 1 && geo.kw === 1 && geo.sh === 1 && geo.sw === 1 && geo.ph === 0 && geo.pw === 0;
  if (trivial && geo.n === 1) return x;
  const cols = alloc(x, geo.groups * K * geo.n * geo.oh * geo.ow);
  // A 1×1 stride-1 conv's columns are x with N and C swapped; the permute is cheaper than the taps.
  if (trivial) swap01(x, geo.n, geo.cin, geo.h * geo.w, cols);
  else im2col(x, geo, cols);
  return cols;
}

/**
 * The backend that runs this convolution's products (the registry's choice for the forward
 * product, as runMatmul makes it) when it also runs whole convolutions in its own memory
 * (Backend.conv2d: the columns and permutes then never pass through JS), else null.
 */
export function wholeConvBackend(geo: ConvGeometry, dtype: 'float32' | 'float64', backend?: string): Backend | null {
  const G = geo.groups, K = (geo.cin / G) * geo.kh * geo.kw;
  const spec = { m: geo.cout / G, n: geo.n * geo.oh * geo.ow, k: K, batch: G } as Parameters<typeof backendFor>[0];
  const b = backendFor(spec, dtype, backend);
  return b.conv2d !== undefined && dtype === 'float32' ? b : null;
}

/**
 * y (NCHW, [N, Cout, OH, OW]) = conv(x, w); `backend` overrides the registry's selection; `cols`:
 * convColumns(x, geo) when the caller has them (unused when the backend runs whole convolutions).
 */
export function conv2dForward(x: FloatArray, w: FloatArray, geo: ConvGeometry, backend?: string, cols?: FloatArray): FloatArray {
  const { n: N, cout, groups: G, oh, ow } = geo;
  const whole = wholeConvBackend(geo, dtypeOf(x), backend);
  if (whole !== null) {
    const y = whole.conv2d!.forward(x as Float32Array, w as Float32Array, geo);
    noteRun(whole.name, 1);
    return y;
  }
  cols ??= convColumns(x, geo);
  const P = oh * ow, NP = N * P, cgo = cout / G, K = (geo.cin / G) * geo.kh * geo.kw;
  const yc = N === 1 ? alloc(x, cout * NP) : temp(x, cout * NP, 0);
  runMatmul({ a: w, b: cols, out: yc, m: cgo, n: NP, k: K, transA: false, transB: false, batch: G, aOffsets: offsets(G, cgo * K), bOffsets: offsets(G, K * NP) }, dtypeOf(x), backend);
  if (N === 1) return yc;
  const y = alloc(x, cout * NP);
  swap01(yc, cout, N, P, y);
  return y;
}

/**
 * Gradients of a convolution for an output gradient g (NCHW): dx (same layout as x) and dw
 * (OIHW), each only when asked for; `cols` = convColumns(x, geo) when the caller kept them.
 */
export function conv2dBackward(
  x: FloatArray, w: FloatArray, g: FloatArray, geo: ConvGeometry, need: { x: boolean; w: boolean }, backend?: string, cols?: FloatArray,
): { dx: FloatArray | null; dw: FloatArray | null } {
  const { n: N, cout, groups: G, oh, ow } = geo;
  const P = oh * ow, NP = N * P, cgo = cout / G, K = (geo.cin / G) * geo.kh * geo.kw;
  const dt = dtypeOf(x);
  const whole = wholeConvBackend(geo, dt, backend);
  if (whole !== null) {
    const r = whole.conv2d!.backward(x as Float32Array, w as Float32Array, g as Float32Array, geo, need);
    noteRun(whole.name, (need.x ? 1 : 0) + (need.w ? 1 : 0));
    return r;
  }
  let gc = g;
  if (N > 1) {
    gc = temp(g, cout * NP, 0);
    swap01(g, N, cout, P, gc);
  }
  let dw: FloatArray | null = null, dx: FloatArray | null = null;
  if (need.w) {
    cols ??= convColumns(x, geo);
    dw = alloc(x, w.length);
    runMatmul({ a: gc, b: cols, out: dw, m: cgo, n: K, k: NP, transA: false, transB: true, batch: G, aOffsets: offsets(G, cgo * NP), bOffsets: offsets(G, K * NP) }, dt, backend);
  }
  if (need.x) {
    const trivial = geo.kh === 1 && geo.kw === 1 && geo.sh === 1 && geo.sw === 1 && geo.ph === 0 && geo.pw === 0;
    // dcols becomes dx itself for a 1×1 conv of one image; otherwise it is scratch.
    const dcols = trivial && N === 1 ? alloc(x, G * K * NP) : temp(x, G * K * NP, 1);
    runMatmul({ a: w, b: gc, out: dcols, m: K, n: NP, k: cgo, transA: true, transB: false, batch: G, aOffsets: offsets(G, cgo * K), bOffsets: offsets(G, cgo * NP) }, dt, backend);
    if (trivial && N === 1) dx = dcols;
    else if (trivial) {
      dx = alloc(x, x.length);
      swap01(dcols, geo.cin, N, geo.h * geo.w, dx);
    } else {
      dx = alloc(x, x.length);
      col2im(dcols, geo, dx);
    }
  }
  return { dx, dw };
}
