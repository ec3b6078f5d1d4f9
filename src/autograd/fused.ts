/**
 * silu and softplus as single primitives. Both sit in every step of the predictor's training
 * (silu after each hidden layer, softplus on every ranking pair); as compositions of primitives
 * they made seven to ten passes over their data, each allocating, forward and backward. These
 * loops compute exactly what those compositions computed, rounding where they stored (to Float32
 * for Float32 tensors): same values, same gradients, bit for bit (test/autograd-fused.test.ts).
 * On the wasm backend the Float32 passes run as its kernels (src/kernels/wasm/act-kernel.ts), which
 * compute the same bits (test/kernels-wasm-act.test.ts).
 */
import type { Backend } from '../kernels/backend.js';
import { elementwiseBackend } from '../kernels/registry.js';
import { allocateUnset, type FloatArray } from './dtype.js';
import { Tensor } from './tensor.js';

const isF32 = (a: FloatArray): boolean => a instanceof Float32Array;

/**
 * The backend's kernels for these passes (the wasm backend's, which reproduce the loops below bit
 * for bit), when the data is Float32 and large enough to hand over.
 */
function kernels(x: FloatArray): NonNullable<Backend['activations']> | null {
  return isF32(x) ? elementwiseBackend(x.length)?.activations ?? null : null;
}

/*
 * Each pass exists twice: on arrays the caller owns (the *Into functions: a compiled training
 * step's resident buffers, predictors/mlp-step.ts) and on tensors (the engine's ops, which
 * allocate and call the array pass). One loop per pass, so the two agree bit for bit.
 */

/**
 * The one transcendental pass of each op, as the compositions stored it: sigmoid(x) for silu,
 * exp(−|x|) for softplus. Computed once (ops.ts) and carried as the op's attribute, so that the
 * backward reuses it as the compositions' rules reused their stored tensors. A backend kernel
 * computes silu's output in the same pass (`y`, else null: siluForward's loop).
 */
export function siluSaved(x: Tensor): { s: FloatArray; y: FloatArray | null } {
  const s = allocateUnset(x.dtype, x.size);
  // An output array only where a kernel may fill it in the same pass.
  const y = kernels(x.data) !== null ? allocateUnset(x.dtype, x.size) : null;
  return { s, y: siluSavedInto(x.data, s, y) ? y : null };
}

/**
 * s = sigmoid(x); with `y`, the backend's kernel may also write y = x·s in the same pass. Returns
 * whether it did (false: s alone is written, by the loop).
 */
export function siluSavedInto(xd: FloatArray, s: FloatArray, y: FloatArray | null): boolean {
  const be = kernels(xd);
  if (be !== null && y !== null && be.silu(xd as Float32Array, s as Float32Array, y as Float32Array)) return true;
  // loops.ts's sigmoid, split by sign so that exp never overflows (written out: a call per
  // element was not inlined).
  const n = xd.length;
  for (let i = 0; i < n; i++) {
    const v = xd[i]!;
    if (v >= 0) s[i] = 1 / (1 + Math.exp(-v));
    else { const e = Math.exp(v); s[i] = e / (1 + e); }
  }
  return false;
}

/** silu's stored sigmoid and its output, into the caller's arrays: siluSaved then siluForward. */
export function siluInto(xd: FloatArray, s: FloatArray, y: FloatArray): void {
  if (!siluSavedInto(xd, s, y)) siluProductInto(xd, s, y);
}

function siluProductInto(xd: FloatArray, s: FloatArray, out: FloatArray): void {
  for (let i = 0; i < xd.length; i++) out[i] = xd[i]! * s[i]!;
}

export function softplusSaved(x: Tensor): FloatArray {
  const e = allocateUnset(x.dtype, x.size);
  softplusSavedInto(x.data, e);
  return e;
}

export function softplusSavedInto(xd: FloatArray, e: FloatArray): void {
  if (kernels(xd)?.expNegAbs(xd as Float32Array, e as Float32Array)) return;
  for (let i = 0; i < xd.length; i++) e[i] = Math.exp(-Math.abs(xd[i]!));
}

/** x·sigmoid(x), the product of x and the stored sigmoid (`y` when siluSaved's kernel made it). */
export function siluForward(x: Tensor, s: FloatArray, y: FloatArray | null = null): Tensor {
  if (y !== null) return new Tensor(y, x.shape);
  const out = allocateUnset(x.dtype, x.size);
  siluProductInto(x.data, s, out);
  return new Tensor(out, x.shape);
}

