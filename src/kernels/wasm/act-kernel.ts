/**
 * silu's and softplus's Float32 passes on the wasm backend (the loops of src/autograd/fused.ts),
 * emitted by ./emit.ts, two elements at a time in Float64 lanes.
 *
 * JS computes these in double and rounds to float32 where it stores; so do these kernels, with the
 * same operations in the same order, and Math.exp and Math.log as ./fdlibm.ts's lanes, which give
 * their bits. Where a lane leaves fdlibm.ts's vector path (|x| ≥ 708, NaN), a forward pass returns
 * 1 and the caller recomputes the whole array with its JS loop.
 *
 * Exports (pointers and sizes in bytes; `bytes` a multiple of 32 (8 floats), the regions padded to it):
 *   silu_fwd(x, s, out, bytes) → i32         ./silu-fast.ts: the same values as silu_exact, faster
 *                                            (bit 0 of the result: a lane left the exp's range)
 *   silu_exact(x, s, out, bytes) → i32       s = sigmoid(x) (silu's stored value), out = x·s
 *   silu_bwd(g, x, s, out, bytes)            silu's backward through the stored s
 *   expnegabs(x, e, bytes) → i32             e = exp(−|x|), softplus's stored value
 *   softplus_fwd(x, e, out, bytes) → i32     softplus from its stored e
 *   softplus_bwd(g, x, e, out, bytes)        softplus's backward through the stored e
 */
import { Code, I32, V128, type ExportedFn } from './emit.js';
import { exp, expConstants, log, logConstants, outsideOneTwo, select, type ExpConsts } from './fdlibm.js';
import { siluForwardFast } from './silu-fast.js';

/** f64x2 local ← the two f32 at ptr + at, promoted. */
const load = (c: Code, ptr: number, at: number, into: number): Code => c.get(ptr).get(at).add().load64Zero().f64x2PromoteLow().set(into);
/** Round the f64x2 on the stack to float32 and back (what a store into a Float32Array and a read do). */
const fround = (c: Code): Code => c.f32x4DemoteZero().f64x2PromoteLow();
/** Store the f64x2 on the stack, rounded to float32, as the two f32 at ptr + at. */
const store = (c: Code, ptr: number, at: number, value: () => void): void => {
  const v = c.local(V128);
  value();
  c.set(v).get(ptr).get(at).add().get(v).f32x4DemoteZero().store64Lane0();
};

/** for (at = 0; at < bytes; at += 8) body(at) over pairs of floats. */
function pairs(c: Code, bytes: number, body: (at: number) => void): void {
  const at = c.local(I32);
  c.forLoop(at, () => c.i32(0), () => c.get(bytes), 8, () => body(at));
}

/**
 * Four pairs per iteration, the four exp chains emitted one after the other: each chain is long
 * (two divisions), and independent chains side by side keep the vector units busy.
 */
const UNROLL = 4;

/**
 * A pass that computes exp(−|x|) of each element of x, then `finish` pushes what to store into
 * `dst` from v (x's pair) and e (its exp), both f64x2 locals; with `product`, x times that stored
 * (float32) value goes to a second output. Returns 1 when a lane left the fast path.
 */
function expPass(finish: (c: Code, k: ExpConsts, v: number, e: number) => void, product = false): Code {
  const [x, dst, dst2] = [0, 1, 2], bytes = product ? 3 : 2;
  const c = new Code(product ? [I32, I32, I32, I32] : [I32, I32, I32], [I32]);
  const k = expConstants(c);
  const bad = c.local(V128), at = c.local(I32);
  const lanes = Array.from({ length: UNROLL }, (_, i) => ({ off: 8 * i, v: c.local(V128), a: c.local(V128), e: c.local(V128) }));
  c.v128Zero().set(bad);
  c.forLoop(at, () => c.i32(0), () => c.get(bytes), 8 * UNROLL, () => {
    for (const { off, v, a } of lanes) {
      c.get(x).get(at).add().load64Zero(off).f64x2PromoteLow().set(v);
      c.get(v).f64x2Abs().f64x2Neg().set(a);
    }
    for (const { a, e } of lanes) exp(c, k, a, e, bad);
    for (const { off, v, e } of lanes) {
      finish(c, k, v, e);
      c.f32x4DemoteZero().set(e).get(dst).get(at).add().get(e).store64Lane0(off);
      if (product) c.get(dst2).get(at).add().get(v).get(e).f64x2PromoteLow().f64x2Mul().f32x4DemoteZero().store64Lane0(off);
    }
  });
  c.get(bad).v128AnyTrue();
  return c;
}

/**
 * silu's forward: s = sigmoid(v) (v ≥ 0: 1/(1 + exp(−v)); else e/(1 + e) with e = exp(v), one
 * division with the numerator selected), and out = v·s.
 */
