/**
 * fdlibm's exp and log (FreeBSD msun e_exp.c and e_log.c, as V8's src/base/ieee754.cc carries them
 * for Math.exp and Math.log) on f64x2 lanes, for the wasm backend's kernels (./act-kernel.ts): the
 * same constants and the same operations in the same order, so each lane gets Math.exp's and
 * Math.log's bits; fdlibm's branches become compares on the argument, every branch is computed,
 * and each lane selects its own.
 *
 * exp: the argument reduction k = trunc(x/ln2 ± ½) (±1 below 1.5·ln2), x − k·ln2 as hi − lo, a
 * degree-5 rational approximation, then a scaling by 2^k built from k's bits. The vector path
 * covers 2⁻²⁸ ≤ |x| < 708 (where 2^k is one normal double) plus the tiny (1 + x) and x = 1 (e)
 * cases; a lane outside it (|x| ≥ 708, NaN) is reported, not computed faithfully.
 * log: only u in [1, 2] (softplus's log(1 + e) with e in [0, 1]): k is 0 or 1 (u ≥ √2 or so is
 * halved), then fdlibm's short series for |f| < 2⁻²⁰ or its rational approximation in s = f/(2 + f).
 *
 * test/kernels-wasm-act.test.ts holds both to Math.exp and Math.log themselves (through
 * exp_f64/log_f64 below), so a runtime whose Math functions differ fails the test instead of
 * quietly changing results.
 */
import { Code, I32, V128, type ExportedFn } from './emit.js';

/** fdlibm's constants (e_exp.c). */
export const LN2_HI = 6.93147180369123816490e-01;
export const LN2_LO = 1.90821492927058770002e-10;
export const INV_LN2 = 1.44269504088896338700e+00;
const P = [1.66666666666666019037e-01, -2.77777777770155933842e-03, 6.61375632143793436117e-05, -1.65339022054652515390e-06, 4.13813679705723846039e-08];

/** A double whose high word is `hi` and low word 0: fdlibm compares |x|'s high word against these. */
function highWord(hi: number): number {
  const b = new DataView(new ArrayBuffer(8));
  b.setUint32(0, hi);
  return b.getFloat64(0);
}
/** |x| > 0.5·ln2 (high word above 0x3FD62E42) starts the reduction; below 1.5·ln2 (0x3FF0A2B2) k = ±1. */
const REDUCE_FROM = highWord(0x3fd62e43);
const K_ONE_BELOW = highWord(0x3ff0a2b2);
const TINY = highWord(0x3e300000); // 2⁻²⁸: exp(x) = 1 + x below
/** Below this |x|, k stays within −1021..1021, where 2^k is one normal double (fdlibm's k ≥ −1021 branch). */
const FAST_BELOW = 708;
/** 0x3FF0000000000000 in each i64 lane: the exponent bias, to which k << 52 is added. */
export const ONE_BITS = [...new Array<number>(6).fill(0), 0xf0, 0x3f, ...new Array<number>(6).fill(0), 0xf0, 0x3f];

export type ExpConsts = Record<'one' | 'two' | 'half' | 'mhalf' | 'mone' | 'zero' | 'lnHi' | 'lnLo' | 'invLn2' | 'reduce' | 'kOne' | 'tiny' | 'fast' | 'e' | 'bias' | 'p0' | 'p1' | 'p2' | 'p3' | 'p4', number>;

/** Locals holding every constant as f64x2 (set once, before the loop). */
export function expConstants(c: Code): ExpConsts {
  const values: Record<string, number> = {
    one: 1, two: 2, half: 0.5, mhalf: -0.5, mone: -1, zero: 0, lnHi: LN2_HI, lnLo: LN2_LO, invLn2: INV_LN2,
    reduce: REDUCE_FROM, kOne: K_ONE_BELOW, tiny: TINY, fast: FAST_BELOW, e: Math.E,
    p0: P[0]!, p1: P[1]!, p2: P[2]!, p3: P[3]!, p4: P[4]!,
  };
  const k: Record<string, number> = {};
  for (const [name, v] of Object.entries(values)) {
    k[name] = c.local(V128);
    c.f64(v).f64x2Splat().set(k[name]!);
  }
  k.bias = c.local(V128);
  c.v128Const(ONE_BITS).set(k.bias);
  return k as ExpConsts;
}

