/**
 * Numerics of every composite, in Float64 on generated shapes: forward against the plain
 * reference, gradients (which come from the primitives' rules) against central differences.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkGrads } from '../src/autograd/index.js';
import * as Composites from '../src/autograd/composites.js';
import { expectClose, toTensor } from './helpers/close.js';
import { compositeCases } from './helpers/composite-cases.js';
import { FC } from './helpers/gen.js';
import type { Instance } from './helpers/instance.js';

const names = Object.keys(compositeCases).sort();

describe('composite coverage', () => {
  it('every export of composites.ts has a case (plus mean and transpose from ops.ts)', () => {
    expect(names).toEqual([...Object.keys(Composites), 'mean', 'transpose'].sort());
  });
});

describe.each(names)('composite %s', (name) => {
  it('forward matches the reference and gradients match central differences (Float64, generated shapes)', () => {
    const arb = (compositeCases as Record<string, fc.Arbitrary<Instance>>)[name]!;
    fc.assert(
      fc.property(arb, fc.nat(1000), (inst, seed) => {
        const xs = inst.xs.map((x) => toTensor(x, true));
        const y = inst.run(...xs);
        expectClose(y, inst.ref(...inst.xs));
        checkGrads(inst.run, xs, { seed, directions: 2 });
      }),
      FC,
    );
  });
});
