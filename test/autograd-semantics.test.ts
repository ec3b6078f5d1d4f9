/**
 * Autodiff semantics, apart from numerics: what gets a gradient, where it accumulates, what is
 * refused. Small hand-written cases whose expected gradients can be read off the test.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Rng, concat, dropout, gather, grad, isGradEnabled, matmul, maximum, max, noGrad, pairwiseRankingLoss, slice, softplus, sum, tensor, valueAndGrad, zeros,
  type Tensor,
} from '../src/autograd/index.js';

const f64 = (data: number[], shape?: number[], requiresGrad = false): Tensor =>
  tensor(data, shape ?? [data.length], { dtype: 'float64', requiresGrad });

describe('which inputs get gradients', () => {
  it('an unused input gets a zero gradient of its own shape from valueAndGrad', () => {
    const { value, grads } = valueAndGrad((a, _b) => a!.mul(a!).sum())(f64([1, 2]), f64([5, 6, 7], [3, 1]));
    expect(value.item()).toBe(5);
    expect(grads[0]!.toArray()).toEqual([2, 4]);
    expect(grads[1]!.shape).toEqual([3, 1]);
    expect(grads[1]!.toArray()).toEqual([0, 0, 0]);
    expect(grads[1]!.dtype).toBe('float64');
  });

  it('an unused leaf keeps .grad === null after backward', () => {
    const a = f64([1, 2], undefined, true), b = f64([3], undefined, true);
    a.mul(2).sum().backward();
    expect(a.grad!.toArray()).toEqual([2, 2]);
    expect(b.grad).toBeNull();
  });

  it('argnums picks which gradients are returned', () => {
    const f = (a: Tensor, b: Tensor) => a.mul(b).sum();
    const a = f64([1, 2]), b = f64([3, 4]);
    const only1 = valueAndGrad(f, 1)(a, b).grads;
    expect(only1).toHaveLength(1);
    expect(only1[0]!.toArray()).toEqual([1, 2]);
    expect(grad(f, [1, 0])(a, b).map((g) => g.toArray())).toEqual([[1, 2], [3, 4]]);
  });

  it('a detached path contributes nothing', () => {
    const x = f64([3], undefined, true);
    // y = x·stop(x): dy/dx = stop(x) = 3, not 2x = 6.
    x.detach().mul(x).sum().backward();
    expect(x.grad!.toArray()).toEqual([3]);
    const { grads } = valueAndGrad((a) => a!.detach().mul(a!.detach()).sum())(f64([3]));
    expect(grads[0]!.toArray()).toEqual([0]);
  });

  it('a tensor used twice collects both paths in one sweep', () => {
    const x = f64([2, -1], undefined, true);
    x.mul(x).add(x).sum().backward(); // d(x² + x) = 2x + 1
    expect(x.grad!.toArray()).toEqual([5, -1]);
    const y = f64([1, 2], undefined, true);
    concat([y, y, y]).mul(f64([1, 2, 3, 4, 5, 6])).sum().backward();
    expect(y.grad!.toArray()).toEqual([9, 12]);
  });

  it('a function that ignores every input gets zero gradients', () => {
    const { value, grads } = valueAndGrad(() => f64([7], []))(f64([1, 2]));
    expect(value.item()).toBe(7);
    expect(grads[0]!.toArray()).toEqual([0, 0]);
  });
});

describe('broadcasting gradients reduce to the input shape', () => {
  it('[3,1] * [4] and a rank-0 operand', () => {
    const a = f64([1, 2, 3], [3, 1], true), b = f64([1, 10, 100, 1000], [4], true), c = f64([2], [], true);
    a.mul(b).mul(c).sum().backward();
    expect(a.grad!.shape).toEqual([3, 1]);
    expect(a.grad!.toArray()).toEqual([2222, 2222, 2222]);
    expect(b.grad!.shape).toEqual([4]);
    expect(b.grad!.toArray()).toEqual([12, 12, 12, 12]);
    expect(c.grad!.shape).toEqual([]);
    expect(c.grad!.item()).toBe(6 * 1111);
  });

  it('a leading size-1 dim that the output keeps', () => {
    const a = f64([1, 2, 3], [1, 3], true), b = f64([1, 1], [2, 1], true);
    a.add(b).sum().backward();
    expect(a.grad!.shape).toEqual([1, 3]);
    expect(a.grad!.toArray()).toEqual([2, 2, 2]);
    expect(b.grad!.toArray()).toEqual([3, 3]);
  });
});

describe('accumulation', () => {
  it('repeated backward adds into .grad', () => {
    const x = f64([1, 2], undefined, true);
    const loss = x.mul(x).sum();
    loss.backward();
    loss.backward();
    expect(x.grad!.toArray()).toEqual([4, 8]);
    x.mul(3).sum().backward();
    expect(x.grad!.toArray()).toEqual([7, 11]);
  });

  it('the accumulated .grad is a private buffer, not an alias of a graph tensor', () => {
    const x = f64([1, 2], undefined, true);
    const seed = f64([1, 1]);
    x.backward(seed);
    expect(x.grad!.data).not.toBe(seed.data);
    x.backward(seed);
    expect(seed.toArray()).toEqual([1, 1]);
    expect(x.grad!.toArray()).toEqual([2, 2]);
  });

  it('a non-scalar root takes an explicit seed', () => {
    const x = f64([1, 2, 3], undefined, true);
    x.mul(x).backward(f64([1, 0, -1]));
    expect(x.grad!.toArray()).toEqual([2, 0, -6]);
  });
});

describe('functional gradients leave parameters alone', () => {
  it('valueAndGrad does not touch the .grad of parameters used inside f, nor of its arguments', () => {
    const w = f64([2, 3], undefined, true);
    const arg = f64([1, 1], undefined, true);
    arg.grad = f64([9, 9]);
    const { grads } = valueAndGrad((x) => x!.mul(w).sum())(arg);
    expect(grads[0]!.toArray()).toEqual([2, 3]);
    expect(w.grad).toBeNull();
    expect(arg.grad.toArray()).toEqual([9, 9]);
  });
});

describe('noGrad', () => {
  it('records nothing and restores the mode, also when fn throws', () => {
    const x = f64([1], undefined, true);
    const y = noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      return x.mul(2).exp();
    });
    expect(y.requiresGrad).toBe(false);
    expect(y.node).toBeNull();
    expect(isGradEnabled()).toBe(true);
    expect(() => noGrad(() => { throw new Error('boom'); })).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
    expect(() => y.sum().backward()).toThrow(/does not require grad/);
  });
});

describe('valueAndGrad under noGrad', () => {
  it('still differentiates (the ascent may run inside noGrad), and noGrad is back on afterwards', () => {
    const g = noGrad(() => {
      const out = grad((x) => x!.mul(x!).sum())(f64([3]))[0]!;
      expect(isGradEnabled()).toBe(false);
      return out;
    });
    expect(g.toArray()).toEqual([6]);
  });
});

describe('higher-order derivatives', () => {
  it('grad of grad is refused with a clear error, and the engine recovers', () => {
    const inner = grad((x) => x!.mul(x!).mul(x!).sum());
    const outer = valueAndGrad((x) => inner(x!)[0]!.sum());
    expect(() => outer(f64([2]))).toThrow('valueAndGrad: higher-order derivatives (grad of grad) are not supported by this engine');
    // The failed nesting must not leave the engine thinking it is still tracing.
    expect(inner(f64([2]))[0]!.toArray()).toEqual([12]);
  });

  it('so is backward() inside a traced function, which would otherwise yield a silent zero', () => {
    const f = valueAndGrad((x) => {
      x!.mul(x!).mul(x!).sum().backward();
      return x!.grad!.sum(); // d/dx 3x² = 6x = 12 at 2 is what a user would expect
    });
    expect(() => f(f64([2]))).toThrow('backward: called inside a function traced by valueAndGrad; higher-order derivatives (grad of grad) are not supported');
    const x = f64([2], undefined, true);
    x.mul(x).sum().backward(); // and plain backward works again afterwards
    expect(x.grad!.toArray()).toEqual([4]);
  });

  it('gradients returned by valueAndGrad are constants (backward on them is refused)', () => {
    const g = grad((x) => x!.mul(x!).sum())(f64([3]))[0]!;
    expect(g.requiresGrad).toBe(false);
    expect(() => g.sum().backward()).toThrow(/does not require grad/);
  });
});

describe('adjoints of the movement ops', () => {
  it('concat splits the gradient back to its parts', () => {
    const a = f64([1, 2], [2, 1], true), b = f64([3, 4, 5, 6], [2, 2], true);
    concat([a, b], 1).backward(f64([10, 20, 30, 40, 50, 60], [2, 3]));
    expect(a.grad!.toArray()).toEqual([10, 40]);
    expect(b.grad!.toArray()).toEqual([20, 30, 50, 60]);
  });

  it('slice pads its gradient with zeros outside the window', () => {
    const x = f64([0, 1, 2, 3, 4, 5], [2, 3], true);
    slice(x, [1, 1], [2, 3]).backward(f64([7, 8], [1, 2]));
    expect(x.grad!.toArray()).toEqual([0, 0, 0, 0, 7, 8]);
  });

  it('gather scatters back, and repeated indices accumulate', () => {
    const x = f64([1, 2, 3, 4, 5, 6], [3, 2], true);
    gather(x, [2, 0, 2, 2]).backward(f64([1, 10, 2, 20, 3, 30, 4, 40], [4, 2]));
    expect(x.grad!.toArray()).toEqual([2, 20, 0, 0, 8, 80]);
    const y = f64([1, 2, 3], [1, 3], true);
    gather(y, [1, 1, 1], 1).sum().backward();
    expect(y.grad!.toArray()).toEqual([0, 3, 0]);
  });
});

describe('conventions at kinks', () => {
  it('maximum and max split a tie evenly, so maximum(x, x) has slope exactly 1', () => {
    expect(grad((x) => maximum(x!, x!).sum())(f64([1.5]))[0]!.toArray()).toEqual([1]);
    expect(grad((x) => max(x!))(f64([2, 5, 5, 1]))[0]!.toArray()).toEqual([0, 0.5, 0.5, 0]);
  });

  it('softplus has slope 1/2 at exactly 0, so tied scores still get ranking gradients', () => {
    expect(grad((x) => softplus(x!).sum())(f64([0]))[0]!.toArray()).toEqual([0.5]);
    const g = grad((s) => pairwiseRankingLoss(s!, [1, 2, 3]))(f64([0, 0, 0]))[0]!.toArray();
    // pairs (1,0), (2,0), (2,1), each d/ds_i = -1/2 / 3 and d/ds_j = +1/2 / 3.
    expect(g[0]).toBeCloseTo(1 / 3, 15);
    expect(g[1]).toBeCloseTo(0, 15);
    expect(g[2]).toBeCloseTo(-1 / 3, 15);
  });
});

describe('pairwiseRankingLoss with maxPairs', () => {
  it('subsamples deterministically per seed and averages a subset of the pair losses', () => {
    const s = f64([0.3, -1, 2, 0.5, 1.1]);
    const t = [1, 2, 3, 4, 5]; // 10 ordered pairs
    const at = (seed: number) => pairwiseRankingLoss(s, t, { maxPairs: 3, rng: new Rng(seed) }).item();
    expect(at(5)).toBe(at(5));
    const all = [] as number[];
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) if (t[i]! > t[j]!) all.push(Math.log1p(Math.exp(-(s.data[i]! - s.data[j]!))));
    expect(at(5)).toBeGreaterThanOrEqual(Math.min(...all));
    expect(at(5)).toBeLessThanOrEqual(Math.max(...all));
    expect(new Set([1, 2, 3, 4, 5, 6].map(at)).size).toBeGreaterThan(1);
    expect(pairwiseRankingLoss(s, t, { maxPairs: 10 }).item()).toBeCloseTo(all.reduce((a, b) => a + b) / 10, 14);
  });
});

describe('dropout', () => {
  it('is the identity (the same tensor) when not training or when p = 0', () => {
    const x = f64([1, 2, 3], undefined, true);
    expect(dropout(x, 0.5, new Rng(1), false)).toBe(x);
    expect(dropout(x, 0, new Rng(1))).toBe(x);
  });

  it('drops a fraction p (within 4 standard errors on 20,000 draws), keeps the mean, and is seeded', () => {
    const n = 20_000;
    const ones = tensor(new Float64Array(n).fill(1), [n], { dtype: 'float64' });
    for (const p of [0.1, 0.5, 0.9]) {
      const y = dropout(ones, p, new Rng(3)).toArray();
      const dropped = y.filter((v) => v === 0).length / n;
      expect(Math.abs(dropped - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
      expect(y.every((v) => v === 0 || v === 1 / (1 - p))).toBe(true);
      expect(Math.abs(y.reduce((a, b) => a + b, 0) / n - 1)).toBeLessThan(4 * Math.sqrt(p / (1 - p) / n));
      expect(dropout(ones, p, new Rng(3)).toArray()).toEqual(y);
      expect(dropout(ones, p, new Rng(4)).toArray()).not.toEqual(y);
    }
  });

  it('keeps element i exactly when the i-th 32-bit draw of its Rng is at or above p·2³²', () => {
    const ones = tensor(new Float32Array(997).fill(1), [997]);
    const rng = new Rng(11), ref = new Rng(11);
    const y = dropout(ones, 0.3, rng).toArray();
    const want = Array.from({ length: 997 }, () => (ref.nextU32() < 0.3 * 2 ** 32 ? 0 : Math.fround(1 / 0.7)));
    expect(y).toEqual(want);
    expect(rng.nextU32()).toBe(ref.nextU32()); // and leaves the generator where the draws would
  });
});

describe('Rng.fillThreshold', () => {
  // Cuts at and around the int32 sign flip, the ends of the uint32 range and past it.
  const cuts = [0, 0.5, 1, 0.1 * 2 ** 32, 2 ** 31 - 0.5, 2 ** 31, 2 ** 31 + 1, 0.9 * 2 ** 32, 2 ** 32 - 1, 2 ** 32 - 0.5, 2 ** 32, 2 ** 32 + 7];
  it('writes value·+(nextU32() >= cut) for as many draws, at the offset, and leaves the same state', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.constantFrom(...cuts), fc.nat(200), fc.nat(3), fc.boolean(), (seed, cut, n, at, f64) => {
      const a = new Rng(seed), b = new Rng(seed);
      const out = f64 ? new Float64Array(at + n + 2).fill(-1) : new Float32Array(at + n + 2).fill(-1);
      a.fillThreshold(out, at, n, cut, 1 / 0.7);
      const want = f64 ? new Float64Array(at + n + 2).fill(-1) : new Float32Array(at + n + 2).fill(-1);
      for (let i = 0; i < n; i++) want[at + i] = (1 / 0.7) * +(b.nextU32() >= cut);
      expect([...out]).toEqual([...want]);
      expect(a.getState()).toEqual(b.getState());
    }), { seed: 7, numRuns: 400 });
  });

  it('a draw of exactly ⌈cut⌉ is kept, one below is not (the int32 comparison keeps the unsigned order)', () => {
    for (const u of [1, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 0xfffffffe, 0xffffffff]) {
      // Find a state whose next draw is u: sfc32's t = a + b + d, so set a = u, b = d = 0.
      for (const [cut, kept] of [[u, 1], [u - 0.5, 1], [u + 0.5, 0], [u + 1, 0]] as const) {
        const r = new Rng(0);
        r.setState([u, 0, 0, 0]);
        const out = new Float64Array(1);
        r.fillThreshold(out, 0, 1, cut, 3);
        expect([u, cut, out[0]]).toEqual([u, cut, 3 * kept]);
      }
    }
  });

  it('refuses a negative or NaN cut', () => {
    expect(() => new Rng(1).fillThreshold(new Float32Array(2), 0, 2, -1, 1)).toThrow('Rng.fillThreshold: cut must be a number >= 0, got -1');
    expect(() => new Rng(1).fillThreshold(new Float32Array(2), 0, 2, NaN, 1)).toThrow('Rng.fillThreshold: cut must be a number >= 0, got NaN');
  });
});

describe('Rng.fillU32', () => {
  it('gives the same values as as many nextU32() calls, and leaves the same state', () => {
    fc.assert(fc.property(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.nat(300), fc.nat(5), (seed, n, skip) => {
      const a = new Rng(seed), b = new Rng(seed);
      for (let i = 0; i < skip; i++) { a.nextU32(); b.nextU32(); }
      const got = Array.from(a.fillU32(new Uint32Array(n)));
      const want = Array.from({ length: n }, () => b.nextU32());
      expect(got).toEqual(want);
      expect(a.next()).toBe(b.next());
    }), { numRuns: 200 });
  });

  it('is sfc32: the textbook uint32 recurrence from any saved state, through nextU32 and fillU32', () => {
    // sfc32 (Doty-Humphrey, PractRand) written the plain way, on unsigned words.
    const sfc32 = ([a0, b0, c0, d0]: number[]) => {
      let a = a0!, b = b0!, c = c0!, d = d0!;
      return () => {
        const t = (((a + b) >>> 0) + d) >>> 0;
        d = (d + 1) >>> 0;
        a = (b ^ (b >>> 9)) >>> 0;
        b = (c + (c << 3)) >>> 0;
        c = (((c << 21) | (c >>> 11)) + t) >>> 0;
        return t;
      };
    };
    const word = fc.integer({ min: 0, max: 0xffffffff });
    fc.assert(fc.property(fc.tuple(word, word, word, word), fc.nat(40), (state, n) => {
      const ref = sfc32(state);
      const a = new Rng(0), b = new Rng(0);
      a.setState(state);
      b.setState(state);
      const want = Array.from({ length: 2 * n + 3 }, ref);
      expect([...Array.from({ length: n }, () => a.nextU32()), ...a.fillU32(new Uint32Array(n + 3))]).toEqual(want);
      expect([...b.fillU32(new Uint32Array(n)), ...Array.from({ length: n + 3 }, () => b.nextU32())]).toEqual(want);
      expect(a.getState()).toEqual(b.getState());
    }), { seed: 48, numRuns: 300 });
  });
});

describe('empty tensors', () => {
  const z = (...shape: number[]) => zeros(shape, { dtype: 'float64', requiresGrad: true });

  it('matmul with k = 0 gives zeros, batched and folded alike, and backward gives empty gradients', () => {
    expect(matmul(z(2, 0), z(0, 3)).toArray()).toEqual([0, 0, 0, 0, 0, 0]);
    const a = z(2, 2, 0), b = z(0, 3);
    const y = matmul(a, b);
    expect(y.shape).toEqual([2, 2, 3]);
    expect(y.toArray().every((v) => v === 0)).toBe(true);
    y.sum().backward();
    expect(a.grad!.shape).toEqual([2, 2, 0]);
    expect(b.grad!.shape).toEqual([0, 3]);
  });

  it('sums over an empty axis are 0, and empty slices pass back zeros', () => {
    expect(sum(z(0, 3), 0).toArray()).toEqual([0, 0, 0]);
    const x = z(3);
    sum(slice(x, [1], [1])).backward();
    expect(x.grad!.toArray()).toEqual([0, 0, 0]);
  });
});

describe('dtypes', () => {
  it('Float32 stays Float32 through forward and backward, scalars included', () => {
    const x = tensor([1, 2], [2], { requiresGrad: true });
    const y = x.mul(3).add(1).sigmoid().sum();
    expect(y.dtype).toBe('float32');
    y.backward();
    expect(x.grad!.dtype).toBe('float32');
    expect(x.grad!.data).toBeInstanceOf(Float32Array);
  });
});
