/**
 * The convolution kernels (src/kernels/conv.ts: im2col + the registry's matmul) on every CPU
 * backend against naive loops: forward, grad wrt input and grad wrt weight, on generated
 * geometries (stride, padding, dilation, groups, odd sizes, batch 1) and on the CNN benchmark's
 * layer shapes. js in Float64 to 1e-12 relative to Σ|terms|; js and wasm in Float32 to 1e-5 of it.
 * Also: im2col and col2im are adjoint, and the products really run on the requested backend.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { col2im, conv2dBackward, conv2dForward, convGeometry, im2col, type ConvGeometry } from '../src/kernels/conv.js';
import { lastBackend } from '../src/kernels/registry.js';
import { FC } from './helpers/gen.js';

type F = Float32Array | Float64Array;

/** Naive forward / backward in Float64, plus Σ|terms| per output for the tolerance. */
function naive(x: F, w: F, g: F, geo: ConvGeometry) {
  const { n: N, cin, h: H, w: W, cout, kh, kw, sh, sw, ph, pw, dh, dw, groups: G, oh: OH, ow: OW } = geo;
  const cg = cin / G, cgo = cout / G;
  const y = new Float64Array(N * cout * OH * OW), yAbs = new Float64Array(y.length);
  const dx = new Float64Array(x.length), dxAbs = new Float64Array(x.length);
  const dW = new Float64Array(w.length), dWAbs = new Float64Array(w.length);
  for (let n = 0; n < N; n++) for (let o = 0; o < cout; o++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
    const yi = ((n * cout + o) * OH + oy) * OW + ox;
    const grp = Math.floor(o / cgo);
    for (let ci = 0; ci < cg; ci++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
      const iy = oy * sh - ph + ky * dh, ix = ox * sw - pw + kx * dw;
      if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
      const xi = ((n * cin + grp * cg + ci) * H + iy) * W + ix, wi = ((o * cg + ci) * kh + ky) * kw + kx;
      y[yi]! += x[xi]! * w[wi]!; yAbs[yi]! += Math.abs(x[xi]! * w[wi]!);
      dx[xi]! += g[yi]! * w[wi]!; dxAbs[xi]! += Math.abs(g[yi]! * w[wi]!);
      dW[wi]! += g[yi]! * x[xi]!; dWAbs[wi]! += Math.abs(g[yi]! * x[xi]!);
    }
  }
  return { y: [y, yAbs], dx: [dx, dxAbs], dw: [dW, dWAbs] } as const;
}

function expectNear(got: F | null, [ref, abs]: readonly [Float64Array, Float64Array], rel: number, what: string): void {
  expect(got, what).not.toBeNull();
  expect(got!.length, what).toBe(ref.length);
  for (let i = 0; i < ref.length; i++) {
    if (!(Math.abs(got![i]! - ref[i]!) <= rel * (abs[i]! + 1e-30))) throw new Error(`${what}: element ${i} is ${got![i]}, reference ${ref[i]} (tolerance ${rel}·${abs[i]})`);
  }
}

const geoArb = fc
  .record({
    n: fc.integer({ min: 1, max: 3 }), groups: fc.integer({ min: 1, max: 4 }), cgIn: fc.integer({ min: 1, max: 5 }), cgOut: fc.integer({ min: 1, max: 9 }),
    kh: fc.integer({ min: 1, max: 4 }), kw: fc.integer({ min: 1, max: 4 }), sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }),
    ph: fc.integer({ min: 0, max: 3 }), pw: fc.integer({ min: 0, max: 3 }), dh: fc.integer({ min: 1, max: 3 }), dw: fc.integer({ min: 1, max: 3 }),
    eh: fc.integer({ min: 0, max: 9 }), ew: fc.integer({ min: 0, max: 9 }),
  })
  .map((r) => convGeometry({
    n: r.n, cin: r.groups * r.cgIn, cout: r.groups * r.cgOut, kh: r.kh, kw: r.kw, sh: r.sh, sw: r.sw, ph: r.ph, pw: r.pw, dh: r.dh, dw: r.dw, groups: r.groups,
    h: Math.max(1, r.dh * (r.kh - 1) + 1 - 2 * r.ph) + r.eh, w: Math.max(1, r.dw * (r.kw - 1) + 1 - 2 * r.pw) + r.ew,
  }));

