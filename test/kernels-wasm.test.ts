/**
 * The wasm backend's matmul kernels (packing layouts, every tiling bit-identical to the float32
 * reference on remainder shapes, B read in place and packed, memory growth, errors) and its
 * loading: fallback to 'js' with a reason when WebAssembly is missing or compilation is refused.
 * The property tests shared with the js backend are in kernels.test.ts; the emitter and the
 * elementwise kernels have their own files.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MatmulSpec } from '../src/kernels/backend.js';
import {
  backendStats, lastBackend, listBackends, registerLazyBackend, resetBackendStats, runMatmul, setBackend, unavailableBackends,
} from '../src/kernels/registry.js';
import { SYNC_COMPILE_LIMIT, createWasmBackend, wasmModuleBytes } from '../src/kernels/wasm/index.js';
import { DEFAULT_TILING, matmulModuleBytes } from '../src/kernels/wasm/matmul-kernel.js';
import { build, describeCase, reference, referenceF32, type Case } from './kernels-cases.js';

/** The matmul module instantiated on its own, for checking the packing layouts directly. */
function rawKernels() {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const inst = new WebAssembly.Instance(new WebAssembly.Module(matmulModuleBytes()), { env: { memory } });
  const e = inst.exports as unknown as {
    packB(b: number, sp: number, sj: number, dst: number, k: number, n: number): void;
    packA(a: number, rs: number, ds: number, dst: number, rows: number, k: number): void;
  };
  return { e, f32: new Float32Array(memory.buffer) };
}

