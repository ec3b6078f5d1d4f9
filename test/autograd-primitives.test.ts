/**
 * Numerics of every primitive, in Float64 on generated shapes: the forward result against the
 * plain reference, and the backward rule against central differences (checkGrads, random
 * directions). The list of primitives comes from the engine's own tables, so a new op without
 * a case fails here (and in tsc, through the mapped type of primitiveCases).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkGrads, vjp } from '../src/autograd/index.js';
import { forward } from '../src/autograd/forward.js';
import { expectClose, graphOps, toTensor } from './helpers/close.js';
import { FC } from './helpers/gen.js';
import { primitiveCases, type Instance } from './helpers/primitive-cases.js';

const ops = Object.keys(vjp).sort();

describe('primitive table coverage', () => {
  it('the forward table, the backward table and the test cases name the same primitives', () => {
    expect(Object.keys(forward).sort()).toEqual(ops);
    expect(Object.keys(primitiveCases).sort()).toEqual(ops);
    expect(ops.length).toBeGreaterThanOrEqual(25);
  });
});

function checkInstance(op: string, inst: Instance, seed: number): void {
  const xs = inst.xs.map((x) => toTensor(x, true));
  const y = inst.run(...xs);
  expect(y.dtype).toBe('float64');
  expectClose(y, inst.ref(...inst.xs));
  // The case must exercise the primitive it is filed under.
  if (!inst.elided) expect([...graphOps(y)]).toContain(op);
  checkGrads(inst.run, xs, { seed, directions: 2 });
}

describe.each(ops)('primitive %s', (op) => {
  it('forward matches the reference and the VJP matches central differences (Float64, generated shapes)', () => {
    const arb = (primitiveCases as Record<string, fc.Arbitrary<Instance>>)[op];
    expect(arb, `no test case for primitive '${op}'`).toBeDefined();
    fc.assert(
      fc.property(arb!, fc.nat(1000), (inst, seed) => checkInstance(op, inst, seed)),
      FC,
    );
  });
});