/** select(mask, a, b) on the stack: a where the mask is set. Each argument pushes one vector. */
export const select = (c: Code, mask: () => void, a: () => void, b: () => void): void => {
  a(); b(); mask();
  c.v128Bitselect();
};

/**
 * out = exp(x) lane by lane (fdlibm's operations), for the f64x2 local x; `bad` (a v128 local)
 * gets the lanes outside the vector path OR-ed in.
 */
export function exp(c: Code, k: ExpConsts, x: number, out: number, bad: number): void {
  const ax = c.local(V128), neg = c.local(V128), kf = c.local(V128), hi = c.local(V128), lo = c.local(V128);
  const xr = c.local(V128), t = c.local(V128), cc = c.local(V128), d = c.local(V128), small = c.local(V128);
  c.get(x).f64x2Abs().set(ax);
  c.get(bad).get(ax).get(k.fast).f64x2Ge().v128Or().get(x).get(x).f64x2Ne().v128Or().set(bad);
  c.get(x).get(k.zero).f64x2Lt().set(neg);
  // k = (int)(invln2·x + halF[xsb]), or ±1 for |x| < 1.5·ln2; t = k as a double.
  select(c, () => c.get(ax).get(k.kOne).f64x2Lt(),
    () => select(c, () => c.get(neg), () => c.get(k.mone), () => c.get(k.one)),
    () => { c.get(k.invLn2).get(x).f64x2Mul(); select(c, () => c.get(neg), () => c.get(k.mhalf), () => c.get(k.half)); c.f64x2Add().f64x2Trunc(); });
  c.set(kf);
  c.get(x).get(kf).get(k.lnHi).f64x2Mul().f64x2Sub().set(hi); // hi = x − t·ln2HI (exact)
  c.get(kf).get(k.lnLo).f64x2Mul().set(lo); // lo = t·ln2LO
  c.get(ax).get(k.reduce).f64x2Lt().set(small); // |x| ≤ 0.5·ln2: k = 0, x unreduced
  select(c, () => c.get(small), () => c.get(x), () => c.get(hi).get(lo).f64x2Sub());
  c.set(xr);
  c.get(xr).get(xr).f64x2Mul().set(t);
  // c = x − t·(P1 + t·(P2 + t·(P3 + t·(P4 + t·P5))))
  c.get(xr).get(t);
  c.get(k.p0).get(t).get(k.p1).get(t).get(k.p2).get(t).get(k.p3).get(t).get(k.p4);
  for (let i = 0; i < 4; i++) c.f64x2Mul().f64x2Add();
  c.f64x2Mul().f64x2Sub().set(cc);
  // d = (x·c)/(2 − c); fdlibm's k = 0 branch divides by c − 2 instead, which is −d exactly.
  c.get(xr).get(cc).f64x2Mul().get(k.two).get(cc).f64x2Sub().f64x2Div().set(d);
  select(c, () => c.get(small),
    // k = 0: 1 − ((x·c)/(c − 2) − x)
    () => c.get(k.one).get(d).f64x2Neg().get(xr).f64x2Sub().f64x2Sub(),
    // else (1 − ((lo − (x·c)/(2 − c)) − hi))·2^k, 2^k built from k's bits
    () => {
      c.get(k.one).get(lo).get(d).f64x2Sub().get(hi).f64x2Sub().f64x2Sub();
      c.get(kf).i32x4TruncSatF64x2Zero().i64x2ExtendLowI32x4().i32(52).i64x2Shl().get(k.bias).i64x2Add().f64x2Mul();
    });
  c.set(out);
  select(c, () => c.get(ax).get(k.tiny).f64x2Lt(), () => c.get(k.one).get(x).f64x2Add(), () => c.get(out));
  c.set(out);
  select(c, () => c.get(x).get(k.one).f64x2Eq(), () => c.get(k.e), () => c.get(out));
  c.set(out);
}

