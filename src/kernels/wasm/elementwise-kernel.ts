/**
 * Elementwise Float32 kernels of the wasm backend, emitted as SIMD128 code by ./emit.ts.
 *
 * Every lane computes what the engine's JS loops (src/autograd/loops.ts) compute for a Float32
 * array, bit for bit: add, sub, mul, div and sqrt are correctly rounded in float32 (the JS loops
 * round a double result once, which gives the same float32 for these operations), and max, min
 * and relu are built from compares and a bit select so that NaN and signed zeros follow the JS
 * expressions exactly (f32x4.max/min would differ on ±0); mulstep (relu's backward, the loop in
 * src/autograd/vjp.ts) multiplies by a selected 1 or 0 as the JS loop does.
 *
 * Exports (pointers and sizes in bytes, 16-byte aligned; the work is rounded up to whole vectors,
 * so regions need up to 12 bytes of slack and the extra lanes are discarded by the caller):
 *   unary_<op>(x, out, bytes)              out = op(x)
 *   binary_<op>(x, y, out, bytes, period)  out[i] = x[i] op y[i mod period], period a multiple of 16
 *   sum_axis(x, out, outer, size, inner)    out[a, c] = Σ_r x[a, r, c] over r < size, inner in bytes
 *                                           (a multiple of 16), summed in ascending r in float32 like
 *                                           the engine's reduce into a Float32Array
 */
import { Code, I32, V128, type ExportedFn } from './emit.js';

export const UNARY_OPS = ['neg', 'abs', 'sqrt', 'relu'] as const;
export const BINARY_OPS = ['add', 'sub', 'mul', 'div', 'max', 'min', 'mulstep'] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];
export type BinaryOp = (typeof BINARY_OPS)[number];

/** Emit op(a, b) for two v128 locals, leaving one v128 on the stack. */
function binaryBody(c: Code, op: BinaryOp, a: number, b: number): void {
  switch (op) {
    case 'add': c.get(a).get(b).f32x4Add(); return;
    case 'sub': c.get(a).get(b).f32x4Sub(); return;
    case 'mul': c.get(a).get(b).f32x4Mul(); return;
    case 'div': c.get(a).get(b).f32x4Div(); return;
    // JS: a > b || a !== a ? a : b (NaN in a wins, ties take b)
    case 'max': c.get(a).get(b).get(a).get(b).f32x4Gt().get(a).get(a).f32x4Ne().v128Or().v128Bitselect(); return;
    case 'min': c.get(a).get(b).get(a).get(b).f32x4Lt().get(a).get(a).f32x4Ne().v128Or().v128Bitselect(); return;
    // JS: a * +(b > 0), a multiplied by exactly 1 or 0 (so −0 for negative a, NaN for NaN or ±Inf a)
    case 'mulstep': c.get(a).f32(1).f32x4Splat().v128Zero().get(b).v128Zero().f32x4Gt().v128Bitselect().f32x4Mul(); return;
  }
}

function unaryBody(c: Code, op: UnaryOp, v: number): void {
  switch (op) {
    case 'neg': c.get(v).f32x4Neg(); return;
    case 'abs': c.get(v).f32x4Abs(); return;
    case 'sqrt': c.get(v).f32x4Sqrt(); return;
    // JS: v > 0 ? v : v !== v ? v : 0 (so −0 and negatives give +0, NaN stays NaN)
    case 'relu': c.get(v).v128Zero().get(v).v128Zero().f32x4Gt().get(v).get(v).f32x4Ne().v128Or().v128Bitselect(); return;
  }
}

function unary(op: UnaryOp): Code {
  const [x, out, bytes] = [0, 1, 2];
  const c = new Code([I32, I32, I32]);
  const end = c.local(I32), v = c.local(V128);
  c.get(out).get(bytes).add().set(end);
  c.block(() => c.loop(() => {
    c.get(out).get(end).geS().brIf(1);
    c.get(x).v128Load(0, 4).set(v);
    c.get(out);
    unaryBody(c, op, v);
    c.v128Store(0, 4);
    c.get(x).i32(16).add().set(x);
    c.get(out).i32(16).add().set(out).br(0);
  }));
  return c;
}

function binary(op: BinaryOp): Code {
  const [x, y, out, bytes, period] = [0, 1, 2, 3, 4];
  const c = new Code([I32, I32, I32, I32, I32]);
  const end = c.local(I32), yp = c.local(I32), yEnd = c.local(I32), a = c.local(V128), b = c.local(V128);
  c.get(out).get(bytes).add().set(end);
  c.get(y).set(yp);
  c.get(y).get(period).add().set(yEnd);
  c.block(() => c.loop(() => {
    c.get(out).get(end).geS().brIf(1);
    c.get(x).v128Load(0, 4).set(a);
    c.get(yp).v128Load(0, 4).set(b);
    c.get(out);
    binaryBody(c, op, a, b);
    c.v128Store(0, 4);
    c.get(x).i32(16).add().set(x);
    c.get(out).i32(16).add().set(out);
    // yp wraps to y at the end of the period (select: no branch).
    c.get(y).get(yp).i32(16).add().tee(yp).get(yp).get(yEnd).eq().select().set(yp).br(0);
  }));
  return c;
}

function sumAxis(): Code {
  const [x, out, outer, size, inner] = [0, 1, 2, 3, 4];
  const c = new Code([I32, I32, I32, I32, I32]);
  const a = c.local(I32), r = c.local(I32), q = c.local(I32), row = c.local(I32);
  // Row by row of x (a sequential walk): out[a, :] += x[a, r, :], the output row stays in L1.
  c.forLoop(a, () => c.i32(0), () => c.get(outer), 1, () => {
    c.get(out).get(a).get(inner).mul().add().set(row);
    c.forLoop(q, () => c.i32(0), () => c.get(inner), 16, () => c.get(row).get(q).add().v128Zero().v128Store(0, 4));
    c.forLoop(r, () => c.i32(0), () => c.get(size), 1, () => {
      c.forLoop(q, () => c.i32(0), () => c.get(inner), 16, () => {
        c.get(row).get(q).add();
        c.get(row).get(q).add().v128Load(0, 4).get(x).get(q).add().v128Load(0, 4).f32x4Add();
        c.v128Store(0, 4);
      });
      c.get(x).get(inner).add().set(x);
    });
  });
  return c;
}

export function elementwiseFunctions(): ExportedFn[] {
  return [
    ...UNARY_OPS.map((op) => ({ name: `unary_${op}`, code: unary(op) })),
    ...BINARY_OPS.map((op) => ({ name: `binary_${op}`, code: binary(op) })),
    { name: 'sum_axis', code: sumAxis() },
  ];
}
