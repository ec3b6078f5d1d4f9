/**
 * The WebAssembly emitter of the wasm backend: LEB128 encodings, module structure (sections and
 * their sizes, imports, exports, one type per signature), validation, and every SIMD and scalar
 * instruction the kernels use executed against the JS result.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Code, F32, F64, I32, V128, moduleBytes, sleb, uleb } from '../src/kernels/wasm/emit.js';

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
    expect(ids).toEqual([1, 2, 3, 7, 10, 0]); // type, import, function, export, code, custom ("name")
    expect(WebAssembly.validate(Uint8Array.from(bytes))).toBe(true);
    const mod = new WebAssembly.Module(Uint8Array.from(bytes));
    expect(WebAssembly.Module.imports(mod)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    expect(WebAssembly.Module.exports(mod).map((e) => e.name)).toEqual(['add', 'add2']);
    // The name section's function-names subsection: id 1, its size (12), the count, then (index, name) for each.
    const [names] = WebAssembly.Module.customSections(mod, 'name');
    const utf8 = (t: string) => [t.length, ...new TextEncoder().encode(t)];
    expect([...new Uint8Array(names!)]).toEqual([1, 12, 2, 0, ...utf8('add'), 1, ...utf8('add2')]);
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
  it('executes the Float64 and unsigned/less-or-equal compares of the convolution and batch-norm kernels', () => {
    // f(p): reads f32 a = p[0], b = p[1], f64 c = p[1] (bytes 8..16); writes results from byte 16.
    const c = new Code([I32]);
    const t = c.local(F64);
    c.get(0).f32Load().f64PromoteF32().get(0).f32Load(4).f64PromoteF32().f64Mul().get(0).f64Load(8).f64Add().set(t);
    c.get(0).get(t).f64Store(16); // a·b + c in double
    c.get(0).get(t).f32DemoteF64().f32Store(24); // rounded to float32
    c.get(0).get(t).f64(0.5).f64Sub().f64(3).f64Div().f64Store(32); // (t − 0.5) / 3
    c.get(0).i32(7).f64ConvertI32S().f64Store(40);
    c.get(0).i32(-1).i32(5).ltU().i32(2).i32(5).ltU().i32(2).mul().add().i32(5).i32(5).leS().i32(4).mul().add().i32(6).i32(5).leS().i32(8).mul().add().i32Store(48);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes([{ name: 'f', code: c }])), { env: { memory } });
    const f32 = new Float32Array(memory.buffer), f64 = new Float64Array(memory.buffer), i32 = new Int32Array(memory.buffer);
    f32[0] = 0.1; f32[1] = 3.7; f64[1] = 1e-9;
    (inst.exports.f as (p: number) => void)(0);
    const want = f32[0]! * f32[1]! + 1e-9;
    expect(f64[2]).toBe(want);
    expect(f32[6]).toBe(Math.fround(want));
    expect(f64[4]).toBe((want - 0.5) / 3);
    expect(f64[5]).toBe(7);
    expect(i32[12]).toBe(0 + 2 + 4 + 0); // -1 <u 5 false, 2 <u 5, 5 <= 5, 6 <= 5 false
  });
});
