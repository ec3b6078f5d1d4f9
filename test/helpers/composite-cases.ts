/**
 * One generated case per composite (every export of composites.ts, plus mean and transpose,
 * which ops.ts derives from sum and permute). The table is keyed by the module's export names,
 * so a new composite without a case fails `tsc`.
 */
import fc from 'fast-check';
import * as E from '../../src/autograd/index.js';
import type * as Composites from '../../src/autograd/composites.js';
import type { Tensor } from '../../src/autograd/index.js';
import * as R from './reference.js';
import type { Arr } from './reference.js';
import { arrOf, axesOf, dim, distinct, normAxes, reshapeTarget, shapeArb, uniform, type Values } from './gen.js';
import { def, type Instance } from './instance.js';

export type CompositeName = keyof typeof Composites | 'mean' | 'transpose';

const scalar = (v: number): Arr => R.arr([], [v]);

/** A shape of rank 1–3 and an axis of it, sometimes written negatively. */
const shapeAndAxis = fc.tuple(shapeArb(1, 3), fc.nat(), fc.boolean()).map(([s, pick, neg]) => {
  const ax = pick % s.length;
  return { s, axis: neg ? ax - s.length : ax, ax };
});

function lineCase(op: (x: Tensor, axis: number) => Tensor, line: (v: readonly number[]) => number[]): fc.Arbitrary<Instance> {
  return def<{ axis: number; ax: number }>({
    arb: shapeAndAxis.chain(({ s, axis, ax }) => arrOf(s, uniform(-5, 5)).map((x) => ({ xs: [x], a: { axis, ax } }))),
    run: ([x], { axis }) => op(x!, axis),
    ref: ([x], { ax }) => R.alongAxis(x!, ax, line),
  });
}

function pointwise(op: (x: Tensor) => Tensor, f: (v: number) => number, values: Values): fc.Arbitrary<Instance> {
  return def<Record<string, never>>({
    arb: shapeArb().chain((s) => arrOf(s, values).map((x) => ({ xs: [x], a: {} }))),
    run: ([x]) => op(x!),
    ref: ([x]) => R.unary(x!, f),
  });
}

/** Mostly smooth values, with exact zeros mixed in where a composite has internal kinks at 0. */
const withZeros = (lo: number, hi: number): Values => (n) =>
  fc.array(fc.oneof({ arbitrary: fc.double({ min: lo, max: hi, noNaN: true }), weight: 3 }, { arbitrary: fc.constant(0), weight: 1 }), { minLength: n, maxLength: n });

