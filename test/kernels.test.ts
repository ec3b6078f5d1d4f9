/**
 * Every CPU backend against a naive reference, and the backend registry.
 * js: Float64 must be bit-identical to the ascending-order reference while k fits one depth block
 * (same additions in the same order, no FMA in V8) and within 1e-12·Σ|a·b| beyond it; Float32 is
 * the Float64 result rounded once per depth block.
 * wasm (Float32 only): bit-identical to the ascending-order float32 reference (referenceF32).
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Backend, MatmulSpec } from '../src/kernels/backend.js';
import { jsBackend } from '../src/kernels/js/index.js';
import {
  backendFor, backendStats, currentBackend, lastBackend, listBackends, registerBackend, resetBackendStats, runMatmul, setBackend,
  unregisterBackend, withBackend,
} from '../src/kernels/registry.js';
import { createWasmBackend } from '../src/kernels/wasm/index.js';
import { build, caseArb, describeCase, reference, referenceF32, worstError, type Case } from './kernels-cases.js';

const F32_EPS = 2 ** -24;

/** A backend under test: the dtypes it computes itself and its correctness check for one case. */
interface Under { be: Backend; dtypes: readonly ('float32' | 'float64')[]; check(c: Case, dtype: 'float32' | 'float64'): void }

function checkJs(c: Case, dtype: 'float32' | 'float64'): void {
  const { spec, a, b } = build(c, dtype);
  jsBackend.matmul(spec);
  const ref = reference(spec, a, b);
  const blocks = Math.ceil(c.k / 256);
  if (blocks === 1) {
    // One depth block: the kernel performs exactly the reference's additions, in order.
    const expected = dtype === 'float32' ? Float32Array.from(ref.value) : ref.value;
    expect([...spec.out], describeCase(c)).toEqual([...expected]);
  } else {
    const tol = dtype === 'float32' ? (blocks + 1) * F32_EPS : 1e-12;
    expect(worstError(spec.out, ref), describeCase(c)).toBeLessThanOrEqual(tol);
  }
}

const wasm = createWasmBackend();
function checkWasm(c: Case, dtype: 'float32' | 'float64'): void {
  const { spec, a, b } = build(c, dtype);
  wasm.matmul(spec);
  expect([...spec.out], describeCase(c)).toEqual([...referenceF32(spec, a, b)]);
}

const BACKENDS: Under[] = [
  { be: jsBackend, dtypes: ['float64', 'float32'], check: checkJs },
  { be: wasm, dtypes: ['float32'], check: checkWasm },
];

for (const { be, dtypes, check } of BACKENDS) {
  describe(`${be.name} backend matmul`, () => {
    for (const [d, dtype] of dtypes.entries()) {
      it(`${dtype}: every transpose variant, shape and batch broadcast equals the reference`, () => {
        fc.assert(fc.property(caseArb, (c) => check(c, dtype)), { seed: 42 + d, numRuns: 300 });
      });
    }

    it('large products: k and n beyond one cache block, tall batched A with a shared B', () => {
      const base = { batch: 1, shareA: false, shareB: false, pad: 3, seed: 7 };
      const cases: Case[] = [];
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          cases.push({ ...base, m: 9, n: 530, k: 520, transA, transB }); // js: 3 depth blocks, 2 column blocks
          cases.push({ ...base, m: 6, n: 13, k: 257, transA, transB }); // js: one depth step past a block
          cases.push({ ...base, m: 8, n: 33, k: 8, batch: 5, shareB: true, transA, transB }); // collapse when !transA
        }
      }
      for (const c of cases) for (const dtype of dtypes) check(c, dtype);
    });

    it('propagates NaN and Inf from either operand, including against zeros', () => {
      const Arr = dtypes.includes('float64') ? Float64Array : Float32Array;
      const spec = (a: number[], b: number[], m: number, k: number, n: number): MatmulSpec => ({
        a: Arr.from(a), b: Arr.from(b), out: new Arr(m * n), m, n, k,
        transA: false, transB: false, batch: 1, aOffsets: new Int32Array(1), bOffsets: new Int32Array(1),
      });
      // tiny (js: direct path) and tiled (packed path) shapes
      for (const size of [1, 8]) {
        const s = spec(new Array<number>(size * size).fill(0), new Array<number>(size * size).fill(1), size, size, size);
        s.b[0] = NaN;
        s.b[1] = Infinity;
        be.matmul(s);
        expect(s.out[0], `size ${size}`).toBeNaN(); // 0·NaN
        if (size > 1) expect(s.out[1]).toBeNaN(); // 0·Inf
        if (size > 1) expect(s.out[2]).toBe(0);
      }
    });

    it('writes zeros for k = 0 and nothing for empty outputs', () => {
      const out = new Float32Array(6).fill(7);
      be.matmul({ a: new Float32Array(0), b: new Float32Array(0), out, m: 2, n: 3, k: 0, transA: false, transB: false, batch: 1, aOffsets: new Int32Array(1), bOffsets: new Int32Array(1) });
      expect([...out]).toEqual([0, 0, 0, 0, 0, 0]);
      const none = new Float32Array(2).fill(7);
      be.matmul({ a: new Float32Array(4), b: new Float32Array(0), out: none, m: 2, n: 0, k: 2, transA: false, transB: false, batch: 1, aOffsets: new Int32Array(1), bOffsets: new Int32Array(1) });
      expect([...none]).toEqual([7, 7]);
    });
  });
}

