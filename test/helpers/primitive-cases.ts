/**
 * One generated test case per primitive, in a table keyed by OpName: a primitive added to
 * op-types.ts without a case here fails `tsc`, and the suite also compares the keys with the
 * engine's runtime op tables. Each case generates shapes and kink-free Float64 data, and says
 * how to run the op in the engine and in the plain reference.
 */
import fc from 'fast-check';
import * as E from '../../src/autograd/index.js';
import { maskMul } from '../../src/autograd/ops.js';
import type { OpName, Tensor } from '../../src/autograd/index.js';
import * as R from './reference.js';
import type { Arr } from './reference.js';
import {
  arrOf, awayFromZero, axesOf, broadcastShapes, distinct, dim, grid, normAxes, operandShape, permutationOf, reshapeTarget, shapeArb, uniform, type Values,
} from './gen.js';
import { convCases } from './conv-cases.js';
import { def, none, type Instance, type None } from './instance.js';

export type { Instance };

/** A broadcasting binary op with its own data generator per operand. */
function binaryCase(op: (a: Tensor, b: Tensor) => Tensor, f: (u: number, v: number) => number, va: Values, vb: Values): fc.Arbitrary<Instance> {
  return def<None>({
    arb: broadcastShapes(2).chain(({ shapes: [sa, sb] }) => fc.tuple(arrOf(sa!, va), arrOf(sb!, vb)).map((xs) => ({ xs, a: none }))),
    run: ([a, b]) => op(a!, b!),
    ref: ([a, b]) => R.binary(a!, b!, f),
  });
}

function unaryCase(op: (x: Tensor) => Tensor, f: (v: number) => number, values: Values): fc.Arbitrary<Instance> {
  return def<None>({
    arb: shapeArb().chain((s) => arrOf(s, values).map((x) => ({ xs: [x], a: none }))),
    run: ([x]) => op(x!),
    ref: ([x]) => R.unary(x!, f),
  });
}

function reduceCase(kind: 'sum' | 'max'): fc.Arbitrary<Instance> {
  type A = { axes: number[] | undefined; keepdims: boolean };
  // Sums are smooth everywhere; max needs distinct values so that no reduced line has a tie.
  const values = kind === 'sum' ? uniform(-2, 2) : distinct();
  return def<A>({
    arb: shapeArb().chain((s) =>
      fc.record({ x: arrOf(s, values), axes: axesOf(s.length), keepdims: fc.boolean() }).map(({ x, axes, keepdims }) => ({ xs: [x], a: { axes, keepdims } })),
    ),
    run: ([x], { axes, keepdims }) => (kind === 'sum' ? E.sum : E.max)(x!, axes, keepdims),
    ref: ([x], { axes, keepdims }) => (kind === 'sum' ? R.sum : R.max)(x!, normAxes(axes, x!.shape.length), keepdims),
  });
}

/** Exponents with the base domain on which x^p is smooth. */
const powExponent = fc.constantFrom(-2, -1, 0, 0.5, 1, 1.5, 2, 3);
const powBase = (p: number): Values => (!Number.isInteger(p) ? uniform(0.2, 3) : p < 0 ? awayFromZero(0.3, 2) : uniform(-2, 2));

