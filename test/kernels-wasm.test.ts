/**
 * The WebAssembly emitter (encodings, module structure, opcodes executed), the emitted matmul
 * kernels (packing layouts, every tiling bit-identical to the float32 reference on remainder
 * shapes, memory growth) and the backend's loading: fallback to 'js' with a reason when
 * WebAssembly is missing or compilation is refused. The property tests shared with the js backend
 * are in kernels.test.ts.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Bin, Un, binary, reduce, unary } from '../src/autograd/loops.js';
import type { BinaryKind, MatmulSpec, UnaryKind } from '../src/kernels/backend.js';
import {
  backendStats, elementwiseBackend, lastBackend, listBackends, registerBackend, registerLazyBackend, resetBackendStats, runMatmul,
  setBackend, unavailableBackends, unregisterBackend, withBackend,
} from '../src/kernels/registry.js';
import { Code, F32, I32, V128, moduleBytes, sleb, uleb } from '../src/kernels/wasm/emit.js';
import { SYNC_COMPILE_LIMIT, WASM_MIN_ELEMENTS, createWasmBackend, wasmModuleBytes } from '../src/kernels/wasm/index.js';
import { DEFAULT_TILING, matmulModuleBytes } from '../src/kernels/wasm/matmul-kernel.js';
import { build, describeCase, reference, referenceF32, type Case } from './kernels-cases.js';

/** LEB128 decoders written independently of the encoder. */
function readUleb(bytes: number[]): number {
  let v = 0;
  bytes.forEach((b, i) => (v += (b & 0x7f) * 2 ** (7 * i)));
  return v;
}
function readSleb(bytes: number[]): number {
  const v = readUleb(bytes);
  const bits = 7 * bytes.length;
  return (bytes[bytes.length - 1]! & 0x40) !== 0 ? v - 2 ** bits : v;
}