/**
 * mul's rule gives g·s to x and g·x to s; sigmoid's gives (g·x)·s(1−s) to x; the engine adds the
 * two. Each of those was a stored tensor.
 */
export const siluBackward = (g: Tensor, x: Tensor, s: FloatArray): Tensor => backwardTensor(g, x, s, siluBackwardInto);

/** A backward pass as a tensor: the array pass `into` on a fresh array of x's shape. */
function backwardTensor(g: Tensor, x: Tensor, saved: FloatArray, into: (gd: FloatArray, xd: FloatArray, saved: FloatArray, out: FloatArray) => void): Tensor {
  const out = allocateUnset(x.dtype, x.size);
  into(g.data, x.data, saved, out);
  return new Tensor(out, x.shape);
}

export function siluBackwardInto(gd: FloatArray, xd: FloatArray, s: FloatArray, out: FloatArray): void {
  const n = xd.length;
  const be = isF32(gd) ? kernels(xd) : null;
  if (be !== null) return be.siluBackward(gd as Float32Array, xd as Float32Array, s as Float32Array, out as Float32Array);
  // Math.fround written out at each site (through a variable it was not inlined: 5x slower).
  if (isF32(out)) {
    for (let i = 0; i < n; i++) {
      const gi = gd[i]!, si = s[i]!;
      out[i] = Math.fround(gi * si) + Math.fround(Math.fround(gi * xd[i]!) * (si * (1 - si)));
    }
  } else {
    for (let i = 0; i < n; i++) {
      const gi = gd[i]!, si = s[i]!;
      out[i] = gi * si + gi * xd[i]! * (si * (1 - si));
    }
  }
}

/**
 * log(1 + exp(x)) without overflow: max(x, 0) + log(1 + exp(−|x|)). Both terms have a kink at 0
 * that the sum does not: the max's gradient splits a tie evenly (1/2) and abs'(0) = 0, which adds
 * up to the true softplus'(0) = 1/2 (relu'(0) = 0 would give tied ranking scores no gradient).
 * `e` is the stored exp(−|x|).
 */
export function softplusForward(x: Tensor, e: FloatArray): Tensor {
  const out = allocateUnset(x.dtype, x.size);
  softplusInto(x.data, e, out);
  return new Tensor(out, x.shape);
}

export function softplusInto(xd: FloatArray, e: FloatArray, out: FloatArray): void {
  const n = xd.length;
  if (kernels(xd)?.softplus(xd as Float32Array, e as Float32Array, out as Float32Array)) return;
  if (isF32(out)) {
    for (let i = 0; i < n; i++) {
      const v = xd[i]!;
      out[i] = (v > 0 || v !== v ? v : 0) + Math.fround(Math.log(Math.fround(e[i]! + 1)));
    }
  } else {
    for (let i = 0; i < n; i++) {
      const v = xd[i]!;
      out[i] = (v > 0 || v !== v ? v : 0) + Math.log(e[i]! + 1);
    }
  }
}

/**
 * The composition's rules, in its order: g/(e+1) through log, ·e through exp, negated, times
 * sign(x) through abs; g times the max's tie-splitting mask (1, ½ at 0, 0); the two added.
 */
export const softplusBackward = (g: Tensor, x: Tensor, e: FloatArray): Tensor => backwardTensor(g, x, e, softplusBackwardInto);

export function softplusBackwardInto(gd: FloatArray, xd: FloatArray, e: FloatArray, out: FloatArray): void {
  const n = xd.length;
  const be = isF32(gd) ? kernels(xd) : null;
  if (be !== null) return be.softplusBackward(gd as Float32Array, xd as Float32Array, e as Float32Array, out as Float32Array);
  const sign = (v: number) => (v > 0 ? 1 : v < 0 ? -1 : 0);
  const tie = (v: number) => (v === 0 ? 0.5 : v > 0 || v !== v ? 1 : 0);
  if (isF32(out)) {
    for (let i = 0; i < n; i++) {
      const v = xd[i]!, gi = gd[i]!, ei = e[i]!;
      out[i] = Math.fround(gi * tie(v)) + Math.fround(-Math.fround(Math.fround(gi / Math.fround(ei + 1)) * ei) * sign(v));
    }
  } else {
    for (let i = 0; i < n; i++) {
      const v = xd[i]!, gi = gd[i]!, ei = e[i]!;
      out[i] = gi * tie(v) + -((gi / (ei + 1)) * ei) * sign(v);
    }
  }
}