function data(len: number, seed: number, f64: boolean): F {
  let s = seed >>> 0;
  const out = f64 ? new Float64Array(len) : new Float32Array(len);
  for (let i = 0; i < len; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; out[i] = s / 2 ** 31 - 1; }
  return out;
}

function checkOn(backend: string, dtype: 'float32' | 'float64', geo: ConvGeometry, seed: number): void {
  const f64 = dtype === 'float64';
  const x = data(geo.n * geo.cin * geo.h * geo.w, seed, f64), w = data(geo.cout * (geo.cin / geo.groups) * geo.kh * geo.kw, seed + 1, f64);
  const g = data(geo.n * geo.cout * geo.oh * geo.ow, seed + 2, f64);
  const ref = naive(x, w, g, geo);
  const rel = f64 ? 1e-12 : 1e-5;
  const what = `${backend} ${dtype} ${JSON.stringify(geo)}`;
  const y = conv2dForward(x, w, geo, backend);
  expect(y instanceof Float64Array, what).toBe(f64);
  expectNear(y, ref.y, rel, `forward ${what}`);
  const { dx, dw } = conv2dBackward(x, w, g, geo, { x: true, w: true }, backend);
  expectNear(dx, ref.dx, rel, `grad input ${what}`);
  expectNear(dw, ref.dw, rel, `grad weight ${what}`);
  if (f64 || backend === 'js') expect(lastBackend()).toBe('js');
  else expect(lastBackend()).toBe(backend);
  // Each gradient alone is the same as both together.
  expect(conv2dBackward(x, w, g, geo, { x: true, w: false }, backend)).toEqual({ dx, dw: null });
  expect(conv2dBackward(x, w, g, geo, { x: false, w: true }, backend)).toEqual({ dx: null, dw });
}

/** The four convolutions of ../shared/peers/cnn_common (batch cut to 2 to stay quick). */
const CNN_LAYERS: ConvGeometry[] = [
  [1, 16, 28, 3, 2, 1, 1], [16, 32, 14, 3, 2, 1, 1], [32, 32, 7, 3, 1, 1, 4], [32, 64, 7, 1, 1, 0, 1],
].map(([cin, cout, s, k, st, p, gr]) => convGeometry({ n: 2, cin: cin!, cout: cout!, h: s!, w: s!, kh: k!, kw: k!, sh: st!, sw: st!, ph: p!, pw: p!, dh: 1, dw: 1, groups: gr! }));

describe.each([['js', 'float64'], ['js', 'float32'], ['wasm', 'float32']] as const)('conv kernels on %s (%s)', (backend, dtype) => {
  it('forward, grad input and grad weight match naive loops on generated geometries', () => {
    fc.assert(fc.property(geoArb, fc.nat(1000), (geo, seed) => checkOn(backend, dtype, geo, seed)), { ...FC, numRuns: 60 });
  });
  it.each(CNN_LAYERS.map((g, i) => [i, g] as const))('CNN benchmark layer %i', (_i, geo) => checkOn(backend, dtype, geo, 5));
});

describe('im2col / col2im', () => {
  it('are adjoint: <im2col(x), c> = <x, col2im(c)>', () => {
    fc.assert(
      fc.property(geoArb, fc.nat(1000), (geo, seed) => {
        const K = (geo.cin / geo.groups) * geo.kh * geo.kw, cols = new Float64Array(geo.groups * K * geo.n * geo.oh * geo.ow);
        const x = data(geo.n * geo.cin * geo.h * geo.w, seed, true) as Float64Array, c = data(cols.length, seed + 7, true) as Float64Array;
        im2col(x, geo, cols);
        const back = new Float64Array(x.length).fill(123); // col2im must overwrite, not accumulate onto, its output
        col2im(c, geo, back);
        let l = 0, r = 0;
        for (let i = 0; i < cols.length; i++) l += cols[i]! * c[i]!;
        for (let i = 0; i < x.length; i++) r += x[i]! * back[i]!;
        expect(Math.abs(l - r)).toBeLessThanOrEqual(1e-12 * (Math.abs(l) + cols.length));
      }),
      { ...FC, numRuns: 60 },
    );
  });
});
