/**
 * Tensor creation: nested, flat and typed sources, copying, dtype inference, and the seeded
 * random constructors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng, arange, full, ones, rand, randn, tensor, zeros } from '../src/autograd/index.js';
import { FC, arrOf, shapeArb, uniform } from './helpers/gen.js';
import { count, type Arr } from './helpers/reference.js';

/** The nested-array form of a reference array (a number for rank 0). */
function nest(x: Arr): unknown {
  const go = (dim: number, off: number): unknown => {
    if (dim === x.shape.length) return x.data[off];
    const step = count(x.shape.slice(dim + 1));
    return Array.from({ length: x.shape[dim]! }, (_, i) => go(dim + 1, off + i * step));
  };
  return go(0, 0);
}

describe('tensor()', () => {
  it('nested arrays give their shape and row-major data, and toNested() gives them back', () => {
    fc.assert(
      fc.property(shapeArb().chain((s) => arrOf(s, uniform(-1e6, 1e6))), (x) => {
        const t = tensor(nest(x) as number[], undefined, { dtype: 'float64' });
        expect(t.shape).toEqual(x.shape);
        expect(t.toArray()).toEqual(x.data);
        expect(t.toNested()).toEqual(nest(x));
      }),
      FC,
    );
  });

  it('flat and typed sources take an explicit shape; the result never aliases the source', () => {
    const src = new Float64Array([1, 2, 3, 4, 5, 6]);
    const t = tensor(src, [2, 3]);
    expect(t.dtype).toBe('float64'); // inferred from the Float64Array
    expect(t.shape).toEqual([2, 3]);
    src[0] = 99;
    expect(t.toArray()[0]).toBe(1);
    const plain = [1.1, 2.2];
    const u = tensor(plain);
    expect(u.dtype).toBe('float32');
    expect(u.shape).toEqual([2]);
    expect(u.toArray()[0]).toBe(Math.fround(1.1));
    expect(tensor(new Int32Array([3, -4]), [2, 1], { dtype: 'float64' }).toArray()).toEqual([3, -4]);
    expect(tensor(5, undefined, { dtype: 'float64', requiresGrad: true })).toMatchObject({ shape: [], requiresGrad: true });
    expect(tensor([]).shape).toEqual([0]);
  });

  it('clone converts dtype and copies', () => {
    const t = tensor([0.1, 0.2], [2], { dtype: 'float64' });
    const c = t.clone('float32');
    expect(c.dtype).toBe('float32');
    expect(c.toArray()).toEqual([Math.fround(0.1), Math.fround(0.2)]);
    expect(t.clone().data).not.toBe(t.data);
  });
});

describe('filled and random constructors', () => {
  it('zeros, ones, full and arange', () => {
    expect(zeros([2, 2]).toArray()).toEqual([0, 0, 0, 0]);
    expect(ones([3], { dtype: 'float64' })).toMatchObject({ dtype: 'float64', shape: [3] });
    expect(full([2], -2.5).toArray()).toEqual([-2.5, -2.5]);
    expect(arange(4).toArray()).toEqual([0, 1, 2, 3]);
    expect(arange(1, 2, 0.25, { dtype: 'float64' }).toArray()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(arange(3, 0, -1).toArray()).toEqual([3, 2, 1]);
    expect(() => arange(0, 1, 0)).toThrow('arange: step must be a non-zero finite number, got 0');
    expect(() => zeros([2, 1.5])).toThrow('full: invalid shape [2,1.5]');
  });

  it('randn and rand are determined by their Rng, with the requested moments and range', () => {
    const a = randn([4000], new Rng(5), { dtype: 'float64' }).toArray();
    expect(randn([4000], new Rng(5), { dtype: 'float64' }).toArray()).toEqual(a);
    expect(randn([4000], new Rng(6), { dtype: 'float64' }).toArray()).not.toEqual(a);
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    const variance = a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length;
    expect(Math.abs(mean)).toBeLessThan(4 / Math.sqrt(a.length));
    expect(Math.abs(variance - 1)).toBeLessThan(4 * Math.sqrt(2 / a.length));
    const shifted = randn([2000], new Rng(1), { mean: 3, std: 0.5 }).toArray();
    expect(Math.abs(shifted.reduce((s, v) => s + v, 0) / 2000 - 3)).toBeLessThan(0.05);
    const u = rand([2000], new Rng(2), { lo: -1, hi: 3 }).toArray();
    expect(u.every((v) => v >= -1 && v < 3)).toBe(true);
    expect(Math.abs(u.reduce((s, v) => s + v, 0) / 2000 - 1)).toBeLessThan(4 * Math.sqrt(16 / 12 / 2000));
  });
});
