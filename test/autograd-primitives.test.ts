/**
 * Numerics of every primitive, in Float64 on generated shapes: the forward result against the
 * plain reference, and the backward rule against central differences (checkGrads, random
 * directions). The list of primitives comes from the engine's own tables, so a new op without
 * a case fails here (and in tsc, through the mapped type of primitiveCases).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng, checkGrads, matmul, tensor, vjp, type Tensor } from '../src/autograd/index.js';
import { forward } from '../src/autograd/forward.js';
import { expectClose, fromTensor, graphOps, toTensor } from './helpers/close.js';
import { FC } from './helpers/gen.js';
import * as R from './helpers/reference.js';
import { arr } from './helpers/reference.js';
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

/**
 * The same case in Float32: the result must stay Float32 through forward and backward, and agree
 * with the Float64 run on the same (rounded) inputs to single precision.
 */
function checkFloat32(inst: Instance, seed: number): void {
  const rounded = inst.xs.map((x) => arr(x.shape, x.data.map(Math.fround)));
  const x32 = rounded.map((x) => tensor(Float32Array.from(x.data), x.shape, { requiresGrad: true }));
  const x64 = rounded.map((x) => toTensor(x, true));
  const y32 = inst.run(...x32), y64 = inst.run(...x64);
  expect(y32.dtype).toBe('float32');
  expectClose(y32, inst.ref(...rounded), { atol: 1e-4, rtol: 1e-4 });
  const rng = new Rng(seed);
  const v = Array.from({ length: y64.size }, () => rng.normal());
  y32.backward(tensor(Float32Array.from(v), y32.shape));
  y64.backward(tensor(Float64Array.from(v), y64.shape));
  x32.forEach((x, i) => {
    const g32 = x.grad as Tensor, g64 = x64[i]!.grad as Tensor;
    expect(g32.dtype).toBe('float32');
    expectClose(g32, { shape: g64.shape, data: g64.toArray() }, { atol: 1e-3, rtol: 1e-3 });
  });
}

describe.each(ops)('primitive %s', (op) => {
  const arb = (primitiveCases as Record<string, fc.Arbitrary<Instance>>)[op];

  it('forward matches the reference and the VJP matches central differences (Float64, generated shapes)', () => {
    expect(arb, `no test case for primitive '${op}'`).toBeDefined();
    fc.assert(fc.property(arb!, fc.nat(1000), (inst, seed) => checkInstance(op, inst, seed)), FC);
  });

  it('Float32 stays Float32 and agrees with Float64 to single precision', () => {
    fc.assert(fc.property(arb!, fc.nat(1000), (inst, seed) => checkFloat32(inst, seed)), { ...FC, numRuns: Math.ceil(FC.numRuns / 2) });
  });
});

describe('matmul coverage, spelled out', () => {
  // The generator reaches these at random; here every flag combination meets every batch layout.
  const layouts: [string, number[], number[]][] = [
    ['2-D', [], []],
    ['batch broadcast [2,1] vs [3]', [2, 1], [3]],
    ['batched A, plain B (folded into one tall product)', [4], []],
    ['plain A, batched B', [], [2]],
  ];
  const rng = new Rng(11);
  const rand = (shape: number[]) => tensor(Float64Array.from({ length: shape.reduce((n, d) => n * d, 1) }, () => rng.normal()), shape, { dtype: 'float64' });
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      it.each(layouts)(`transA=${transA} transB=${transB}, %s`, (_name, ba, bb) => {
        const [m, k, n] = [3, 4, 2];
        const a = rand([...ba, ...(transA ? [k, m] : [m, k])]), b = rand([...bb, ...(transB ? [n, k] : [k, n])]);
        const f = (x: Tensor, y: Tensor) => matmul(x, y, { transA, transB });
        expectClose(f(a, b), R.matmul(fromTensor(a), fromTensor(b), transA, transB));
        checkGrads(f, [a, b], { seed: 1, directions: 3 });
      });
    }
  }
});