const siluForward = (): Code => expPass((c, k, v, e) => {
  select(c, () => c.get(v).get(k.zero).f64x2Ge(), () => c.get(k.one), () => c.get(e));
  c.get(k.one).get(e).f64x2Add().f64x2Div();
}, true);

/** exp(−|v|) itself (softplus's stored value). */
const expNegAbs = (): Code => expPass((c, _k, _v, e) => c.get(e));

function siluBackward(): Code {
  const [g, x, s, out, bytes] = [0, 1, 2, 3, 4];
  const c = new Code([I32, I32, I32, I32, I32]);
  const one = c.local(V128), gv = c.local(V128), xv = c.local(V128), sv = c.local(V128);
  c.f64(1).f64x2Splat().set(one);
  pairs(c, bytes, (at) => {
    load(c, g, at, gv);
    load(c, x, at, xv);
    load(c, s, at, sv);
    // fround(g·s) + fround(fround(g·x)·(s·(1 − s)))
    store(c, out, at, () => {
      fround(c.get(gv).get(sv).f64x2Mul());
      fround(fround(c.get(gv).get(xv).f64x2Mul()).get(sv).get(one).get(sv).f64x2Sub().f64x2Mul().f64x2Mul());
      c.f64x2Add();
    });
  });
  return c;
}

function softplusBackward(): Code {
  const [g, x, e, out, bytes] = [0, 1, 2, 3, 4];
  const c = new Code([I32, I32, I32, I32, I32]);
  const [one, half, zero, mone] = [c.local(V128), c.local(V128), c.local(V128), c.local(V128)];
  c.f64(1).f64x2Splat().set(one);
  c.f64(0.5).f64x2Splat().set(half);
  c.f64(0).f64x2Splat().set(zero);
  c.f64(-1).f64x2Splat().set(mone);
  const gv = c.local(V128), v = c.local(V128), ev = c.local(V128);
  pairs(c, bytes, (at) => {
    load(c, g, at, gv);
    load(c, x, at, v);
    load(c, e, at, ev);
    store(c, out, at, () => {
      // fround(g·tie(v)): tie = ½ at 0, 1 above 0 or NaN, 0 below
      c.get(gv);
      select(c, () => c.get(v).get(zero).f64x2Eq(), () => c.get(half),
        () => select(c, () => c.get(v).get(zero).f64x2Gt().get(v).get(v).f64x2Ne().v128Or(), () => c.get(one), () => c.get(zero)));
      fround(c.f64x2Mul());
      // fround(−fround(fround(g / fround(e + 1))·e)·sign(v))
      fround(fround(c.get(gv).get(ev).get(one).f64x2Add().f32x4DemoteZero().f64x2PromoteLow().f64x2Div()).get(ev).f64x2Mul()).f64x2Neg();
      select(c, () => c.get(v).get(zero).f64x2Gt(), () => c.get(one),
        () => select(c, () => c.get(v).get(zero).f64x2Lt(), () => c.get(mone), () => c.get(zero)));
      fround(c.f64x2Mul());
      c.f64x2Add();
    });
  });
  return c;
}

/**
 * softplus's forward from its stored e: out = (v > 0 or NaN ? v : 0) + fround(log(fround(e + 1))),
 * with fdlibm's log for u = fround(e + 1) in [1, 2] (e = exp(−|v|) is in [0, 1]). Returns 1 when
 * a u left [1, 2] (NaN).
 */
function softplusForward(): Code {
  const [x, e, out, bytes] = [0, 1, 2, 3];
  const c = new Code([I32, I32, I32, I32], [I32]);
  const k = logConstants(c);
  const bad = c.local(V128), v = c.local(V128), u = c.local(V128);
  c.v128Zero().set(bad);
  pairs(c, bytes, (at) => {
    load(c, x, at, v);
    load(c, e, at, u);
    fround(c.get(u).get(k.one).f64x2Add()).set(u);
    outsideOneTwo(c, k, u, bad);
    store(c, out, at, () => {
      select(c, () => c.get(v).get(k.zero).f64x2Gt().get(v).get(v).f64x2Ne().v128Or(), () => c.get(v), () => c.get(k.zero));
      log(c, k, u);
      fround(c).f64x2Add();
    });
  });
  c.get(bad).v128AnyTrue();
  return c;
}

/**
 * Two modules' worth (each under the synchronous-compilation limit): silu's forward (./silu-fast.ts)
 * with the exact pass it falls back to, as function 1; then the rest.
 */
export function activationFunctions(): ExportedFn[][] {
  return [
    [{ name: 'silu_fwd', code: siluForwardFast(1) }, { name: 'silu_exact', code: siluForward() }],
    [{ name: 'expnegabs', code: expNegAbs() }, { name: 'silu_bwd', code: siluBackward() }, { name: 'softplus_fwd', code: softplusForward() }, { name: 'softplus_bwd', code: softplusBackward() }],
  ];
}
