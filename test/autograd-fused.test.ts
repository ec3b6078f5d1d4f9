/**
 * silu and softplus became primitives (src/autograd/fused.ts) so that the predictor's training
 * step makes one pass over their data each way. They must compute exactly what their compositions
 * of primitives computed before, values and gradients, bit for bit, in Float32 and Float64, on
 * every backend (large tensors take the wasm elementwise kernels under 'auto'), including zeros of
 * both signs, ties at 0, huge, tiny and non-finite inputs. (Their numerics against the plain
 * reference and central differences are in the primitive table's tests.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { abs, add, exp, log, maximum, mul, neg, sigmoid, silu, softplus, tensor, type Tensor } from '../src/autograd/index.js';
import { withBackend } from '../src/kernels/index.js';
import { FC } from './helpers/gen.js';

const composed = {
  silu: (x: Tensor) => mul(x, sigmoid(x)),
  softplus: (x: Tensor) => add(maximum(x, 0), log(add(exp(neg(abs(x))), 1))),
};
const fused = { silu, softplus };

const special = fc.constantFrom(0, -0, 1e-30, -1e-30, 1e-45, 88.8, -88.8, 104, -104, 1e30, -1e30, 1000, -1000, Infinity, -Infinity, NaN);
const value = fc.oneof({ weight: 6, arbitrary: fc.double({ min: -20, max: 20, noNaN: true }) }, { weight: 1, arbitrary: special });

function run(f: (x: Tensor) => Tensor, data: number[], seed: number[], dtype: 'float32' | 'float64'): { y: number[]; g: number[] } {
  const x = tensor(data, [data.length], { dtype, requiresGrad: true });
  const y = f(x);
  y.backward(tensor(seed, [data.length], { dtype }));
  return { y: [...y.data], g: [...x.grad!.data] };
}

/** Equal including the sign of zero (NaN equals NaN). */
function sameBits(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

describe('fused silu and softplus = their former compositions, bit for bit', () => {
  for (const name of ['silu', 'softplus'] as const) {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const backend of ['js', 'auto']) {
        it(`${name}, ${dtype}, backend ${backend}`, () => {
          fc.assert(
            fc.property(fc.integer({ min: 1, max: 1500 }).chain((n) => fc.tuple(fc.array(value, { minLength: n, maxLength: n }), fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: n, maxLength: n }))), ([data, seed]) => {
              withBackend(backend, () => {
                const want = run(composed[name], data, seed, dtype), got = run(fused[name], data, seed, dtype);
                expect(sameBits(got.y, want.y), 'values').toBe(true);
                expect(sameBits(got.g, want.g), 'gradients').toBe(true);
              });
            }),
            { ...FC, numRuns: 40 },
          );
        });
      }
    }
  }
});