describe('matmul kernels', () => {
  const { mr, nr } = DEFAULT_TILING;

  it('the module validates and stays under the 4 KiB that browsers compile synchronously on the main thread', () => {
    for (const tiling of [DEFAULT_TILING, { mr: 6, nr: 8 }, { mr: 2, nr: 16 }, { mr: 1, nr: 4 }]) {
      for (const bytes of [matmulModuleBytes(tiling), wasmModuleBytes(tiling)]) {
        expect(WebAssembly.validate(bytes), `${tiling.mr}x${tiling.nr}`).toBe(true);
        expect(bytes.length).toBeLessThan(SYNC_COMPILE_LIMIT);
      }
    }
    expect(() => matmulModuleBytes({ mr: 4, nr: 6 })).toThrow(/multiple of 4/);
  });

  it('packB: op(B) in nr-wide panels per depth step, zero-padded on the right, both layouts', () => {
    const { e, f32 } = rawKernels();
    for (const [k, n] of [[3, 5], [2, 8], [4, 17], [1, 1]] as const) {
      const B = Array.from({ length: k * n }, (_, i) => i + 1);
      for (const transB of [false, true]) {
        // op(B)[p, j]: stored k×n, or n×k when transposed.
        const stored = transB ? Array.from({ length: n * k }, (_, x) => B[(x % k) * n + Math.floor(x / k)]!) : B;
        f32.fill(-1);
        f32.set(stored, 4);
        e.packB(16, transB ? 4 : n * 4, transB ? k * 4 : 4, 1024, k, n);
        const panels = Math.ceil(n / nr);
        const want: number[] = [];
        for (let P = 0; P < panels; P++) for (let p = 0; p < k; p++) for (let c = 0; c < nr; c++) want.push(P * nr + c < n ? B[p * n + P * nr + c]! : 0);
        expect([...f32.subarray(256, 256 + want.length)], `${k}x${n} ${transB ? 'T' : 'N'}`).toEqual(want);
        expect(f32[256 + want.length]).toBe(-1); // nothing written past the panels
      }
    }
  });

  it('packA: op(A) rows in mr-high panels per depth step, zero rows at the bottom, both layouts', () => {
    const { e, f32 } = rawKernels();
    for (const [rows, k] of [[4, 3], [1, 5], [3, 1], [2, 7]] as const) {
      const m = rows + 2; // rows i0 = 1.. of an m×k op(A)
      const A = Array.from({ length: m * k }, (_, i) => i + 1);
      for (const transA of [false, true]) {
        const stored = transA ? Array.from({ length: k * m }, (_, x) => A[(x % m) * k + Math.floor(x / m)]!) : A;
        f32.fill(-1);
        f32.set(stored, 4);
        const rs = transA ? 4 : k * 4, ds = transA ? m * 4 : 4;
        e.packA(16 + rs, rs, ds, 1024, rows, k);
        const want: number[] = [];
        for (let p = 0; p < k; p++) for (let r = 0; r < mr; r++) want.push(r < rows ? A[(1 + r) * k + p]! : 0);
        expect([...f32.subarray(256, 256 + want.length)], `${rows}x${k} ${transA ? 'T' : 'N'}`).toEqual(want);
      }
    }
  });

  it('every tiling gives the same bits as the float32 reference on edge shapes, all transposes, batches', () => {
    const backends = [DEFAULT_TILING, { mr: 6, nr: 8 }, { mr: 2, nr: 16 }, { mr: 1, nr: 4 }].map((tiling) => createWasmBackend({ tiling }));
    const dims = [1, 3, 4, 5, 8, 9, 13];
    let n = 0;
    fc.assert(fc.property(
      fc.constantFrom(...dims), fc.constantFrom(...dims), fc.constantFrom(...dims, 1, 2, 31), fc.integer({ min: 1, max: 3 }),
      fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean(), fc.integer({ min: 1, max: 1e6 }),
      (m, nn, k, batch, transA, transB, shareA, shareB, seed) => {
        const c: Case = { m, n: nn, k, batch, transA, transB, shareA, shareB, pad: 2, seed };
        let want: number[] | null = null;
        for (const be of backends) {
          const { spec, a, b } = build(c, 'float32');
          be.matmul(spec);
          want ??= [...referenceF32(spec, a, b)];
          expect([...spec.out], `${describeCase(c)} on ${be.describe!().kernel}`).toEqual(want);
        }
        n++;
      }), { seed: 45, numRuns: 150 });
    expect(n).toBe(150);
  });

  it('a row-major B read in place (up to 64 rows of op(A)) and packed (taller) give the reference bits', () => {
    const be = createWasmBackend();
    const cases: Case[] = [];
    for (const m of [1, 63, 64, 65, 130]) {
      for (const transA of [false, true]) {
        for (const n of [1, 7, 8, 13]) cases.push({ m, n, k: 5 + (m % 7), batch: 1, transA, transB: false, shareA: false, shareB: false, pad: 1, seed: m * n });
      }
    }
    // A batch of 9 × 8 rows against one B: collapsed into a 72-row product, so B is packed.
    cases.push({ m: 8, n: 11, k: 6, batch: 9, transA: false, transB: false, shareA: false, shareB: true, pad: 0, seed: 5 });
    cases.push({ m: 8, n: 11, k: 6, batch: 9, transA: true, transB: false, shareA: false, shareB: true, pad: 0, seed: 6 });
    for (const c of cases) {
      const { spec, a, b } = build(c, 'float32');
      be.matmul(spec);
      expect([...spec.out], describeCase(c)).toEqual([...referenceF32(spec, a, b)]);
    }
  });

  it('grows its memory for large products and gives the same bits before and after growing', () => {
    const be = createWasmBackend();
    const small: Case = { m: 7, n: 9, k: 5, batch: 2, transA: true, transB: false, shareA: false, shareB: true, pad: 1, seed: 3 };
    const first = build(small, 'float32').spec;
    be.matmul(first);
    const before = be.memoryBytes();
    const big: Case = { m: 300, n: 260, k: 700, batch: 1, transA: false, transB: true, shareA: false, shareB: false, pad: 0, seed: 4 };
    const { spec, a, b } = build(big, 'float32');
    be.matmul(spec);
    expect(be.memoryBytes()).toBeGreaterThan(before);
    expect(be.memoryBytes()).toBeGreaterThanOrEqual(4 * (300 * 700 + 700 * 260 + 300 * 260));
    // Spot-check rows of the big product against the float32 reference (the full one is slow).
    const ref = referenceF32({ ...spec, m: 3 }, a, b);
    expect([...spec.out.subarray(0, 3 * 260)]).toEqual([...ref]);
    const again = build(small, 'float32').spec;
    be.matmul(again);
    expect([...again.out]).toEqual([...first.out]);
  });

  it('rejects Float64 and out-of-range offsets with specific errors; the registry routes Float64 to js', () => {
    const be = createWasmBackend();
    const c: Case = { m: 5, n: 6, k: 7, batch: 2, transA: true, transB: false, shareA: false, shareB: true, pad: 1, seed: 3 };
    const { spec, a, b } = build(c, 'float64');
    expect(() => be.matmul(spec)).toThrow(/wasm matmul: Float32 only \(got Float64Array, Float64Array -> Float64Array\)/);
    expect(be.supports('float64')).toBe(false);
    runMatmul(spec, 'float64', 'wasm');
    expect(lastBackend()).toBe('js');
    expect([...spec.out]).toEqual([...reference(spec, a, b).value]);
    const f = build(c, 'float32').spec;
    const bad: MatmulSpec = { ...f, aOffsets: Int32Array.from([0, f.a.length - 10]) };
    expect(() => be.matmul(bad)).toThrow(/wasm matmul: A offsets \[0, \d+\] with 35 elements per batch exceed its length \d+/);
  });

  it('is deterministic and says what it runs', () => {
    const be = createWasmBackend();
    const c: Case = { m: 33, n: 17, k: 40, batch: 3, transA: false, transB: true, shareA: true, shareB: false, pad: 0, seed: 8 };
    const x = build(c, 'float32').spec, y = build(c, 'float32').spec;
    be.matmul(x);
    be.matmul(build({ ...c, seed: 9 }, 'float32').spec); // different data in between
    be.matmul(y);
    expect([...y.out]).toEqual([...x.out]);
    expect(be.exact).toBe(true);
    expect(be.describe!()).toMatchObject({ engine: 'webassembly-simd128', kernel: 'f32x4 4x8 packed tile', compile: 'synchronous' });
    expect(Number(be.describe!().moduleBytes)).toBe(be.moduleSize);
  });
});

