/**
 * A generated test case bound to its attributes: the inputs to differentiate, the op as an
 * engine function of those inputs, and the same op in the plain reference.
 */
import type fc from 'fast-check';
import type { Tensor } from '../../src/autograd/index.js';
import type { Arr } from './reference.js';

export interface Instance {
  readonly xs: Arr[];
  readonly attrs: unknown;
  readonly run: (...xs: Tensor[]) => Tensor;
  readonly ref: (...xs: Arr[]) => Arr;
  /** The engine may legitimately skip recording (broadcast to the same shape, concat of one). */
  readonly elided: boolean;
}

export interface Case<A> {
  readonly arb: fc.Arbitrary<{ xs: Arr[]; a: A }>;
  readonly run: (xs: Tensor[], a: A) => Tensor;
  readonly ref: (xs: Arr[], a: A) => Arr;
  readonly elided?: (xs: Arr[], a: A) => boolean;
}

/** Erase a case's attribute type by binding the attributes into closures. */
export function def<A>(c: Case<A>): fc.Arbitrary<Instance> {
  return c.arb.map(({ xs, a }) => ({
    xs,
    attrs: a,
    run: (...ts: Tensor[]) => c.run(ts, a),
    ref: (...rs: Arr[]) => c.ref(rs, a),
    elided: c.elided?.(xs, a) ?? false,
  }));
}

export const none = {} as const;
export type None = typeof none;
