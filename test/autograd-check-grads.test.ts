/**
 * The gradient checker itself: full-Jacobian mode on tiny shapes for every primitive, proof that
 * it rejects wrong gradients in both modes, and its allclose and argument checks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as E from '../src/autograd/index.js';
import { allclose, checkGrads, tensor, type Tensor } from '../src/autograd/index.js';
import { toTensor } from './helpers/close.js';
import { FC } from './helpers/gen.js';
import type { Instance } from './helpers/instance.js';
import { primitiveCases } from './helpers/primitive-cases.js';
import { count } from './helpers/reference.js';

const f64 = (data: number[], shape?: number[]): Tensor => tensor(data, shape ?? [data.length], { dtype: 'float64' });

describe('full-Jacobian mode on tiny shapes', () => {
  // Every entry of every Jacobian: out.size × Σ input sizes comparisons, so keep both small.
  const tiny = (inst: Instance) => inst.xs.reduce((n, x) => n + count(x.shape), 0) <= 10 && count(inst.ref(...inst.xs).shape) <= 10;

  it.each(Object.keys(primitiveCases).sort())('%s', (op) => {
    const arb = (primitiveCases as Record<string, fc.Arbitrary<Instance>>)[op]!.filter(tiny);
    fc.assert(
      fc.property(arb, (inst) => {
        const xs = inst.xs.map((x) => toTensor(x));
        const report = checkGrads(inst.run, xs, { mode: 'jacobian' });
        expect(report.checks).toBe(count(inst.ref(...inst.xs).shape) * xs.reduce((n, x) => n + x.size, 0));
      }),
      { ...FC, numRuns: 15 },
    );
  });

  it('composites on fixed tiny inputs', () => {
    const x = f64([0.3, -1.2, 2.0, 0.7, -0.4, 1.1], [2, 3]);
    const g = f64([1.5, 0.5, -1]), b = f64([0.1, 0.2, 0.3]);
    checkGrads((t) => E.softmax(t!, 0), [x], { mode: 'jacobian' });
    checkGrads((t, gamma, beta) => E.layerNorm(t!, gamma, beta), [x, g, b], { mode: 'jacobian' });
    checkGrads((t) => E.crossEntropy(t!, [2, 0]), [x], { mode: 'jacobian' });
    checkGrads((t) => E.gelu(t!).matmul(E.transpose(t!)), [x], { mode: 'jacobian' });
  });
});

describe('checkGrads rejects wrong gradients', () => {
  // x·stop(x) has true derivative 2x, but the engine (correctly) reports only stop(x) = x.
  const wrong = (t: Tensor) => t.detach().mul(t);
  const x = f64([0.5, -1.5, 2]);

  it('in VJP mode, with a message naming the failing direction', () => {
    expect(() => checkGrads(wrong, [x])).toThrow(/^checkGrads: 3 of 3 checks failed \(inputs \[3\], atol 0\.000001, rtol 0\.00001, eps 0\.000001\):\n {2}direction 0: <v, J u>: analytic/);
    const report = checkGrads(wrong, [x], { throwOnFail: false, directions: 4 });
    expect(report.ok).toBe(false);
    expect(report.checks).toBe(4);
    for (const m of report.mismatches) expect(m.numeric).toBeCloseTo(2 * m.analytic, 6);
  });

  it('in Jacobian mode, entry by entry (only the diagonal is wrong)', () => {
    const report = checkGrads(wrong, [x], { mode: 'jacobian', throwOnFail: false });
    expect(report.checks).toBe(9);
    expect(report.mismatches.map((m) => m.what)).toEqual(['d out[0] / d input0[0]', 'd out[1] / d input0[1]', 'd out[2] / d input0[2]']);
  });

  it('even when the error is one part in ten thousand', () => {
    const slightly = (t: Tensor) => t.mul(t.detach().mul(1e-4)).add(t.mul(t));
    expect(() => checkGrads(slightly, [x])).toThrow(/checks failed/);
  });

  it('accepts a function that ignores its input (zero gradient both ways)', () => {
    expect(checkGrads(() => f64([1, 2]), [x]).ok).toBe(true);
  });
});

describe('checkGrads options and arguments', () => {
  it('Float32 inputs are checked with the loose Float32 tolerance', () => {
    const x32 = tensor([0.5, -1.5, 2], [3]);
    expect(checkGrads((t) => t!.tanh().mul(t!), [x32]).ok).toBe(true);
  });

  it('refuses no inputs and mixed dtypes', () => {
    expect(() => checkGrads(() => f64([1]), [])).toThrow('checkGrads: needs at least one input');
    expect(() => checkGrads((a) => a!, [f64([1]), tensor([1])])).toThrow('checkGrads: all inputs must share one dtype');
  });

  it('is deterministic for a seed', () => {
    const f = (t: Tensor) => t.detach().mul(t);
    const a = checkGrads(f, [f64([1, 2])], { seed: 9, throwOnFail: false });
    const b = checkGrads(f, [f64([1, 2])], { seed: 9, throwOnFail: false });
    expect(a.mismatches).toEqual(b.mismatches);
  });
});

describe('allclose', () => {
  it('atol + rtol·|b|, NaN only equals NaN, infinities only themselves', () => {
    expect(allclose(1 + 1e-7, 1, 0, 1e-6)).toBe(true);
    expect(allclose(1 + 1e-5, 1, 1e-6, 1e-6)).toBe(false);
    expect(allclose(NaN, NaN, 1, 1)).toBe(true);
    expect(allclose(NaN, 0, 1, 1)).toBe(false);
    expect(allclose(0, NaN, 1, 1)).toBe(false);
    expect(allclose(Infinity, Infinity, 0, 0)).toBe(true);
    expect(allclose(Infinity, -Infinity, 1, 1)).toBe(false);
    expect(allclose(Infinity, 1e308, 1, 1)).toBe(false);
    expect(allclose(1e308, Infinity, 1, 1)).toBe(false);
  });
});