/** fdlibm's log (e_log.c) for u in [1, 2]: its branches become compares on u. */
const LG = [6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01, 2.222219843214978396e-01, 1.818357216161805012e-01, 1.531383769920937332e-01, 1.479819860511658591e-01];
/** Mantissa high bits ≥ 0x6A09C (u ≥ √2 or so): log works on u/2 with k = 1. */
const HALVE_FROM = highWord(0x3ff6a09c);
/** |f| < 2⁻²⁰ (mantissa high bits 0, 0xFFFFE or 0xFFFFF): fdlibm's short series. */
const SERIES_BELOW = highWord(0x3ff00001);
const SERIES_FROM = highWord(0x3ffffffe);
/** Mantissa high bits in 0x6147A..0x6B851: fdlibm's i > 0 branch. */
const MID_FROM = highWord(0x3ff6147a);
const MID_BELOW = highWord(0x3ff6b852);

export interface LogConsts { zero: number; one: number; two: number; half: number; third: number; lnHi: number; lnLo: number; halveFrom: number; seriesBelow: number; seriesFrom: number; midFrom: number; midBelow: number; lg: number[] }

export function logConstants(c: Code): LogConsts {
  const cst = (v: number): number => {
    const l = c.local(V128);
    c.f64(v).f64x2Splat().set(l);
    return l;
  };
  return {
    zero: cst(0), one: cst(1), two: cst(2), half: cst(0.5), third: cst(0.33333333333333333), lnHi: cst(LN2_HI), lnLo: cst(LN2_LO),
    halveFrom: cst(HALVE_FROM), seriesBelow: cst(SERIES_BELOW), seriesFrom: cst(SERIES_FROM), midFrom: cst(MID_FROM), midBelow: cst(MID_BELOW),
    lg: LG.map(cst),
  };
}

/**
 * Push log(u) for the f64x2 local u, every lane in [1, 2] (fdlibm's operations; every branch is
 * computed and each lane selects its own).
 */
export function log(c: Code, k: LogConsts, u: number): void {
  const { zero, one, two, half, third, lnHi, lnLo, lg } = k;
  const k1 = c.local(V128), dk = c.local(V128), f = c.local(V128), r = c.local(V128), s = c.local(V128);
  const z = c.local(V128), w = c.local(V128), rr = c.local(V128), hfsq = c.local(V128);
  /** k = 0: `a`; k = 1: `b` (dk·ln2_hi − …). */
  const byK = (a: () => void, b: () => void): void => select(c, () => c.get(k1), b, a);
  c.get(u).get(k.halveFrom).f64x2Ge().set(k1);
  select(c, () => c.get(k1), () => c.get(one), () => c.get(zero));
  c.set(dk);
  select(c, () => c.get(k1), () => c.get(u).get(half).f64x2Mul(), () => c.get(u));
  c.get(one).f64x2Sub().set(f);
  // |f| < 2⁻²⁰: f = 0 gives k·ln2 (0 for k = 0), else R = f²(½ − f/3) and f − R or k·ln2_hi − ((R − k·ln2_lo) − f)
  c.get(f).get(f).f64x2Mul().get(half).get(third).get(f).f64x2Mul().f64x2Sub().f64x2Mul().set(rr);
  select(c, () => c.get(f).get(zero).f64x2Eq(),
    () => byK(() => c.get(zero), () => c.get(dk).get(lnHi).f64x2Mul().get(dk).get(lnLo).f64x2Mul().f64x2Add()),
    () => byK(() => c.get(f).get(rr).f64x2Sub(), () => c.get(dk).get(lnHi).f64x2Mul().get(rr).get(dk).get(lnLo).f64x2Mul().f64x2Sub().get(f).f64x2Sub().f64x2Sub()));
  c.set(r);
  // s = f/(2 + f), z = s², w = z², R = z(Lg1 + w(Lg3 + w(Lg5 + w·Lg7))) + w(Lg2 + w(Lg4 + w·Lg6))
  c.get(f).get(two).get(f).f64x2Add().f64x2Div().set(s);
  c.get(s).get(s).f64x2Mul().set(z);
  c.get(z).get(z).f64x2Mul().set(w);
  c.get(z).get(lg[0]!).get(w).get(lg[2]!).get(w).get(lg[4]!).get(w).get(lg[6]!);
  for (let i = 0; i < 3; i++) c.f64x2Mul().f64x2Add();
  c.f64x2Mul();
  c.get(w).get(lg[1]!).get(w).get(lg[3]!).get(w).get(lg[5]!);
  for (let i = 0; i < 2; i++) c.f64x2Mul().f64x2Add();
  c.f64x2Mul().f64x2Add().set(rr);
  c.get(half).get(f).f64x2Mul().get(f).f64x2Mul().set(hfsq);
  select(c, () => c.get(u).get(k.seriesBelow).f64x2Lt().get(u).get(k.seriesFrom).f64x2Ge().v128Or(), () => c.get(r),
    () => select(c, () => c.get(u).get(k.midFrom).f64x2Ge().get(u).get(k.midBelow).f64x2Lt().v128And(),
      // f − (hfsq − s(hfsq + R)) | k·ln2_hi − ((hfsq − (s(hfsq + R) + k·ln2_lo)) − f)
      () => byK(() => c.get(f).get(hfsq).get(s).get(hfsq).get(rr).f64x2Add().f64x2Mul().f64x2Sub().f64x2Sub(),
        () => c.get(dk).get(lnHi).f64x2Mul().get(hfsq).get(s).get(hfsq).get(rr).f64x2Add().f64x2Mul().get(dk).get(lnLo).f64x2Mul().f64x2Add().f64x2Sub().get(f).f64x2Sub().f64x2Sub()),
      // f − s(f − R) | k·ln2_hi − ((s(f − R) − k·ln2_lo) − f)
      () => byK(() => c.get(f).get(s).get(f).get(rr).f64x2Sub().f64x2Mul().f64x2Sub(),
        () => c.get(dk).get(lnHi).f64x2Mul().get(s).get(f).get(rr).f64x2Sub().f64x2Mul().get(dk).get(lnLo).f64x2Mul().f64x2Sub().get(f).f64x2Sub().f64x2Sub())));
}

