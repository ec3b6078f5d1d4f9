/**
 * npx tsx bench/sigmoid-ziv.ts [--stride 97] [--degree 9] — would a cheaper exp in silu's forward
 * pass keep its bits and pay? (issue 23; silu_fwd is 13–17 % of a PredNAS or Wen run,
 * bench/run-anatomy.ts.)
 *
 * silu's stored sigmoid is s = fround(D), D the double that fdlibm's exp and two IEEE operations
 * give (src/autograd/fused.ts; the wasm kernel reproduces those operations). A cheaper
 * approximation A of the same sigmoid — exp(−|v|) reduced by k·ln2 with round-to-nearest, a
 * Chebyshev polynomial of `--degree` on |r| ≤ 0.35 and no division, then the sigmoid's one
 * division — is within a small relative error of D; where A·(1 − μ) and A·(1 + μ) round to the
 * same float32, so does D (rounding is monotonic), and A's rounding is stored. Else the lanes'
 * group is recomputed by the exact kernel (a Ziv rounding test). The same bits by construction,
 * if μ bounds the error; this bench checks it against the JS loop on every `--stride`-th float32
 * bit pattern and times both kernels on the fit's largest silu (30,400 values).
 */
import { parseArgs } from 'node:util';
import { activationFunctions } from '../src/kernels/wasm/act-kernel.js';
import { Code, I32, V128, moduleBytes } from '../src/kernels/wasm/emit.js';
import { select } from '../src/kernels/wasm/fdlibm.js';
import { median, timeIt } from './lib/stats.js';

const { values } = parseArgs({ options: { stride: { type: 'string' }, degree: { type: 'string' }, margin: { type: 'string' } } });
const STRIDE = Number(values.stride ?? 97);
const DEG = Number(values.degree ?? 9);
const MARGIN = 2 ** -Number(values.margin ?? 42);
const UNROLL = 4; // pairs per group: the exact kernel's group, so one call redoes one group
const LN2_HI = 6.93147180369123816490e-01, LN2_LO = 1.90821492927058770002e-10, INV_LN2 = 1.44269504088896338700e+00;
/** 1.5·2⁵²: adding it rounds to an integer k and leaves k in the low bits. */
const SHIFT = 6755399441055744;
const ONE_BITS = [...new Array<number>(6).fill(0), 0xf0, 0x3f, ...new Array<number>(6).fill(0), 0xf0, 0x3f];

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

/** silu_fast(x, s, out, bytes) → 1 when a lane is outside the exp's range (|v| ≥ 708, NaN). Function 1 is the exact kernel. */
function fastSilu(): Code {
  const [x, dst, dst2, bytes] = [0, 1, 2, 3];
  const c = new Code([I32, I32, I32, I32], [I32]);
  const cst = (v: number) => { const l = c.local(V128); c.f64(v).f64x2Splat().set(l); return l; };
  const one = cst(1), zero = cst(0), shift = cst(SHIFT), lnHi = cst(LN2_HI), lnLo = cst(LN2_LO), inv = cst(INV_LN2), range = cst(708);
  const lo = cst(1 - MARGIN), hi = cst(1 + MARGIN);
  const coef = chebExp(DEG, 0.35).map(cst);
  const bias = c.local(V128);
  c.v128Const(ONE_BITS).set(bias);
  const bad = c.local(V128), amb = c.local(V128), at = c.local(I32);
  const L = Array.from({ length: UNROLL }, (_, i) => ({ off: 8 * i, v: c.local(V128), a: c.local(V128), t: c.local(V128), r: c.local(V128), p: c.local(V128), s: c.local(V128) }));
  c.v128Zero().set(bad);
  c.forLoop(at, () => c.i32(0), () => c.get(bytes), 8 * UNROLL, () => {
    c.v128Zero().set(amb);
    for (const { off, v, a } of L) {
      c.get(x).get(at).add().load64Zero(off).f64x2PromoteLow().set(v);
      c.get(v).f64x2Abs().set(a);
      c.get(bad).get(a).get(range).f64x2Ge().v128Or().get(v).get(v).f64x2Ne().v128Or().set(bad);
      c.get(a).f64x2Neg().set(a);
    }
    for (const { a, t, r } of L) {
      c.get(a).get(inv).f64x2Mul().get(shift).f64x2Add().set(t);
      c.get(t).get(shift).f64x2Sub().set(r); // k as a double
      c.get(a).get(r).get(lnHi).f64x2Mul().f64x2Sub().get(r).get(lnLo).f64x2Mul().f64x2Sub().set(r);
    }
    for (const { p } of L) c.get(coef[DEG]!).set(p);
    for (let d = DEG - 1; d >= 0; d--) for (const { r, p } of L) c.get(p).get(r).f64x2Mul().get(coef[d]!).f64x2Add().set(p);
    for (const { t, p } of L) c.get(p).get(t).i32(52).i64x2Shl().get(bias).i64x2Add().f64x2Mul().set(p); // ·2^k
    for (const { v, p, s } of L) {
      select(c, () => c.get(v).get(zero).f64x2Ge(), () => c.get(one), () => c.get(p));
      c.get(one).get(p).f64x2Add().f64x2Div().set(s);
    }
    for (const { off, v, s, p } of L) {
      c.get(s).get(lo).f64x2Mul().f32x4DemoteZero();
      c.get(s).get(hi).f64x2Mul().f32x4DemoteZero().f32x4Ne().get(amb).v128Or().set(amb);
      c.get(s).f32x4DemoteZero().set(p);
      c.get(dst).get(at).add().get(p).store64Lane0(off);
      c.get(dst2).get(at).add().get(v).get(p).f64x2PromoteLow().f64x2Mul().f32x4DemoteZero().store64Lane0(off);
    }
    c.get(amb).v128AnyTrue().if(() => {
      c.get(x).get(at).add().get(dst).get(at).add().get(dst2).get(at).add().i32(8 * UNROLL).call(1).drop();
    });
  });
  c.get(bad).v128AnyTrue();
  return c;
}

const exactFns = activationFunctions()[0]!;
const memory = new WebAssembly.Memory({ initial: 1024 });
const instance = (bytes: Uint8Array<ArrayBuffer>) => new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as Record<string, (...a: number[]) => number>;
const fast = instance(moduleBytes([{ name: 'silu_fast', code: fastSilu() }, exactFns[0]!])).silu_fast!;
const exact = instance(moduleBytes(exactFns)).silu_fwd!;
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
let checked = 0, mismatches = 0;
const xs = new Float32Array(memory.buffer, X, N), sj = new Float32Array(N), oj = new Float32Array(N);
const sb = new Uint32Array(sj.buffer), ob = new Uint32Array(oj.buffer);
for (let base = 0; base < 2 ** 32; base += N * STRIDE) {
  const len = Math.min(N, Math.ceil((2 ** 32 - base) / STRIDE));
  for (let i = 0; i < len; i++) u32[i] = (base + i * STRIDE) >>> 0;
  fast(X, S, OUT, Math.ceil(len / 8) * 32);
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
  degree: DEG, margin: `2^-${values.margin ?? 42}`, ns_per_value: { exact: Number(ns('exact').toFixed(2)), fast: Number(ns('fast').toFixed(2)) },
  speedup: Number((ns('exact') / ns('fast')).toFixed(2)), stride: STRIDE, checked, mismatches,
}));