export const compositeCases: { readonly [K in CompositeName]: fc.Arbitrary<Instance> } = {
  mean: def<{ axes: number[] | undefined; keepdims: boolean }>({
    arb: shapeArb().chain((s) =>
      fc.record({ x: arrOf(s, uniform(-2, 2)), axes: axesOf(s.length), keepdims: fc.boolean() }).map(({ x, axes, keepdims }) => ({ xs: [x], a: { axes, keepdims } })),
    ),
    run: ([x], { axes, keepdims }) => E.mean(x!, axes, keepdims),
    ref: ([x], { axes, keepdims }) => R.mean(x!, normAxes(axes, x!.shape.length), keepdims),
  }),
  // Default axes (the last two) when none are generated; equal axes are the identity.
  transpose: def<{ axes: [number, number] | undefined }>({
    arb: shapeArb(2, 3).chain((s) =>
      fc
        .tuple(arrOf(s, uniform(-2, 2)), fc.option(fc.tuple(fc.integer({ min: -s.length, max: s.length - 1 }), fc.integer({ min: -s.length, max: s.length - 1 })), { nil: undefined }))
        .map(([x, axes]) => ({ xs: [x], a: { axes } })),
    ),
    run: ([x], { axes }) => (axes === undefined ? E.transpose(x!) : E.transpose(x!, ...axes)),
    ref: ([x], { axes }) => {
      const r = x!.shape.length;
      const [i, j] = (axes ?? [-2, -1]).map((a) => (a < 0 ? a + r : a)) as [number, number];
      const perm = Array.from({ length: r }, (_, k) => (k === i ? j : k === j ? i : k));
      return R.permute(x!, perm);
    },
  }),
  softmax: lineCase(E.softmax, R.softmaxLine),
  logSoftmax: lineCase(E.logSoftmax, R.logSoftmaxLine),
  softplus: pointwise(E.softplus, R.softplus, withZeros(-6, 6)),
  silu: pointwise(E.silu, R.silu, uniform(-4, 4)),
  gelu: pointwise(E.gelu, R.gelu, uniform(-4, 4)),
  // Distinct values keep every normalised row's variance well above zero (where 1/σ blows up).
  layerNorm: def<{ affine: boolean; eps: number }>({
    arb: fc
      .record({ lead: shapeArb(0, 2), last: fc.integer({ min: 2, max: 5 }), affine: fc.boolean(), eps: fc.constantFrom(1e-5, 0.1) })
      .chain(({ lead, last, affine, eps }) =>
        fc
          .tuple(arrOf([...lead, last], distinct(0.3)), arrOf([last], uniform(0.5, 2)), arrOf([last], uniform(-1, 1)))
          .map(([x, g, b]) => ({ xs: affine ? [x, g, b] : [x], a: { affine, eps } })),
      ),
    run: ([x, g, b], { eps }) => E.layerNorm(x!, g, b, eps),
    ref: ([x, g, b], { eps }) => {
      const y = R.alongAxis(x!, -1, (v) => R.layerNormLine(v, eps));
      return g === undefined ? y : R.binary(R.binary(y, g, (u, v) => u * v), b!, (u, v) => u + v);
    },
  }),
  // A fresh Rng with the same seed per call: every finite-difference evaluation sees one mask.
  // The reference takes the mask from dropout applied to ones (how the engine draws its random
  // numbers is its own business) and checks that it only holds 0 and 1/(1-p); the drop rate is
  // tested statistically in the semantics tests.
  dropout: def<{ p: number; seed: number }>({
    arb: fc
      .record({ s: shapeArb(), p: fc.constantFrom(0, 0.25, 0.5, 0.9), seed: fc.nat() })
      .chain(({ s, p, seed }) => arrOf(s, uniform(-2, 2)).map((x) => ({ xs: [x], a: { p, seed } }))),
    run: ([x], { p, seed }) => E.dropout(x!, p, new E.Rng(seed)),
    ref: ([x], { p, seed }) => {
      const mask = E.dropout(E.ones(x!.shape, { dtype: 'float64' }), p, new E.Rng(seed)).toArray();
      const bad = mask.find((m) => m !== 0 && m !== 1 / (1 - p));
      if (bad !== undefined) throw new Error(`dropout mask holds ${bad}, expected 0 or ${1 / (1 - p)}`);
      return R.binary(x!, R.arr(x!.shape, mask), (u, m) => u * m);
    },
  }),
  // Target may have another shape of the same size; it is differentiated too.
  mseLoss: def<Record<string, never>>({
    arb: shapeArb().chain((s) =>
      reshapeTarget(s).chain((t) => fc.tuple(arrOf(s, uniform(-2, 2)), arrOf(t, uniform(-2, 2))).map((xs) => ({ xs, a: {} }))),
    ),
    run: ([p, t]) => E.mseLoss(p!, t!),
    ref: ([p, t]) => scalar(R.mse(p!.data, t!.data)),
  }),
  // Scores as [n] or [n, 1]; exact score ties included (softplus at 0 must get slope 1/2).
  pairwiseRankingLoss: def<{ targets: number[] }>({
    arb: fc
      .tuple(fc.integer({ min: 2, max: 6 }), fc.boolean())
      .chain(([n, column]) =>
        fc.tuple(
          arrOf(column ? [n, 1] : [n], (k) => fc.array(fc.oneof(fc.double({ min: -3, max: 3, noNaN: true }), fc.constantFrom(0, 0.5)), { minLength: k, maxLength: k })),
          fc.array(fc.integer({ min: 0, max: 3 }), { minLength: n, maxLength: n }).filter((t) => new Set(t).size > 1),
        ),
      )
      .map(([x, targets]) => ({ xs: [x], a: { targets } })),
    run: ([s], { targets }) => E.pairwiseRankingLoss(s!, targets),
    ref: ([s], { targets }) => scalar(R.rankingLoss(s!.data, targets)),
  }),
  crossEntropy: def<{ labels: number[] }>({
    arb: fc
      .tuple(dim, dim)
      .chain(([n, c]) => fc.tuple(arrOf([n, c], uniform(-5, 5)), fc.array(fc.integer({ min: 0, max: c - 1 }), { minLength: n, maxLength: n })))
      .map(([x, labels]) => ({ xs: [x], a: { labels } })),
    run: ([x], { labels }) => E.crossEntropy(x!, labels),
    ref: ([x], { labels }) => scalar(R.crossEntropy(x!, labels)),
  }),
};
