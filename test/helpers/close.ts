/**
 * Bridges between reference arrays and engine tensors, and an allclose that is independent of
 * the engine's own: atol + rtol·|expected|, NaN equals only NaN, ±Inf only the same infinity.
 */
import { tensor, type Tensor } from '../../src/autograd/index.js';
import type { Arr } from './reference.js';

export const toTensor = (a: Arr, requiresGrad = false): Tensor =>
  tensor(Float64Array.from(a.data), a.shape, { dtype: 'float64', requiresGrad });

export const fromTensor = (t: Tensor): Arr => ({ shape: [...t.shape], data: t.toArray() });

export function close(actual: number, expected: number, atol: number, rtol: number): boolean {
  if (Number.isNaN(expected) || Number.isNaN(actual)) return Number.isNaN(expected) && Number.isNaN(actual);
  if (!Number.isFinite(expected) || !Number.isFinite(actual)) return actual === expected;
  return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
}

/** Throws naming the first differing element, so fast-check reports a readable counterexample. */
export function expectClose(actual: Tensor | Arr, expected: Arr, tol: { atol?: number; rtol?: number } = {}): void {
  const atol = tol.atol ?? 1e-12, rtol = tol.rtol ?? 1e-10;
  const got = 'toArray' in actual ? fromTensor(actual) : actual;
  if (got.shape.length !== expected.shape.length || got.shape.some((d, i) => d !== expected.shape[i])) {
    throw new Error(`shape [${got.shape.join(',')}] but the reference has [${expected.shape.join(',')}]`);
  }
  for (let i = 0; i < expected.data.length; i++) {
    if (!close(got.data[i]!, expected.data[i]!, atol, rtol)) {
      throw new Error(`element ${i} of [${got.shape.join(',')}]: got ${got.data[i]}, reference ${expected.data[i]} (atol ${atol}, rtol ${rtol})`);
    }
  }
}

/** Names of the primitives recorded in the graph below t. */
export function graphOps(t: Tensor): Set<string> {
  const ops = new Set<string>();
  const seen = new Set<Tensor>();
  const stack = [t];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (seen.has(x) || x.node === null) continue;
    seen.add(x);
    ops.add(x.node.op);
    stack.push(...x.node.inputs);
  }
  return ops;
}
