/**
 * npx tsx bench/sigmoid-ziv.ts [--stride 1] — silu's forward pass with the short exp and the
 * rounding test (src/kernels/wasm/silu-fast.ts) against the exact pass and the JS loop:
 *
 * 1. the polynomial: the degree-8 Chebyshev interpolant of exp on |r| ≤ 0.35, recomputed here,
 *    must equal the coefficients written out in silu-fast.ts; its relative error on a fine grid;
 * 2. speed: the fast and the exact pass (silu_exact, fdlibm's exp) alternated on the fit's largest
 *    silu input (30,400 values like pre-activations);
 * 3. bits: the fast pass against the JS loop (src/autograd/fused.ts's) at every `--stride`-th
 *    float32 bit pattern inside the exp's range (|x| < 708); the default, 1, is all 2³² of them
 *    (about 70 s on one core): with rounding monotonic and every lane computed alone, that
 *    is the proof that the fast pass stores the loop's bits for every input.
 */
import { parseArgs } from 'node:util';
import { wasmActModuleBytes } from '../src/kernels/wasm/index.js';
import { EXP_POLY } from '../src/kernels/wasm/silu-fast.js';
import { median, timeIt } from './lib/stats.js';

const { values } = parseArgs({ options: { stride: { type: 'string' } } });
const STRIDE = Number(values.stride ?? 1);
if (!Number.isInteger(STRIDE) || STRIDE < 1) throw new Error(`sigmoid-ziv: --stride expects a positive integer, got ${values.stride}`);

/** Monomial coefficients of the Chebyshev interpolant of exp on [−h, h]. */
function chebExp(deg: number, h: number): number[] {
  const n = deg + 1;
  const nodes = Array.from({ length: n }, (_, j) => Math.cos((Math.PI * (j + 0.5)) / n));
  const cheb = Array.from({ length: n }, (_, k) => (2 / n) * nodes.reduce((s, t) => s + Math.exp(h * t) * Math.cos(k * Math.acos(t)), 0));
  cheb[0]! /= 2;
  const mono = new Array<number>(n).fill(0);
  let prev = [1], cur = [0, 1];
  mono[0]! += cheb[0]!;
  if (n > 1) mono[1]! += cheb[1]!;
  for (let k = 2; k < n; k++) {
    const next = new Array<number>(k + 1).fill(0);
    cur.forEach((c, i) => (next[i + 1]! += 2 * c));
    prev.forEach((c, i) => (next[i]! -= c));
    [prev, cur] = [cur, next];
    cur.forEach((c, i) => (mono[i]! += cheb[k]! * c));
  }
  return mono.map((a, i) => a / h ** i);
}

const coef = chebExp(8, 0.35);
let polyErr = 0;
for (let i = 0; i <= 1_000_000; i++) {
  const r = -0.35 + (0.7 * i) / 1_000_000;
  let p = EXP_POLY[EXP_POLY.length - 1]!;
  for (let d = EXP_POLY.length - 2; d >= 0; d--) p = p * r + EXP_POLY[d]!;
  polyErr = Math.max(polyErr, Math.abs(p / Math.exp(r) - 1));
}

const memory = new WebAssembly.Memory({ initial: 1024 });
const k = new WebAssembly.Instance(new WebAssembly.Module(wasmActModuleBytes()[0]!), { env: { memory } }).exports as Record<string, (...a: number[]) => number>;
const fast = k.silu_fwd!, exact = k.silu_exact!;
const f32 = new Float32Array(memory.buffer), u32 = new Uint32Array(memory.buffer);
const N = 1 << 20, X = 0, S = 4 * N, OUT = 8 * N;

// Speed, alternated: the fit's largest silu input, values like its pre-activations.
const n = 30400;
for (let i = 0; i < n; i++) f32[i] = 4 * Math.sin(i * 0.37);
const times: Record<string, number[]> = { exact: [], fast: [] };
for (let r = 0; r < 7; r++) {
  times.exact!.push(timeIt(() => exact(X, S, OUT, n * 4), 60));
  times.fast!.push(timeIt(() => fast(X, S, OUT, n * 4), 60));
}
const ns = (k: string) => (median(times[k]!) * 1e6) / n;

// Bits: every STRIDE-th float32 pattern against the JS loop (fused.ts's), lanes the exp's range covers.
let checked = 0, mismatches = 0, redone = 0;
const t0 = performance.now();
const xs = new Float32Array(memory.buffer, X, N), sj = new Float32Array(N), oj = new Float32Array(N);
const sb = new Uint32Array(sj.buffer), ob = new Uint32Array(oj.buffer);
for (let base = 0; base < 2 ** 32; base += N * STRIDE) {
  const len = Math.min(N, Math.ceil((2 ** 32 - base) / STRIDE));
  for (let i = 0; i < len; i++) u32[i] = (base + i * STRIDE) >>> 0;
  redone += fast(X, S, OUT, Math.ceil(len / 8) * 32) >> 1;
  for (let i = 0; i < len; i++) {
    const v = xs[i]!;
    if (!(Math.abs(v) < 708)) continue;
    if (v >= 0) sj[i] = 1 / (1 + Math.exp(-v));
    else { const e = Math.exp(v); sj[i] = e / (1 + e); }
    oj[i] = v * sj[i]!;
    checked++;
    if (u32[S / 4 + i] !== sb[i] || u32[OUT / 4 + i] !== ob[i]) mismatches++;
  }
}
console.log(JSON.stringify({
  coefficients_reproduced: coef.every((c, i) => c === EXP_POLY[i]), poly_max_rel_error_log2: Number(Math.log2(polyErr).toFixed(2)),
  ns_per_value: { exact: Number(ns('exact').toFixed(2)), fast: Number(ns('fast').toFixed(2)) }, speedup: Number((ns('exact') / ns('fast')).toFixed(2)),
  stride: STRIDE, checked, mismatches, groups_redone: redone, check_s: Math.round((performance.now() - t0) / 1000),
}));