describe('emitter', () => {
  it('LEB128: known encodings, round trips, continuation bits, range errors', () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(127)).toEqual([0x7f]);
    expect(uleb(128)).toEqual([0x80, 0x01]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(uleb(0xffffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(sleb(0)).toEqual([0]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-64)).toEqual([0x40]);
    expect(sleb(-65)).toEqual([0xbf, 0x7f]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (v) => {
      const e = uleb(v);
      expect(readUleb(e)).toBe(v);
      e.forEach((b, i) => expect(b >= 0x80).toBe(i < e.length - 1));
    }), { seed: 42, numRuns: 300 });
    fc.assert(fc.property(fc.integer({ min: -0x80000000, max: 0x7fffffff }), (v) => {
      expect(readSleb(sleb(v))).toBe(v);
    }), { seed: 43, numRuns: 300 });
    expect(() => uleb(-1)).toThrow(/expected a u32, got -1/);
    expect(() => uleb(2 ** 32)).toThrow(/u32/);
    expect(() => sleb(2 ** 31)).toThrow(/expected an i32/);
    expect(() => sleb(0.5)).toThrow(/i32/);
  });

  it('module layout: header, sections in order with their declared sizes, imported memory, exports', () => {
    const c = new Code([I32, I32], [I32]);
    c.get(0).get(1).add();
    const bytes = [...moduleBytes([{ name: 'add', code: c }, { name: 'add2', code: c }], 3)];
    expect(bytes.slice(0, 8)).toEqual([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    const ids: number[] = [];
    let at = 8;
    while (at < bytes.length) {
      ids.push(bytes[at]!);
      let size = 0, shift = 0, b: number;
      do {
        b = bytes[++at]!;
        size += (b & 0x7f) * 2 ** shift;
        shift += 7;
      } while (b & 0x80);
      at += 1 + size;
    }
    expect(at).toBe(bytes.length); // sizes add up exactly
    expect(ids).toEqual([1, 2, 3, 7, 10]); // type, import, function, export, code
    expect(WebAssembly.validate(Uint8Array.from(bytes))).toBe(true);
    const mod = new WebAssembly.Module(Uint8Array.from(bytes));
    expect(WebAssembly.Module.imports(mod)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    expect(WebAssembly.Module.exports(mod).map((e) => e.name)).toEqual(['add', 'add2']);
    // One type for the two identical signatures: the type section holds a single entry.
    expect(bytes[bytes.indexOf(0x60) - 1]).toBe(1);
    const inst = new WebAssembly.Instance(mod, { env: { memory: new WebAssembly.Memory({ initial: 3 }) } });
    expect((inst.exports.add as (a: number, b: number) => number)(2, 40)).toBe(42);
  });

  it('validation catches a mistyped body (so the validity checks above can fail)', () => {
    const c = new Code([I32], [I32]);
    c.get(0).v128Zero().add(); // i32.add on a v128
    expect(WebAssembly.validate(moduleBytes([{ name: 'bad', code: c }]))).toBe(false);
  });

  it('executes the SIMD and scalar instructions the kernels use as the spec defines them', () => {
    // f(x, y, out): out[0..4] = op(load(x), load(y)) for each lane op; out[4..] = scalar results.
    const lanes: [string, (c: Code) => Code, (a: number, b: number) => number][] = [
      ['add', (c) => c.f32x4Add(), (a, b) => a + b], ['sub', (c) => c.f32x4Sub(), (a, b) => a - b],
      ['mul', (c) => c.f32x4Mul(), (a, b) => a * b], ['div', (c) => c.f32x4Div(), (a, b) => a / b],
      ['max', (c) => c.f32x4Max(), (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b))],
    ];
    const fns = lanes.map(([name, op]) => {
      const c = new Code([I32, I32, I32]);
      c.get(2).get(0).v128Load(0, 0).get(1).v128Load(0, 0);
      op(c).v128Store(0, 0);
      return { name, code: c };
    });
    const misc = new Code([I32, I32, I32]);
    const v = misc.local(V128), s = misc.local(F32);
    misc.get(0).load32Splat(4).set(v); // splat x[1]
    misc.get(2).get(v).f32x4Sqrt().v128Store(0, 0); // out[0..4] = sqrt(x[1])
    misc.get(1).f32Load(8).f32x4Splat().f32x4Extract(3).set(s);
    misc.get(2).get(s).get(s).f32Mul().get(0).f32Load().f32Add().f32Store(16); // out[4] = y[2]² + x[0]
    misc.get(2).v128Zero().v128Store(20, 0); // out[5..9] = 0
    misc.get(2).f32(0.1).f32Store(36); // out[9]
    misc.get(2).i32(-5).i32(9).get(2).i32(32).eq().select().i32(2).shl().i32Store(40); // out[10] (i32) = -5 << 2
    misc.get(2).get(2).i32(7).ltS().i32(-3).i32(7).ltS().add().i32Store(44); // (32 < 7) + (-3 <s 7) = 1
    misc.get(2).i32(6).i32(3).and().i32(6).i32(3).ne().add().i32(5).i32(3).sub().mul().i32Store(48); // (2 + 1)·2
    misc.get(2).i32(12).i32(12).geS().i32(0).eqz().mul().i32(3).mul().get(2).i32Load(44).add().i32Store(52); // 3 + out[11]
    fns.push({ name: 'misc', code: misc });
    const memory = new WebAssembly.Memory({ initial: 1 });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes(fns)), { env: { memory } });
    const f32 = new Float32Array(memory.buffer), i32 = new Int32Array(memory.buffer);
    const x = [1.5, 2.25, -3.25, NaN], y = [0.1, 4, -0.5, 2];
    for (const [name, , ref] of lanes) {
      f32.set(x, 0);
      f32.set(y, 4);
      (inst.exports[name] as (x: number, y: number, o: number) => void)(0, 16, 32);
      expect([...f32.subarray(8, 12)], name).toEqual(x.map((a, i) => Math.fround(ref(Math.fround(a), Math.fround(y[i]!)))));
    }
    f32.fill(7, 8);
    (inst.exports.misc as (x: number, y: number, o: number) => void)(0, 16, 32);
    expect([...f32.subarray(8, 12)]).toEqual([1.5, 1.5, 1.5, 1.5]);
    expect(f32[12]).toBe(1.75);
    expect([...f32.subarray(13, 17)]).toEqual([0, 0, 0, 0]);
    expect(f32[17]).toBe(Math.fround(0.1));
    expect([...i32.subarray(18, 22)]).toEqual([-20, 1, 6, 4]);
  });
});

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