export const primitiveCases: { readonly [K in OpName]: fc.Arbitrary<Instance> } = {
  add: binaryCase(E.add, (u, v) => u + v, uniform(-2, 2), uniform(-2, 2)),
  sub: binaryCase(E.sub, (u, v) => u - v, uniform(-2, 2), uniform(-2, 2)),
  mul: binaryCase(E.mul, (u, v) => u * v, uniform(-2, 2), uniform(-2, 2)),
  div: binaryCase(E.div, (u, v) => u / v, uniform(-2, 2), awayFromZero(0.5, 2)),
  maximum: binaryCase(E.maximum, R.maximum, grid(0.25), grid(0.75)),
  minimum: binaryCase(E.minimum, R.minimum, grid(0.25), grid(0.75)),
  neg: unaryCase(E.neg, (v) => -v, uniform(-3, 3)),
  exp: unaryCase(E.exp, Math.exp, uniform(-3, 3)),
  log: unaryCase(E.log, Math.log, uniform(0.2, 5)),
  sqrt: unaryCase(E.sqrt, Math.sqrt, uniform(0.2, 5)),
  abs: unaryCase(E.abs, Math.abs, awayFromZero(0.05, 3)),
  relu: unaryCase(E.relu, R.relu, awayFromZero(0.05, 3)),
  sigmoid: unaryCase(E.sigmoid, R.sigmoid, uniform(-6, 6)),
  tanh: unaryCase(E.tanh, Math.tanh, uniform(-3, 3)),
  silu: unaryCase(E.silu, R.silu, uniform(-4, 4)),
  softplus: unaryCase(E.softplus, R.softplus, uniform(-6, 6)),
  pow: def<{ p: number }>({
    arb: fc.tuple(shapeArb(), powExponent).chain(([s, p]) => arrOf(s, powBase(p)).map((x) => ({ xs: [x], a: { p } }))),
    run: ([x], { p }) => E.pow(x!, p),
    ref: ([x], { p }) => R.unary(x!, (v) => v ** p),
  }),
  // The mask is an attribute, not a differentiated input: nudging it would flip the selection.
  // Non-0/1 mask values (including NaN) select `a`, as "mask ≠ 0" says.
  where: def<{ mask: Arr }>({
    arb: broadcastShapes(3).chain(({ shapes: [sm, sa, sb] }) =>
      fc
        .tuple(arrOf(sm!, (n) => fc.array(fc.constantFrom(0, 1, 0, 1, -2.5, NaN), { minLength: n, maxLength: n })), arrOf(sa!, uniform(-2, 2)), arrOf(sb!, uniform(-2, 2)))
        .map(([mask, a, b]) => ({ xs: [a, b], a: { mask } })),
    ),
    run: ([a, b], { mask }) => E.where(E.tensor(Float64Array.from(mask.data), mask.shape, { dtype: 'float64' }), a!, b!),
    ref: ([a, b], { mask }) => R.where(mask, a!, b!),
  }),
  // Dropout's masks hold 0 and 1/(1 − p); any constant must do. The mask takes x's dtype.
  maskMul: def<{ mask: Arr }>({
    arb: shapeArb().chain((s) =>
      fc.tuple(arrOf(s, uniform(-2, 2)), arrOf(s, (n) => fc.array(fc.constantFrom(0, 1.25, 0, 2, -0.5, 1e-3), { minLength: n, maxLength: n })))
        .map(([x, mask]) => ({ xs: [x], a: { mask } })),
    ),
    run: ([x], { mask }) => maskMul(x!, x!.dtype === 'float64' ? Float64Array.from(mask.data) : Float32Array.from(mask.data)),
    ref: ([x], { mask }) => R.binary(x!, mask, (u, v) => u * v),
  }),
  sum: reduceCase('sum'),
  max: reduceCase('max'),
  reshape: def<{ shape: number[] }>({
    arb: shapeArb()
      .chain((s) => fc.tuple(arrOf(s, uniform(-2, 2)), reshapeTarget(s), fc.boolean()))
      // Sometimes let the engine infer one dim from -1.
      .map(([x, shape, infer]) => ({ xs: [x], a: { shape: infer && shape.length > 0 ? shape.map((d, i) => (i === 0 ? -1 : d)) : shape } })),
    run: ([x], { shape }) => E.reshape(x!, shape),
    ref: ([x], { shape }) => {
      const known = shape.filter((d) => d !== -1).reduce((n, d) => n * d, 1);
      return R.reshape(x!, shape.map((d) => (d === -1 ? R.count(x!.shape) / known : d)));
    },
  }),
  permute: def<{ perm: number[] }>({
    arb: shapeArb()
      .chain((s) => fc.tuple(arrOf(s, uniform(-2, 2)), permutationOf(s.length), fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length })))
      .map(([x, perm, neg]) => ({ xs: [x], a: { perm: perm.map((p, i) => (neg[i] ? p - perm.length : p)) } })),
    run: ([x], { perm }) => E.permute(x!, perm),
    ref: ([x], { perm }) => R.permute(x!, perm.map((p) => (p < 0 ? p + perm.length : p))),
  }),
  broadcast: def<{ shape: number[] }>({
    arb: shapeArb().chain((full) => operandShape(full).chain((s) => arrOf(s, uniform(-2, 2)).map((x) => ({ xs: [x], a: { shape: full } })))),
    run: ([x], { shape }) => E.broadcastTo(x!, shape),
    ref: ([x], { shape }) => R.broadcastTo(x!, shape),
    elided: ([x], { shape }) => x!.shape.length === shape.length && x!.shape.every((d, i) => d === shape[i]),
  }),
  slice: def<{ begin: number[]; end: number[]; lo: number[]; hi: number[] }>({
    arb: shapeArb()
      .chain((s) =>
        fc.tuple(
          arrOf(s, uniform(-2, 2)),
          fc.tuple(...s.map((d) => fc.tuple(fc.integer({ min: 0, max: d }), fc.integer({ min: 0, max: d }), fc.boolean()))),
          fc.integer({ min: 0, max: s.length }),
        ),
      )
      .map(([x, bounds, written]) => {
        const lo = bounds.map(([p, q]) => Math.min(p, q)), hi = bounds.map(([p, q]) => Math.max(p, q));
        const d = x.shape;
        // Only the first `written` axes are passed (the rest are taken whole); some as negatives.
        const begin = lo.slice(0, written).map((v, i) => (bounds[i]![2] && v < d[i]! ? v - d[i]! : v));
        const end = hi.slice(0, written).map((v, i) => (bounds[i]![2] && v > 0 && v < d[i]! ? v - d[i]! : v));
        return { xs: [x], a: { begin, end, lo: [...lo.slice(0, written), ...d.slice(written).map(() => 0)], hi: [...hi.slice(0, written), ...d.slice(written)] } };
      }),
    run: ([x], { begin, end }) => E.slice(x!, begin, end),
    ref: ([x], { lo, hi }) => R.slice(x!, lo, hi),
  }),
  concat: def<{ axis: number }>({
    arb: fc
      .tuple(shapeArb(1, 3), fc.array(dim, { minLength: 1, maxLength: 3 }), fc.nat(), fc.boolean())
      .chain(([base, sizes, pick, neg]) => {
        const ax = pick % base.length;
        const shapes = sizes.map((n) => base.map((d, i) => (i === ax ? n : d)));
        return fc.tuple(...shapes.map((s) => arrOf(s, uniform(-2, 2)))).map((xs) => ({ xs, a: { axis: neg ? ax - base.length : ax } }));
      }),
    run: (xs, { axis }) => E.concat(xs, axis),
    ref: (xs, { axis }) => R.concat(xs, axis < 0 ? axis + xs[0]!.shape.length : axis),
    elided: (xs) => xs.length === 1,
  }),
  // Repeated indices are generated often (up to 6 picks from at most 5 rows).
  gather: def<{ indices: number[]; axis: number }>({
    arb: fc
      .tuple(shapeArb(1, 3), fc.nat(), fc.boolean())
      .chain(([s, pick, neg]) => {
        const ax = pick % s.length;
        return fc
          .tuple(arrOf(s, uniform(-2, 2)), fc.array(fc.integer({ min: 0, max: s[ax]! - 1 }), { minLength: 1, maxLength: 6 }))
          .map(([x, indices]) => ({ xs: [x], a: { indices, axis: neg ? ax - s.length : ax } }));
      }),
    run: ([x], { indices, axis }) => E.gather(x!, indices, axis),
    ref: ([x], { indices, axis }) => R.gather(x!, indices, axis < 0 ? axis + x!.shape.length : axis),
  }),
  // Pairs over a vector, repeats and i = j pairs included (up to 8 pairs over at most 5 values).
  pairDiff: def<{ i: number[]; j: number[] }>({
    arb: fc.integer({ min: 1, max: 5 }).chain((n) => {
      const idx = (len: number) => fc.array(fc.integer({ min: 0, max: n - 1 }), { minLength: len, maxLength: len });
      return fc.integer({ min: 1, max: 8 }).chain((len) => fc.tuple(arrOf([n], uniform(-2, 2)), idx(len), idx(len)))
        .map(([x, i, j]) => ({ xs: [x], a: { i, j } }));
    }),
    run: ([x], { i, j }) => E.pairDiff(x!, i, j),
    ref: ([x], { i, j }) => R.binary(R.gather(x!, i, 0), R.gather(x!, j, 0), (u, v) => u - v),
  }),
  // Batch dims broadcast (dropped or set to 1 per operand), all four transpose-flag combinations.
  matmul: def<{ transA: boolean; transB: boolean }>({
    arb: fc
      .record({ batch: shapeArb(0, 2), m: dim, k: dim, n: dim, transA: fc.boolean(), transB: fc.boolean() })
      .chain(({ batch, m, k, n, transA, transB }) =>
        fc.tuple(operandShape(batch), operandShape(batch)).chain(([ba, bb]) =>
          fc
            .tuple(arrOf([...ba, ...(transA ? [k, m] : [m, k])], uniform(-2, 2)), arrOf([...bb, ...(transB ? [n, k] : [k, n])], uniform(-2, 2)))
            .map((xs) => ({ xs, a: { transA, transB } })),
        ),
      ),
    run: ([a, b], opts) => E.matmul(a!, b!, opts),
    ref: ([a, b], { transA, transB }) => R.matmul(a!, b!, transA, transB),
  }),
  ...convCases,
};
