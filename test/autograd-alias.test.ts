/**
 * Gradients handed back by valueAndGrad / grad / backward() own their buffers: writing into one
 * (an optimiser does exactly that) must never change another gradient, an input or the value.
 * Rules hand the same tensor to several inputs (add gives g to both), reshape shares g's buffer
 * and repeated arguments map to one leaf, so each case below would alias without the copies.
 */
import { describe, expect, it } from 'vitest';
import { grad, tensor, valueAndGrad, type Tensor } from '../src/autograd/index.js';

const f64 = (data: number[], shape?: number[], requiresGrad = false): Tensor =>
  tensor(data, shape ?? [data.length], { dtype: 'float64', requiresGrad });

/** Every tensor's memory is distinct from every other's (ArrayBuffer identity, so views count). */
function expectDisjoint(named: Record<string, Tensor>): void {
  const owner = new Map<ArrayBufferLike, string>();
  for (const [name, t] of Object.entries(named)) {
    const prev = owner.get(t.data.buffer);
    expect(prev, `${name} shares its buffer with ${prev}`).toBeUndefined();
    owner.set(t.data.buffer, name);
  }
}

/** Scribble NaN into `target` and check that no other tensor changed. */
function expectIsolatedWrites(target: Tensor, others: Tensor[]): void {
  const before = others.map((t) => t.toArray());
  target.data.fill(NaN);
  others.forEach((t, i) => expect(t.toArray()).toEqual(before[i]));
}

describe('valueAndGrad returns gradients with their own buffers', () => {
  it('a.add(b).sum(): the add rule hands g to both inputs, the caller gets two buffers', () => {
    const a = f64([1, 2, 3]), b = f64([4, 5, 6]);
    const { value, grads } = valueAndGrad((x, y) => x!.add(y!).sum())(a, b);
    expect(grads.map((g) => g.toArray())).toEqual([[1, 1, 1], [1, 1, 1]]);
    expectDisjoint({ a, b, value, ga: grads[0]!, gb: grads[1]! });
    expectIsolatedWrites(grads[0]!, [grads[1]!, a, b, value]);
  });

  it('same-shape binary rules (sub, mul) and broadcasting adds', () => {
    const a = f64([1, 2, 3, 4], [2, 2]), b = f64([0.5, -1], [2]);
    const { value, grads } = valueAndGrad((x, y) => x!.sub(y!).add(x!.mul(2)).sum())(a, b);
    expect(grads[0]!.toArray()).toEqual([3, 3, 3, 3]);
    expect(grads[1]!.toArray()).toEqual([-2, -2]);
    expectDisjoint({ a, b, value, ga: grads[0]!, gb: grads[1]! });
  });

  it('reshape paths: the reshape rule shares the incoming gradient buffer', () => {
    const a = f64([1, 2, 3, 4, 5, 6], [2, 3]), b = f64([1, 1, 1, 1, 1, 1], [3, 2]);
    const { value, grads } = valueAndGrad((x, y) => x!.reshape([3, 2]).add(y!).reshape([6]).sum())(a, b);
    expect(grads.map((g) => g.shape)).toEqual([[2, 3], [3, 2]]);
    expectDisjoint({ a, b, value, ga: grads[0]!, gb: grads[1]! });
    expectIsolatedWrites(grads[1]!, [grads[0]!, a, b]);
  });

  it('detach paths: a detached input gets zeros of its own, the value does not share an input', () => {
    const a = f64([2, 3]), b = f64([5, 7]);
    const { value, grads } = valueAndGrad((x, y) => x!.mul(y!.detach()).add(y!.detach()).sum())(a, b);
    expect(grads[0]!.toArray()).toEqual([5, 7]);
    expect(grads[1]!.toArray()).toEqual([0, 0]);
    expectDisjoint({ a, b, value, ga: grads[0]!, gb: grads[1]! });
  });

  it('f returning (a view of) its argument: value and gradient are copies, not the argument', () => {
    const x = f64([4], [1]);
    const { value, grads } = valueAndGrad((t) => t!.reshape([]))(x);
    expect(value.item()).toBe(4);
    expect(grads[0]!.toArray()).toEqual([1]);
    expectDisjoint({ x, value, g: grads[0]! });
    expectIsolatedWrites(value, [x, grads[0]!]);
  });

  it('the same tensor passed twice gets two gradients that do not share memory', () => {
    const x = f64([1, 2]);
    const { grads } = valueAndGrad((p, q) => p!.mul(q!).sum())(x, x);
    expect(grads.map((g) => g.toArray())).toEqual([[1, 2], [1, 2]]);
    expectDisjoint({ x, g0: grads[0]!, g1: grads[1]! });
    expectIsolatedWrites(grads[0]!, [grads[1]!, x]);
  });

  it('a repeated argnum maps to one leaf yet returns two buffers', () => {
    const x = f64([1, 2, 3]);
    const [g0, g1] = grad((t) => t!.add(t!).sum(), [0, 0])(x);
    expect(g0!.toArray()).toEqual([2, 2, 2]);
    expectDisjoint({ x, g0: g0!, g1: g1! });
    expectIsolatedWrites(g0!, [g1!, x]);
  });

  it('repeated calls of the same gradient function never hand out the same buffer twice', () => {
    const x = f64([1, 2]);
    const vg = valueAndGrad((t) => t!.sum());
    const first = vg(x).grads[0]!, second = vg(x).grads[0]!;
    expectDisjoint({ x, first, second });
  });
});

describe('backward() leaves private .grad buffers', () => {
  it('a.add(b).sum().backward(): a.grad and b.grad are separate and separate from the leaves', () => {
    const a = f64([1, 2], undefined, true), b = f64([3, 4], undefined, true);
    a.add(b).sum().backward();
    expectDisjoint({ a, b, ga: a.grad!, gb: b.grad! });
    expectIsolatedWrites(a.grad!, [b.grad!, a, b]);
  });

  it('a leaf reached through a reshape and directly accumulates into its own buffer', () => {
    const a = f64([1, 2, 3, 4], [2, 2], true), b = f64([1, 1, 1, 1], [4], true);
    const root = a.reshape([4]).add(b).sum().add(a.sum());
    root.backward();
    expect(a.grad!.toArray()).toEqual([2, 2, 2, 2]);
    expectDisjoint({ a, b, root, ga: a.grad!, gb: b.grad! });
  });

  it('an explicit seed is not adopted as a gradient', () => {
    const a = f64([1, 2], undefined, true), b = f64([3, 4], undefined, true);
    const seed = f64([10, 20]);
    a.add(b).backward(seed);
    expectDisjoint({ seed, ga: a.grad!, gb: b.grad! });
    expectIsolatedWrites(a.grad!, [seed, b.grad!]);
  });
});