describe('elementwise kernels', () => {
  const be = createWasmBackend();
  const UN: [UnaryKind, Un][] = [['neg', Un.Neg], ['abs', Un.Abs], ['sqrt', Un.Sqrt], ['relu', Un.Relu]];
  const BIN: [BinaryKind, Bin][] = [['add', Bin.Add], ['sub', Bin.Sub], ['mul', Bin.Mul], ['div', Bin.Div], ['max', Bin.Max], ['min', Bin.Min]];
  // Float32 values with the cases that tell implementations apart: NaN, ±0, ±Inf, denormals, ties.
  const value = fc.oneof(
    fc.constantFrom(NaN, 0, -0, Infinity, -Infinity, 1e-40, -1e-40, 1, -1, 3.4e38),
    fc.float({ noDefaultInfinity: true, noNaN: true }),
  );
  const sameBits = (got: Float32Array, want: Float32Array, what: string): void => {
    expect(got.length).toBe(want.length);
    for (let i = 0; i < want.length; i++) {
      const g = got[i]!, w = want[i]!;
      const show = (v: number): string => (Object.is(v, -0) ? '-0' : String(v)); // String(-0) is '0'
      if (!(Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w)))) expect(show(g), `${what} at ${i}`).toBe(show(w));
    }
  };

  it('unary ops equal the engine loops bit for bit (NaN, ±0, denormals, lengths off the vector width)', () => {
    fc.assert(fc.property(fc.array(value, { maxLength: 41 }), (xs) => {
      const x = Float32Array.from(xs);
      for (const [kind, op] of UN) {
        const want = new Float32Array(x.length), got = new Float32Array(x.length).fill(7);
        withBackend('js', () => unary(op, x, want));
        be.unary!(kind, x, got);
        sameBits(got, want, kind);
      }
    }), { seed: 46, numRuns: 200 });
  });

  it('binary ops, same shape and a repeating trailing block of any period, equal the engine loops', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 7 }), fc.boolean(), fc.array(value, { minLength: 63, maxLength: 63 }), (period, rows, same, pool) => {
      const n = period * rows;
      const x = Float32Array.from({ length: n }, (_, i) => pool[i % 63]!);
      const y = Float32Array.from({ length: same ? n : period }, (_, i) => pool[(5 * i + 17) % 63]!);
      const outShape = [rows, period], yShape = same ? outShape : [period];
      for (const [kind, op] of BIN) {
        const want = new Float32Array(n), got = new Float32Array(n).fill(7);
        withBackend('js', () => binary(op, x, outShape, y, yShape, want, outShape));
        be.binary!(kind, x, y, got);
        sameBits(got, want, `${kind} period ${y.length} of ${n}`);
      }
    }), { seed: 47, numRuns: 200 });
  });

  it('binary ops on every pair of special values (the fast-check pools rarely pair ±0 or NaN)', () => {
    const specials = [NaN, 0, -0, Infinity, -Infinity, 1e-40, -1e-40, 1, -1, 3.4e38, 2];
    const x = Float32Array.from(specials.flatMap((a) => specials.map(() => a)));
    const y = Float32Array.from(specials.flatMap(() => specials));
    for (const [kind, op] of BIN) {
      const want = new Float32Array(x.length), got = new Float32Array(x.length);
      withBackend('js', () => binary(op, x, [x.length], y, [y.length], want, [x.length]));
      be.binary!(kind, x, y, got);
      sameBits(got, want, kind);
    }
  });

  it('sumAxis equals the engine reduce into a Float32Array (ascending order, float32 rounding per addition)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 6 }), fc.array(value, { minLength: 64, maxLength: 64 }), (outer, size, inner4, pool) => {
      const inner = 4 * inner4;
      const x = Float32Array.from({ length: outer * size * inner }, (_, i) => pool[(i * 7) % 64]!);
      const want = new Float32Array(outer * inner), got = new Float32Array(outer * inner).fill(7);
      withBackend('js', () => reduce('sum', x, [outer, size, inner], want, [outer, 1, inner]));
      be.sumAxis!(x, got, outer, size, inner);
      sameBits(got, want, `[${outer},${size},${inner}]`);
    }), { seed: 48, numRuns: 150 });
    expect(() => be.sumAxis!(new Float32Array(6), new Float32Array(3), 1, 2, 3)).toThrow(/wasm sumAxis: expected x of 1·2·3 and out of 1·3 elements with inner a multiple of 4/);
  });

  it('checks lengths', () => {
    expect(() => be.unary!('relu', new Float32Array(3), new Float32Array(4))).toThrow(/wasm elementwise: x has 3 elements, out 4/);
    expect(() => be.binary!('add', new Float32Array(6), new Float32Array(4), new Float32Array(6))).toThrow(/y has 4 elements, which does not tile out's 6/);
    be.unary!('neg', new Float32Array(0), new Float32Array(0)); // empty: nothing to do
  });

  describe('routing from the engine loops', () => {
    afterEach(() => {
      unregisterBackend('spy');
      setBackend('js');
    });
    /** The wasm kernels behind a recording wrapper that takes every size. */
    function spy(): { calls: string[] } {
      const calls: string[] = [];
      registerBackend({
        name: 'spy', exact: true, supports: (d) => d === 'float32', matmul: (s) => be.matmul(s), autoMinElements: 1,
        unary: (k, x, o) => (calls.push(`unary ${k} ${o.length}`), be.unary!(k, x, o)),
        binary: (k, x, y, o) => (calls.push(`binary ${k} ${y.length}/${o.length}`), be.binary!(k, x, y, o)),
        sumAxis: (x, o, outer, size, inner) => (calls.push(`sum ${outer}·${size}·${inner}`), be.sumAxis!(x, o, outer, size, inner)),
      });
      return { calls };
    }

    it('the selection decides: js never, wasm from WASM_MIN_ELEMENTS, auto the lowest threshold reached', () => {
      expect(elementwiseBackend(1e6, 'js')).toBeNull();
      expect(elementwiseBackend(WASM_MIN_ELEMENTS - 1, 'wasm')).toBeNull();
      expect(elementwiseBackend(WASM_MIN_ELEMENTS, 'wasm')?.name).toBe('wasm');
      expect(elementwiseBackend(WASM_MIN_ELEMENTS, 'auto')?.name).toBe('wasm');
      spy();
      expect(elementwiseBackend(2, 'auto')?.name).toBe('spy');
      registerBackend({ name: 'spy', exact: true, supports: () => true, matmul: () => {} }); // no elementwise kernels
      expect(elementwiseBackend(1e6, 'spy')).toBeNull();
    });

    it('hands over Float32 unary ops it has kernels for and same-shape or trailing-block binary ops, nothing else', () => {
      const { calls } = spy();
      setBackend('spy');
      const x = Float32Array.from({ length: 24 }, (_, i) => i - 11.5);
      const out = new Float32Array(24);
      unary(Un.Relu, x, out);
      unary(Un.Exp, x, out); // transcendental: stays in JS
      unary(Un.Relu, Float64Array.from(x), new Float64Array(24)); // Float64: stays in JS
      binary(Bin.Add, x, [2, 3, 4], new Float32Array(4).fill(1), [1, 1, 4], out, [2, 3, 4]); // bias
      expect([...out]).toEqual([...x].map((v) => v + 1));
      binary(Bin.Sub, x, [2, 3, 4], x, [2, 3, 4], out, [2, 3, 4]);
      binary(Bin.Mul, x, [2, 3, 4], new Float32Array(3), [3, 1], out, [2, 3, 4]); // column broadcast: JS
      binary(Bin.Mul, new Float32Array(4), [4], x, [2, 3, 4], out, [2, 3, 4]); // x broadcast: JS
      expect(calls).toEqual(['unary relu 24', 'binary add 4/24', 'binary sub 24/24']);
    });

    it('hands over Float32 sums over one block of axes followed by kept axes of a multiple of 4 elements', () => {
      const { calls } = spy();
      setBackend('spy');
      const x = Float32Array.from({ length: 2 * 3 * 5 * 4 }, (_, i) => i);
      const sum = (keep: number[], dtype: 'f32' | 'f64' = 'f32', kind: 'sum' | 'max' = 'sum'): number[] => {
        const out = dtype === 'f32' ? new Float32Array(keep.reduce((a, b) => a * b, 1)) : new Float64Array(keep.reduce((a, b) => a * b, 1));
        reduce(kind, dtype === 'f32' ? x : Float64Array.from(x), [2, 3, 5, 4], out, keep);
        return [...out];
      };
      const bias = sum([1, 1, 1, 4]); // bias gradient: everything but the last axis
      expect(bias).toEqual([0, 1, 2, 3].map((c) => Array.from({ length: 30 }, (_, r) => 4 * r + c).reduce((a, b) => a + b, 0)));
      sum([2, 1, 5, 4]); // the middle axis (a mean over nodes)
      sum([2, 3, 5, 1]); // last axis reduced: stays in JS
      sum([1, 3, 1, 4]); // two reduced blocks: JS
      sum([1, 1, 1, 4], 'f64'); // Float64: JS
      sum([1, 1, 1, 4], 'f32', 'max'); // max: JS
      expect(calls).toEqual(['sum 1·30·4', 'sum 2·3·20']);
    });
  });
});
