/**
 * Adam's update as a SIMD128 kernel, emitted by ./emit.ts: src/autograd/optim/optimizer.ts's loop
 * over f64x2 lanes, two parameters at a time. The optimiser spends two Float64 divisions and a
 * square root per parameter per step; f64x2 lanes do two of each per instruction, and IEEE
 * division, square root, multiplication and addition round the same in a lane as in a JS
 * expression. Every operation is the loop's, in its order, so the parameters and moments equal
 * its bits (test/kernels-wasm-adam.test.ts).
 *
 * Export (pointers in bytes; every region 16-byte aligned and a whole number of pairs long):
 *   adam(w, g, m, v, pairs, b1, b2, a1, a2, l2, decay, step, c2, eps)
 *     w, g: float32 parameters and gradients (read; w written back rounded to float32)
 *     m, v: float64 moments (read and written)
 *     gk = g + l2·w;  m = b1·m + a1·gk;  v = b2·v + a2·gk·gk;  w = w·decay − step·m / (√(v / c2) + eps)
 */
import { Code, F64, I32, V128, moduleBytes } from './emit.js';

function adam(): Code {
  const [w, g, m, v, pairs] = [0, 1, 2, 3, 4];
  const c = new Code([I32, I32, I32, I32, I32, F64, F64, F64, F64, F64, F64, F64, F64, F64]);
  // The nine coefficients, each splatted to both lanes once.
  const [b1, b2, a1, a2, l2, decay, step, c2, eps] = Array.from({ length: 9 }, (_, k) => {
    const lane = c.local(V128);
    c.get(5 + k).f64x2Splat().set(lane);
    return lane;
  }) as [number, number, number, number, number, number, number, number, number];
  const i = c.local(I32), wv = c.local(V128), gk = c.local(V128), mk = c.local(V128), vk = c.local(V128);
  const at = (base: number, bytes: number) => c.get(base).get(i).i32(bytes).mul().add();
  c.forLoop(i, () => c.i32(0), () => c.get(pairs), 1, () => {
    at(w, 8).load64Zero().f64x2PromoteLow().set(wv);
    at(g, 8).load64Zero().f64x2PromoteLow().get(l2).get(wv).f64x2Mul().f64x2Add().set(gk);
    c.get(b1);
    at(m, 16).v128Load(0, 3).f64x2Mul().get(a1).get(gk).f64x2Mul().f64x2Add().set(mk);
    c.get(b2);
    at(v, 16).v128Load(0, 3).f64x2Mul().get(a2).get(gk).f64x2Mul().get(gk).f64x2Mul().f64x2Add().set(vk);
    at(m, 16).get(mk).v128Store(0, 3);
    at(v, 16).get(vk).v128Store(0, 3);
    at(w, 8);
    c.get(wv).get(decay).f64x2Mul();
    c.get(step).get(mk).f64x2Mul();
    c.get(vk).get(c2).f64x2Div().f64x2Sqrt().get(eps).f64x2Add();
    c.f64x2Div().f64x2Sub().f32x4DemoteZero().store64Lane0();
  });
  return c;
}

/** The Adam module (its own memory: each optimiser's moments live in one, between steps). */
export function wasmAdamModuleBytes(): Uint8Array<ArrayBuffer> {
  return moduleBytes([{ name: 'adam', code: adam() }]);
}