/** A stand-in accelerator: computes with js but is a separate registry entry. */
function fake(name: string, autoMinFlops: number, f64: boolean): Backend {
  return { name, exact: true, autoMinFlops, supports: (d) => f64 || d === 'float32', matmul: (s) => jsBackend.matmul(s) };
}

function square(n: number, dtype: 'float32' | 'float64'): MatmulSpec {
  const Arr = dtype === 'float32' ? Float32Array : Float64Array;
  return { a: new Arr(n * n).fill(1), b: new Arr(n * n).fill(2), out: new Arr(n * n), m: n, n, k: n, transA: false, transB: false, batch: 1, aOffsets: new Int32Array(1), bOffsets: new Int32Array(1) };
}

describe('backend registry', () => {
  afterEach(() => {
    setBackend('js');
    unregisterBackend('fake');
    resetBackendStats();
  });

  it('explains how to load gpujs when it is selected before loading, and names unknown backends', () => {
    expect(() => setBackend('gpujs')).toThrow(/backend 'gpujs' is not loaded: load it first with `await loadGpuJs\(\)`/);
    expect(() => setBackend('cuda')).toThrow(/unknown backend 'cuda' \(registered: js, wasm, or 'auto'\)/);
    expect(listBackends()).toEqual(['js', 'wasm']);
    expect(() => registerBackend(fake('auto', 0, true))).toThrow(/reserved/);
    expect(() => unregisterBackend('js')).toThrow(/cannot unregister 'js'/);
    expect(currentBackend()).toBe('js');
  });

  it("'auto' takes the highest measured crossover that a product reaches, only for dtypes the backend supports", () => {
    registerBackend(fake('fake', 2 * 6 ** 3, false));
    setBackend('auto');
    expect(backendFor(square(5, 'float32'), 'float32').name).toBe('js'); // below every crossover
    expect(backendFor(square(6, 'float32'), 'float32').name).toBe('fake'); // below wasm's 1024 flops
    // Both reached: wasm's crossover is the higher (measured against what ran below it), wasm wins.
    expect(backendFor(square(8, 'float32'), 'float32').name).toBe('wasm');
    expect(backendFor(square(8, 'float64'), 'float64').name).toBe('js'); // dtype not supported
    unregisterBackend('fake');
    // A backend faster than wasm from 2,000 flops on (a calibrated gpu.js) takes over from there.
    registerBackend(fake('fake', 2 * 10 ** 3, false));
    expect(backendFor(square(9, 'float32'), 'float32').name).toBe('wasm');
    expect(backendFor(square(10, 'float32'), 'float32').name).toBe('fake');
    unregisterBackend('fake');
    expect(backendFor(square(7, 'float32'), 'float32').name).toBe('js'); // 686 flops: below wasm's crossover
    expect(backendFor(square(8, 'float32'), 'float32').name).toBe('wasm');
    runMatmul(square(8, 'float32'), 'float32');
    runMatmul(square(8, 'float64'), 'float64');
    runMatmul(square(2, 'float32'), 'float32');
    expect(backendStats()).toEqual({ wasm: 1, js: 2 });
    expect(lastBackend()).toBe('js');
  });

  it('a per-call override and withBackend leave the selection unchanged; results are right', () => {
    registerBackend(fake('fake', Infinity, true));
    const s = square(5, 'float64');
    runMatmul(s, 'float64', 'fake');
    expect(lastBackend()).toBe('fake');
    expect([...s.out]).toEqual(new Array<number>(25).fill(10));
    expect(currentBackend()).toBe('js');
    withBackend('auto', () => runMatmul(square(64, 'float32'), 'float32')); // fake (Infinity) is never auto
    expect(lastBackend()).toBe('wasm');
    expect(currentBackend()).toBe('js');
    expect(() => runMatmul(s, 'float64', 'nope')).toThrow(/unknown backend 'nope'/);
  });
});
