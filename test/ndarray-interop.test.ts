import ndarray from 'ndarray';
import { describe, expect, it } from 'vitest';
import { fromNdarray, toNdarray } from '../src/interop/ndarray.js';
import { tensor } from '../src/autograd/index.js';

describe('ndarray interop', () => {
  it('reads strided views with an offset (transpose, step, lo/hi)', () => {
    const base = ndarray(new Float64Array(Array.from({ length: 24 }, (_, i) => i)), [4, 6]);
    const view = base.transpose(1, 0).lo(1, 1).hi(3, 2).step(2, -1);
    const t = fromNdarray(view);
    const expected: number[] = [];
    for (let i = 0; i < view.shape[0]!; i++) for (let j = 0; j < view.shape[1]!; j++) expected.push(view.get(i, j));
    expect(t.shape).toEqual(view.shape);
    expect(t.dtype).toBe('float64');
    expect(t.toArray()).toEqual(expected);
  });

  it('round-trips a tensor and copies (no aliasing)', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    const nd = toNdarray(t);
    expect(nd.shape).toEqual([2, 3]);
    expect(nd.get(1, 2)).toBe(6);
    nd.set(0, 0, 99);
    expect(t.toArray()[0]).toBe(1);
    expect(fromNdarray(nd).toArray()).toEqual([99, 2, 3, 4, 5, 6]);
  });
});