describe('loading where WebAssembly is not allowed', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    registerLazyBackend('wasm', () => createWasmBackend());
    setBackend('js');
    resetBackendStats();
  });

  const square = (n: number): MatmulSpec => ({
    a: new Float32Array(n * n).fill(1), b: new Float32Array(n * n).fill(2), out: new Float32Array(n * n), m: n, n, k: n,
    transA: false, transB: false, batch: 1, aOffsets: new Int32Array(1), bOffsets: new Int32Array(1),
  });

  it('no WebAssembly global: createWasmBackend says so; auto falls back to js and reports why', () => {
    vi.stubGlobal('WebAssembly', undefined);
    expect(() => createWasmBackend()).toThrow(/wasm backend: this runtime has no WebAssembly global/);
    registerLazyBackend('wasm', () => createWasmBackend()); // as the registry registers it at load
    setBackend('auto');
    const s = square(32);
    runMatmul(s, 'float32');
    expect(lastBackend()).toBe('js');
    expect(s.out[0]).toBe(64);
    expect(unavailableBackends()).toEqual({ wasm: 'wasm backend: this runtime has no WebAssembly global' });
    expect(listBackends()).not.toContain('wasm');
    expect(() => setBackend('wasm')).toThrow(/setBackend: backend 'wasm' is unavailable here: wasm backend: this runtime has no WebAssembly global/);
  });

  it("compilation refused (CSP without 'wasm-unsafe-eval'): the error carries the runtime's reason", () => {
    const refusing = {
      ...WebAssembly,
      Module: function Module() {
        throw new WebAssembly.CompileError("WebAssembly.Module(): Refused to compile or instantiate WebAssembly module because 'unsafe-eval' is not an allowed source of script");
      },
    } as unknown as typeof WebAssembly;
    expect(() => createWasmBackend({ wasm: refusing })).toThrow(/WebAssembly compilation was refused or failed \(CompileError: .*'unsafe-eval' is not an allowed source/);
    registerLazyBackend('wasm', () => createWasmBackend({ wasm: refusing }));
    setBackend('auto');
    runMatmul(square(16), 'float32');
    runMatmul(square(16), 'float32');
    expect(backendStats()).toEqual({ js: 2 });
    expect(unavailableBackends().wasm).toMatch(/refused or failed/);
  });

  it('with WebAssembly available, auto uses wasm above its crossover and the registry records nothing', () => {
    setBackend('auto');
    runMatmul(square(32), 'float32');
    expect(lastBackend()).toBe('wasm');
    expect(unavailableBackends()).toEqual({});
  });
});
