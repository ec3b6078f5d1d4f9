/**
 * NaN and ±Inf: where IEEE and NumPy define the answer, the engine must give exactly that (NaN
 * only where NaN is due, infinities of the right sign), and the numerically delicate ops must
 * stay finite on large but finite inputs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as E from '../src/autograd/index.js';
import { grad, tensor, type Tensor } from '../src/autograd/index.js';
import { expectClose, toTensor } from './helpers/close.js';
import { FC, arrOf, broadcastShapes, shapeArb, axesOf, normAxes, type Values } from './helpers/gen.js';
import * as R from './helpers/reference.js';

const f64 = (data: number[], shape?: number[]): Tensor => tensor(data, shape ?? [data.length], { dtype: 'float64' });

/** Ordinary values with NaN, ±Inf, ±0 and (optionally) overflow-prone magnitudes sprinkled in. */
const sprinkled = (huge: boolean): Values => (n) =>
  fc.array(
    fc.oneof(
      { arbitrary: fc.double({ min: -10, max: 10, noNaN: true }), weight: 3 },
      { arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, 800, -800, ...(huge ? [1e308, -1e308] : [])), weight: 2 },
    ),
    { minLength: n, maxLength: n },
  );
const special = sprinkled(true);
// A sum that overflows part-way depends on the order of additions, which the engine may group
// differently from the reference; NaN and ±Inf themselves do not.
const summable = sprinkled(false);

const unaries: [string, (x: Tensor) => Tensor, (v: number) => number][] = [
  ['neg', E.neg, (v) => -v],
  ['exp', E.exp, Math.exp],
  ['log', E.log, Math.log],
  ['sqrt', E.sqrt, Math.sqrt],
  ['abs', E.abs, Math.abs],
  ['relu', E.relu, R.relu],
  ['sigmoid', E.sigmoid, R.sigmoid],
  ['tanh', E.tanh, Math.tanh],
];

const binaries: [string, (a: Tensor, b: Tensor) => Tensor, (u: number, v: number) => number][] = [
  ['add', E.add, (u, v) => u + v],
  ['sub', E.sub, (u, v) => u - v],
  ['mul', E.mul, (u, v) => u * v],
  ['div', E.div, (u, v) => u / v],
  ['maximum', E.maximum, R.maximum],
  ['minimum', E.minimum, R.minimum],
];

describe('elementwise ops on NaN, ±Inf, ±0 and huge values match IEEE / NumPy exactly', () => {
  it.each(unaries)('%s', (_name, op, f) => {
    fc.assert(fc.property(shapeArb().chain((s) => arrOf(s, special)), (x) => expectClose(op(toTensor(x)), R.unary(x, f))), FC);
  });

  it.each(binaries)('%s (broadcasting)', (_name, op, f) => {
    const pair = broadcastShapes(2).chain(({ shapes: [sa, sb] }) => fc.tuple(arrOf(sa!, special), arrOf(sb!, special)));
    fc.assert(fc.property(pair, ([a, b]) => expectClose(op(toTensor(a), toTensor(b)), R.binary(a, b, f))), FC);
  });

  it.each([
    ['sum', E.sum, R.sum],
    ['max', E.max, R.max],
  ] as const)('%s reduction (NaN anywhere in a line wins)', (name, op, ref) => {
    const arb = shapeArb().chain((s) => fc.tuple(arrOf(s, name === 'sum' ? summable : special), axesOf(s.length), fc.boolean()));
    fc.assert(
      fc.property(arb, ([x, axes, keep]) => expectClose(op(toTensor(x), axes, keep), ref(x, normAxes(axes, x.shape.length), keep), { atol: 1e-9 })),
      FC,
    );
  });

  it('spot checks: NaN beats ±Inf in maximum/minimum/max, relu(NaN) = NaN, relu(-0) = 0', () => {
    expect(E.maximum(f64([NaN, 1, Infinity]), f64([Infinity, NaN, NaN])).toArray().every(Number.isNaN)).toBe(true);
    expect(E.minimum(f64([NaN, -Infinity]), f64([-Infinity, NaN])).toArray().every(Number.isNaN)).toBe(true);
    expect(E.max(f64([Infinity, NaN, -Infinity])).item()).toBeNaN();
    expect(E.max(f64([NaN, Infinity])).item()).toBeNaN();
    expect(E.max(f64([-Infinity, -Infinity])).item()).toBe(-Infinity);
    expect(E.relu(f64([NaN])).item()).toBeNaN();
    expect(Object.is(E.relu(f64([-0])).item(), 0)).toBe(true);
  });
});

