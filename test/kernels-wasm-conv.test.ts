/**
 * The wasm backend's whole convolutions (Backend.conv2d: im2col, col2im and the permutes of
 * src/kernels/wasm/conv-kernel.ts in linear memory) against conv.ts's route through the same
 * backend's matmul with the JS data movement: equal bit for bit, forward and both gradients, on
 * generated geometries (stride, padding, dilation, groups, 1×1 with batch 1 and more, odd sizes)
 * and on the CNN benchmark's layers. The naive-loop checks of every backend are in
 * kernels-conv.test.ts (which runs this route for 'wasm'). Also batch norm's passes on the wasm
 * backend (src/kernels/wasm/bn-kernel.ts) against the JS loops of src/autograd/batchnorm.ts: equal
 * bit for bit.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { batchNormBackward, batchNormForward, batchStats } from '../src/autograd/batchnorm.js';
import { Tensor } from '../src/autograd/tensor.js';
import { conv2dBackward, conv2dForward, convGeometry, wholeConvBackend, type ConvGeometry } from '../src/kernels/conv.js';
import { backendStats, getBackend, registerBackend, resetBackendStats, unregisterBackend, withBackend } from '../src/kernels/registry.js';
import type { WasmBackend } from '../src/kernels/wasm/index.js';
import { createWasmBackend, SYNC_COMPILE_LIMIT, wasmConvModuleBytes } from '../src/kernels/wasm/index.js';
import { FC } from './helpers/gen.js';

// The same wasm kernels without whole convolutions: conv.ts then takes its matmul route on them.
const { conv2d: _whole, ...matmulOnly } = createWasmBackend();
registerBackend({ ...matmulOnly, name: 'wasm-matmul-route' });
afterAll(() => unregisterBackend('wasm-matmul-route'));

function data(len: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(len);
  for (let i = 0; i < len; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; out[i] = s / 2 ** 31 - 1; }
  return out;
}

function same(got: Float32Array | Float64Array | null, want: Float32Array | Float64Array | null, what: string): void {
  expect(got, what).not.toBeNull();
  expect(got!.length, what).toBe(want!.length);
  for (let i = 0; i < want!.length; i++) {
    if (!Object.is(got![i], want![i])) throw new Error(`${what}: element ${i} is ${got![i]}, the matmul route gives ${want![i]}`);
  }
}

function check(geo: ConvGeometry, seed: number): void {
  const x = data(geo.n * geo.cin * geo.h * geo.w, seed), w = data(geo.cout * (geo.cin / geo.groups) * geo.kh * geo.kw, seed + 1);
  const g = data(geo.n * geo.cout * geo.oh * geo.ow, seed + 2);
  const what = JSON.stringify(geo);
  expect(wholeConvBackend(geo, 'float32', 'wasm')?.name).toBe('wasm');
  expect(wholeConvBackend(geo, 'float32', 'wasm-matmul-route')).toBeNull();
  same(conv2dForward(x, w, geo, 'wasm'), conv2dForward(x, w, geo, 'wasm-matmul-route'), `forward ${what}`);
  const got = conv2dBackward(x, w, g, geo, { x: true, w: true }, 'wasm');
  const want = conv2dBackward(x, w, g, geo, { x: true, w: true }, 'wasm-matmul-route');
  same(got.dx, want.dx, `grad input ${what}`);
  same(got.dw, want.dw, `grad weight ${what}`);
  expect(conv2dBackward(x, w, g, geo, { x: true, w: false }, 'wasm')).toEqual({ dx: got.dx, dw: null });
  expect(conv2dBackward(x, w, g, geo, { x: false, w: true }, 'wasm')).toEqual({ dx: null, dw: got.dw });
}

const geoArb = fc
  .record({
    n: fc.integer({ min: 1, max: 3 }), groups: fc.integer({ min: 1, max: 3 }), cgIn: fc.integer({ min: 1, max: 4 }), cgOut: fc.integer({ min: 1, max: 9 }),
    kh: fc.integer({ min: 1, max: 4 }), kw: fc.integer({ min: 1, max: 4 }), sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }),
    ph: fc.integer({ min: 0, max: 3 }), pw: fc.integer({ min: 0, max: 3 }), dh: fc.integer({ min: 1, max: 2 }), dw: fc.integer({ min: 1, max: 2 }),
    eh: fc.integer({ min: 0, max: 11 }), ew: fc.integer({ min: 0, max: 11 }), pointwise: fc.boolean(),
  })
  .map((r) => {
    // One case in two (before the 1×1 override) is a 1×1 stride-1 unpadded conv: the permute route.
    const [kh, kw, sh, sw, ph, pw] = r.pointwise ? [1, 1, 1, 1, 0, 0] : [r.kh, r.kw, r.sh, r.sw, r.ph, r.pw];
    return convGeometry({
      n: r.n, cin: r.groups * r.cgIn, cout: r.groups * r.cgOut, kh, kw, sh, sw, ph, pw, dh: r.dh, dw: r.dw, groups: r.groups,
      h: Math.max(1, r.dh * (kh - 1) + 1 - 2 * ph) + r.eh, w: Math.max(1, r.dw * (kw - 1) + 1 - 2 * pw) + r.ew,
    });
  });

describe('wasm whole convolutions', () => {
  it('the convolution module validates and stays under the synchronous-compile limit', () => {
    const bytes = wasmConvModuleBytes();
    expect(WebAssembly.validate(bytes)).toBe(true);
    expect(bytes.length).toBeLessThan(SYNC_COMPILE_LIMIT);
    expect(Number(getBackend('wasm').describe!().convModuleBytes)).toBe(bytes.length);
  });

  it('equal the matmul route bit for bit on generated geometries', () => {
    fc.assert(fc.property(geoArb, fc.nat(1000), (geo, seed) => check(geo, seed)), { ...FC, numRuns: 120 });
  });

  it.each([
    [1, 16, 28, 3, 2, 1, 1], [16, 32, 14, 3, 2, 1, 1], [32, 32, 7, 3, 1, 1, 4], [32, 64, 7, 1, 1, 0, 1],
  ])('equal the matmul route on the CNN benchmark layer %i→%i (batch 64)', (cin, cout, s, k, st, p, gr) => {
    check(convGeometry({ n: 64, cin, cout, h: s, w: s, kh: k, kw: k, sh: st, sw: st, ph: p, pw: p, dh: 1, dw: 1, groups: gr }), 3);
  });

  it('count their products as the wasm backend\'s in backendStats', () => {
    const geo = convGeometry({ n: 2, cin: 4, cout: 6, h: 5, w: 5, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, groups: 2 });
    const x = data(2 * 4 * 25, 1), w = data(6 * 2 * 9, 2), g = data(2 * 6 * 25, 3);
    resetBackendStats();
    conv2dForward(x, w, geo, 'wasm');
    conv2dBackward(x, w, g, geo, { x: true, w: true }, 'wasm');
    expect(backendStats()).toEqual({ wasm: 3 });
    // Float64 stays on js's matmul route.
    expect(wholeConvBackend(geo, 'float64', 'wasm')).toBeNull();
  });
});

describe('wasm batch norm', () => {
  const bn = (backend: string, x: Tensor, g: Tensor, gamma: Tensor, beta: Tensor, needs: boolean[]) => withBackend(backend, () => {
    const { mean, variance } = batchStats(x);
    const attrs = { eps: 1e-5, mean, invStd: variance.map((v) => 1 / Math.sqrt(v + 1e-5)) };
    return { mean, variance, y: batchNormForward(x, gamma, beta, attrs).data, grads: batchNormBackward(g, x, gamma, attrs, needs).map((t) => t?.data ?? null) };
  });

  it('statistics, forward and backward equal the JS loops bit for bit (and run in wasm from 1024 elements)', () => {
    const wasm = getBackend('wasm') as WasmBackend;
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 70 }), fc.nat(1000), fc.double({ min: -3, max: 3, noNaN: true }), fc.boolean(),
      (N, C, S, seed, offset, needX) => {
        const x = new Tensor(data(N * C * S, seed).map((v) => v * 2 + offset), [N, C, S]);
        const g = new Tensor(data(N * C * S, seed + 1), [N, C, S]);
        const gamma = new Tensor(data(C, seed + 2), [C]), beta = new Tensor(data(C, seed + 3), [C]);
        const needs = [needX, true, true];
        const calls = wasm.traffic().calls;
        const got = bn('wasm', x, g, gamma, beta, needs), want = bn('js', x, g, gamma, beta, needs);
        // stats, forward, backward: three calls when the size reaches the backend's threshold.
        expect(wasm.traffic().calls - calls).toBe(x.size >= wasm.autoMinElements! ? 3 : 0);
        for (let c = 0; c < C; c++) {
          expect(Object.is(got.mean[c], want.mean[c]), `mean ${c}`).toBe(true);
          expect(Object.is(got.variance[c], want.variance[c]), `variance ${c}`).toBe(true);
        }
        same(got.y as Float32Array, want.y as Float32Array, 'forward');
        if (needX) same(got.grads[0] as Float32Array, want.grads[0] as Float32Array, 'grad input');
        else expect(got.grads[0]).toBeNull();
        same(got.grads[1] as Float32Array, want.grads[1] as Float32Array, 'grad gamma');
        same(got.grads[2] as Float32Array, want.grads[2] as Float32Array, 'grad beta');
      },
    ), { ...FC, numRuns: 80 });
  });
});
