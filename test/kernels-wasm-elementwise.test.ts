/**
 * The wasm backend's elementwise kernels (unary, binary with a repeating trailing block, axis sum)
 * against the engine's own loops, bit for bit, and the routing from src/autograd/loops.ts to a
 * backend's elementwise kernels.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Bin, Un, binary, reduce, unary } from '../src/autograd/loops.js';
import type { BinaryKind, UnaryKind } from '../src/kernels/backend.js';
import { elementwiseBackend, registerBackend, setBackend, unregisterBackend, withBackend } from '../src/kernels/registry.js';
import { WASM_MIN_ELEMENTS, createWasmBackend } from '../src/kernels/wasm/index.js';

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

  it("mulstep (relu's backward) equals the Step loop of src/autograd/vjp.ts on random and special values", () => {
    const step = (x: Float32Array, y: Float32Array): Float32Array => {
      const out = new Float32Array(x.length);
      for (let i = 0; i < x.length; i++) out[i] = x[i]! * +(y[i]! > 0);
      return out;
    };
    const specials = [NaN, 0, -0, Infinity, -Infinity, 1e-40, -1e-40, 1, -1, 3.4e38, 2];
    const sx = Float32Array.from(specials.flatMap((a) => specials.map(() => a)));
    const sy = Float32Array.from(specials.flatMap(() => specials));
    const got = new Float32Array(sx.length);
    be.binary!('mulstep', sx, sy, got);
    sameBits(got, step(sx, sy), 'mulstep specials');
    fc.assert(fc.property(fc.integer({ min: 1, max: 70 }), fc.array(value, { minLength: 63, maxLength: 63 }), (n, pool) => {
      const x = Float32Array.from({ length: n }, (_, i) => pool[i % 63]!), y = Float32Array.from({ length: n }, (_, i) => pool[(5 * i + 17) % 63]!);
      const out = new Float32Array(n).fill(7);
      be.binary!('mulstep', x, y, out);
      sameBits(out, step(x, y), `mulstep n ${n}`);
    }), { seed: 49, numRuns: 150 });
  });

  it('a sum over trailing axes (a global average pool) adds each run in a double and rounds once, as the strided walk did', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.array(value, { minLength: 64, maxLength: 64 }), (n, c, h, w, pool) => {
      const x = Float32Array.from({ length: n * c * h * w }, (_, i) => pool[(i * 7) % 64]!);
      const want = new Float32Array(n * c);
      for (let a = 0; a < n * c; a++) {
        let acc = 0;
        for (let i = 0; i < h * w; i++) acc += x[a * h * w + i]!;
        want[a] = 0 + acc;
      }
      const got = new Float32Array(n * c).fill(7);
      reduce('sum', x, [n, c, h, w], got, [n, c, 1, 1]);
      sameBits(got, want, `[${n},${c},${h},${w}]`);
    }), { seed: 50, numRuns: 150 });
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