describe('numerically delicate ops stay finite on large finite inputs', () => {
  it('sigmoid(±large) is finite, exact at the limits, with a finite zero gradient', () => {
    const x = f64([-1000, -40, 40, 1000]);
    const y = E.sigmoid(x).toArray();
    expect([y[0], y[3]]).toEqual([0, 1]);
    expectClose(f64(y), R.unary(R.arr([4], x.toArray()), R.sigmoid), { atol: 0, rtol: 1e-14 });
    const g = grad((t) => E.sigmoid(t!).sum())(x)[0]!.toArray();
    expect(g.every(Number.isFinite)).toBe(true);
    expect(g[0]).toBe(0);
    expect(g[3]).toBe(0);
  });

  it('softmax, logSoftmax and crossEntropy of logits near ±1000 are finite and correct, gradients too', () => {
    const logits = f64([1000, 1001, 999, -1000, -1001, -999], [2, 3]);
    const ref = R.alongAxis(R.arr([2, 3], logits.toArray()), -1, R.softmaxLine);
    expectClose(E.softmax(logits), ref, { atol: 1e-15 });
    expectClose(E.logSoftmax(logits), R.alongAxis(R.arr([2, 3], logits.toArray()), -1, R.logSoftmaxLine), { atol: 1e-12 });
    const ce = E.crossEntropy(logits, [0, 2]);
    expect(ce.item()).toBeCloseTo(R.crossEntropy(R.arr([2, 3], logits.toArray()), [0, 2]), 12);
    const g = grad((t) => E.crossEntropy(t!, [0, 2]))(logits)[0]!.toArray();
    expect(g.every(Number.isFinite)).toBe(true);
    const gs = grad((t) => E.softmax(t!).mul(f64([1, 2, 3, 4, 5, 6], [2, 3])).sum())(logits)[0]!.toArray();
    expect(gs.every(Number.isFinite)).toBe(true);
  });

  it('softmax gives -Inf logits probability exactly 0 and leaves the rest finite', () => {
    const p = E.softmax(f64([0, -Infinity, Math.log(3)])).toArray();
    expect(p[1]).toBe(0);
    expect(p[0]).toBeCloseTo(0.25, 15);
    expect(p[2]).toBeCloseTo(0.75, 15);
    expect(E.logSoftmax(f64([0, -Infinity])).toArray()).toEqual([0, -Infinity]);
  });

  it('softplus(±1000) and the ranking loss on far-apart scores are finite', () => {
    expect(E.softplus(f64([1000, -1000])).toArray()).toEqual([1000, 0]);
    const s = f64([1000, -1000]);
    expect(E.pairwiseRankingLoss(s, [0, 1]).item()).toBe(2000);
    expect(grad((t) => E.pairwiseRankingLoss(t!, [0, 1]))(s)[0]!.toArray()).toEqual([1, -1]); // pair (1, 0) at full slope
  });

  it('layerNorm of huge, tightly spread values does not overflow', () => {
    const y = E.layerNorm(f64([1e150, 1e150 + 1e140, 1e150 - 1e140])).toArray();
    expect(y.every(Number.isFinite)).toBe(true);
  });
});

describe('matmul propagates non-finite values', () => {
  it('NaN or Inf in the left operand', () => {
    const out = E.matmul(f64([NaN, 1, Infinity, 0], [2, 2]), f64([1, 0, 0, 1], [2, 2])).toArray();
    expect(Number.isNaN(out[0]!) && Number.isNaN(out[1]!)).toBe(true);
    expect(out[2]).toBe(Infinity);
    expect(Number.isNaN(out[3]!)).toBe(true); // Inf·0
  });

  // A kernel that skips zero entries of A would drop 0·NaN and 0·Inf and hide NaN/Inf in B.
  it('NaN or Inf in the right operand against a zero in the left', () => {
    const out = E.matmul(f64([0, 1, 0, 0], [2, 2]), f64([NaN, 2, Infinity, 3], [2, 2])).toArray();
    expect(out.map(Number.isNaN)).toEqual([true, false, true, false]);
  });

  it('batched, all transpose flags, against the reference (sums in ascending depth order)', () => {
    const arb = fc
      .record({ m: fc.integer({ min: 1, max: 5 }), k: fc.integer({ min: 1, max: 5 }), n: fc.integer({ min: 1, max: 5 }), batch: fc.integer({ min: 1, max: 3 }), tA: fc.boolean(), tB: fc.boolean() })
      .chain(({ m, k, n, batch, tA, tB }) =>
        fc.tuple(arrOf([batch, ...(tA ? [k, m] : [m, k])], summable), arrOf(tB ? [n, k] : [k, n], summable), fc.constant(tA), fc.constant(tB)),
      );
    fc.assert(
      fc.property(arb, ([a, b, tA, tB]) => expectClose(E.matmul(toTensor(a), toTensor(b), { transA: tA, transB: tB }), R.matmul(a, b, tA, tB), { atol: 1e-9 })),
      FC,
    );
  });
});