/** bad |= lanes of u outside [1, 2] (NaN included). */
export const outsideOneTwo = (c: Code, k: LogConsts, u: number, bad: number): void => {
  c.get(bad).get(u).get(k.one).f64x2Lt().v128Or().get(u).get(k.two).f64x2Gt().v128Or().get(u).get(u).f64x2Ne().v128Or().set(bad);
};

/**
 * log over Float64 pairs in [1, 2], log_f64(x, out, bytes) → i32 (1 when a lane was outside):
 * for the tests only, like exp_f64.
 */
export function logF64Function(): ExportedFn {
  const [x, out, bytes] = [0, 1, 2];
  const c = new Code([I32, I32, I32], [I32]);
  const k = logConstants(c);
  const bad = c.local(V128), at = c.local(I32), u = c.local(V128);
  c.v128Zero().set(bad);
  c.forLoop(at, () => c.i32(0), () => c.get(bytes), 16, () => {
    c.get(x).get(at).add().v128Load(0, 3).set(u);
    outsideOneTwo(c, k, u, bad);
    c.get(out).get(at).add();
    log(c, k, u);
    c.v128Store(0, 3);
  });
  c.get(bad).v128AnyTrue();
  return { name: 'log_f64', code: c };
}

/**
 * exp over Float64 pairs, exp_f64(x, out, bytes) → i32 (1 when a lane left the fast path): not part
 * of the backend; the tests build it to hold the exp above to Math.exp's bits directly, which the
 * float32 passes could only show through their rounding.
 */
export function expF64Function(): ExportedFn {
  const [x, out, bytes] = [0, 1, 2];
  const c = new Code([I32, I32, I32], [I32]);
  const k = expConstants(c);
  const bad = c.local(V128), at = c.local(I32), v = c.local(V128), e = c.local(V128);
  c.v128Zero().set(bad);
  c.forLoop(at, () => c.i32(0), () => c.get(bytes), 16, () => {
    c.get(x).get(at).add().v128Load(0, 3).set(v);
    exp(c, k, v, e, bad);
    c.get(out).get(at).add().get(e).v128Store(0, 3);
  });
  c.get(bad).v128AnyTrue();
  return { name: 'exp_f64', code: c };
}
