/**
 * silu's forward pass on the wasm backend with a short exp and a rounding test (Ziv's), for the
 * same bits as the exact pass (./act-kernel.ts's, fdlibm's exp) in about three quarters of its time.
 *
 * silu stores s = fround(D), D the double the JS loop computes (src/autograd/fused.ts): fdlibm's
 * exp(−|v|), then 1/(1 + e) or e/(1 + e). Here A is the same sigmoid with a cheaper exp: k =
 * round(−|v|/ln2) by adding 1.5·2⁵² (which leaves k in the low bits), r = −|v| − k·ln2 with ln2 in
 * fdlibm's two parts, a degree-8 polynomial in r (the Chebyshev interpolant of exp on |r| ≤ 0.35,
 * relative error below 2⁻³⁹·⁶; no division), times 2^k built from k's bits; then the sigmoid's one
 * division. A is within 2⁻³⁹ of D relatively (the polynomial, a few roundings, fdlibm's < 1 ulp).
 * Rounding to float32 is monotonic, so where A·(1 − 2⁻³⁶) and A·(1 + 2⁻³⁶) round to one float32,
 * D rounds to it too, and that float32 is stored. Where they differ (D may lie near a float32
 * rounding boundary: a few values in ten thousand), the exact pass redoes that group of eight
 * values: it is function 1 of the module (activationFunctions puts it there).
 *
 * silu_fwd(x, s, out, bytes) → i32, as the exact pass (`bytes` a multiple of 32): s = sigmoid(x),
 * out = x·s; bit 0 set when a lane is outside the exp's range (|x| ≥ 708, NaN: the caller then
 * recomputes the array in JS), and the rest of the result twice the number of groups the exact pass
 * redid (for the tests). test/kernels-wasm-act.test.ts holds it to the JS loop at every float32
 * input (all 2³² bit patterns: lanes are computed alone, so that is the proof) and at values next
 * to rounding boundaries, which must take the exact pass.
 */
import { Code, I32, V128 } from './emit.js';
// fdlibm's ln2 in two parts (k·LN2_HI is exact for |k| < 2²¹), 1/ln2, and 2⁰'s bits per i64 lane.
import { INV_LN2, LN2_HI, LN2_LO, ONE_BITS, select } from './fdlibm.js';

/** 1.5·2⁵²: x + SHIFT rounds x to an integer k and holds k in the low mantissa bits. */
const SHIFT = 6755399441055744;
/**
 * exp(r) ≈ Σ C[i]·rⁱ on |r| ≤ 0.35: the degree-8 Chebyshev interpolant's monomial coefficients,
 * written out so that every runtime uses the same doubles (bench/sigmoid-ziv.ts recomputes them and
 * measures the error).
 */
export const EXP_POLY = [
  0.99999999999999967, 0.99999999997813671, 0.49999999999794714, 0.16666666904662983, 0.041666666897579606,
  0.0083332634011416724, 0.0013888820061387351, 0.00019917349966651422, 0.000024877150615115881,
];
/** The rounding test's relative margin: 2⁻³⁶, eight times the error bound. */
export const ZIV_MARGIN = 2 ** -36;
/** Pairs per group: the exact pass's loop step (four pairs), so one call redoes one group. */
const UNROLL = 4;

export function siluForwardFast(exactIndex: number): Code {
  const [x, dst, dst2, bytes] = [0, 1, 2, 3];
  const c = new Code([I32, I32, I32, I32], [I32]);
  const cst = (v: number): number => {
    const l = c.local(V128);
    c.f64(v).f64x2Splat().set(l);
    return l;
  };
  const one = cst(1), zero = cst(0), shift = cst(SHIFT), lnHi = cst(LN2_HI), lnLo = cst(LN2_LO), invLn2 = cst(INV_LN2), range = cst(708);
  const below = cst(1 - ZIV_MARGIN), above = cst(1 + ZIV_MARGIN);
  const poly = EXP_POLY.map(cst);
  const top = EXP_POLY.length - 1;
  const bias = c.local(V128);
  c.v128Const(ONE_BITS).set(bias);
  const bad = c.local(V128), unsure = c.local(V128), at = c.local(I32), redone = c.local(I32);
  const lanes = Array.from({ length: UNROLL }, (_, i) => ({
    off: 8 * i, v: c.local(V128), a: c.local(V128), t: c.local(V128), r: c.local(V128), p: c.local(V128), s: c.local(V128),
  }));
  c.v128Zero().set(bad);
  c.i32(0).set(redone);
  c.forLoop(at, () => c.i32(0), () => c.get(bytes), 8 * UNROLL, () => {
    c.v128Zero().set(unsure);
    for (const { off, v, a } of lanes) {
      c.get(x).get(at).add().load64Zero(off).f64x2PromoteLow().set(v);
      c.get(v).f64x2Abs().set(a);
      c.get(bad).get(a).get(range).f64x2Ge().v128Or().get(v).get(v).f64x2Ne().v128Or().set(bad);
      c.get(a).f64x2Neg().set(a);
    }
    // t = −|v|/ln2 + SHIFT (k in its low bits), r = −|v| − k·ln2_hi − k·ln2_lo with k = t − SHIFT.
    for (const { a, t, r } of lanes) {
      c.get(a).get(invLn2).f64x2Mul().get(shift).f64x2Add().set(t);
      c.get(t).get(shift).f64x2Sub().set(r);
      c.get(a).get(r).get(lnHi).f64x2Mul().f64x2Sub().get(r).get(lnLo).f64x2Mul().f64x2Sub().set(r);
    }
    // Horner's rule, the four chains interleaved.
    for (const { p } of lanes) c.get(poly[top]!).set(p);
    for (let d = top - 1; d >= 0; d--) for (const { r, p } of lanes) c.get(p).get(r).f64x2Mul().get(poly[d]!).f64x2Add().set(p);
    // ·2^k: k's low bits shifted into the exponent field, plus the bias (k ≥ −1022 here).
    for (const { t, p } of lanes) c.get(p).get(t).i32(52).i64x2Shl().get(bias).i64x2Add().f64x2Mul().set(p);
    // The sigmoid: 1/(1 + e) for v ≥ 0, else e/(1 + e).
    for (const { v, p, s } of lanes) {
      select(c, () => c.get(v).get(zero).f64x2Ge(), () => c.get(one), () => c.get(p));
      c.get(one).get(p).f64x2Add().f64x2Div().set(s);
    }
    for (const { off, v, s, p } of lanes) {
      c.get(s).get(below).f64x2Mul().f32x4DemoteZero();
      c.get(s).get(above).f64x2Mul().f32x4DemoteZero().f32x4Ne().get(unsure).v128Or().set(unsure);
      c.get(s).f32x4DemoteZero().set(p);
      c.get(dst).get(at).add().get(p).store64Lane0(off);
      c.get(dst2).get(at).add().get(v).get(p).f64x2PromoteLow().f64x2Mul().f32x4DemoteZero().store64Lane0(off);
    }
    c.get(unsure).v128AnyTrue().if(() => {
      c.get(x).get(at).add().get(dst).get(at).add().get(dst2).get(at).add().i32(8 * UNROLL).call(exactIndex).drop();
      c.get(redone).i32(1).add().set(redone);
    });
  });
  c.get(redone).i32(1).shl().get(bad).v128AnyTrue().add();
  return c;
}
