/**
 * Generated cases for the convolutional primitives (conv2d, maxPool2d, avgPool2d, batchNorm,
 * batchNormEval),
 * part of the exhaustive table in primitive-cases.ts. Shapes reach stride > 1, padding,
 * dilation, groups (including depthwise), odd sizes, batch 1, and kernels as large as the padded
 * input; sizes stay small enough for central differences.
 */
import fc from 'fast-check';
import * as E from '../../src/autograd/index.js';
import * as C from './conv-reference.js';
import { arrOf, distinct, shapeArb, uniform } from './gen.js';
import { def } from './instance.js';
import type { Instance } from './instance.js';

const pairOf = (lo: number, hi: number) => fc.tuple(fc.integer({ min: lo, max: hi }), fc.integer({ min: lo, max: hi }));

/** Geometry of a conv whose output is at least 1x1: input size = reach of the kernel minus padding, plus extra. */
export const convGeometryArb = fc
  .record({
    n: fc.integer({ min: 1, max: 2 }), groups: fc.integer({ min: 1, max: 3 }), cgIn: fc.integer({ min: 1, max: 2 }), cgOut: fc.integer({ min: 1, max: 2 }),
    k: pairOf(1, 3), stride: pairOf(1, 3), padding: pairOf(0, 2), dilation: pairOf(1, 2), extra: pairOf(0, 4),
  })
  .map(({ n, groups, cgIn, cgOut, k, stride, padding, dilation, extra }) => {
    const size = (i: 0 | 1) => Math.max(1, dilation[i] * (k[i] - 1) + 1 - 2 * padding[i]) + extra[i];
    return {
      xShape: [n, groups * cgIn, size(0), size(1)], wShape: [groups * cgOut, cgIn, k[0], k[1]],
      args: { stride, padding, dilation, groups } as C.ConvArgs,
    };
  });

const poolGeometryArb = fc
  .record({ n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 2 }), k: pairOf(1, 3), stride: pairOf(1, 3), pad: pairOf(0, 1), extra: pairOf(0, 4) })
  .map(({ n, c, k, stride, pad, extra }) => {
    const padding: [number, number] = [Math.min(pad[0], Math.floor(k[0] / 2)), Math.min(pad[1], Math.floor(k[1] / 2))];
    return { shape: [n, c, Math.max(1, k[0] - 2 * padding[0]) + extra[0], Math.max(1, k[1] - 2 * padding[1]) + extra[1]], args: { kernel: k, stride, padding } as C.PoolArgs };
  });

/** Rank 2-4 inputs [N, C, ...] with at least two values per channel (training mode needs them). */
const bnShapeArb = fc
  .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 2 }))
  .map(([n, c, rest]) => [n, c, ...rest])
  .filter((s) => s[0]! * s.slice(2).reduce((a, d) => a * d, 1) >= 2);

export const convCases = {
  conv2d: def<C.ConvArgs>({
    arb: convGeometryArb.chain(({ xShape, wShape, args }) => fc.tuple(arrOf(xShape, uniform(-2, 2)), arrOf(wShape, uniform(-2, 2))).map((xs) => ({ xs, a: args }))),
    run: ([x, w], a) => E.conv2d(x!, w!, a),
    ref: ([x, w], a) => C.conv2d(x!, w!, a),
  }),
  // Distinct values: a tie inside a window is a kink of max.
  maxPool2d: def<C.PoolArgs>({
    arb: poolGeometryArb.chain(({ shape, args }) => arrOf(shape, distinct()).map((x) => ({ xs: [x], a: args }))),
    run: ([x], a) => E.maxPool2d(x!, a.kernel, a),
    ref: ([x], a) => C.maxPool2d(x!, a),
  }),
  avgPool2d: def<C.PoolArgs>({
    arb: poolGeometryArb.chain(({ shape, args }) => arrOf(shape, uniform(-2, 2)).map((x) => ({ xs: [x], a: args }))),
    run: ([x], a) => E.avgPool2d(x!, a.kernel, a),
    ref: ([x], a) => C.avgPool2d(x!, a),
  }),
  // Values at least 0.2 apart keep the batch variance away from 0, where central differences of
  // 1/σ are ill-conditioned; eps both tiny and large.
  batchNorm: def<{ eps: number }>({
    arb: fc.tuple(bnShapeArb, fc.constantFrom(1e-5, 0.1)).chain(([s, eps]) =>
      fc.tuple(arrOf(s, distinct(0.5)), arrOf([s[1]!], uniform(-2, 2)), arrOf([s[1]!], uniform(-2, 2))).map((xs) => ({ xs, a: { eps } })),
    ),
    run: ([x, gamma, beta], { eps }) => E.batchNorm(x!, { gamma: gamma!, beta: beta!, eps }),
    ref: ([x, gamma, beta], { eps }) => C.batchNorm(x!, gamma!, beta!, eps),
  }),
  // Evaluation mode: running statistics (any mean, variance > 0) are constants, so only x, gamma
  // and beta are differentiated; every rank-2+ shape, one value per channel included.
  batchNormEval: def<{ eps: number; mean: number[]; variance: number[] }>({
    arb: fc.tuple(shapeArb(2, 4).filter((s) => s[0]! >= 1), fc.constantFrom(1e-5, 0.1)).chain(([s, eps]) =>
      fc.tuple(arrOf(s, uniform(-2, 2)), arrOf([s[1]!], uniform(-2, 2)), arrOf([s[1]!], uniform(-2, 2)), uniform(-1, 1)(s[1]!), uniform(0.2, 2)(s[1]!))
        .map(([x, gamma, beta, mean, variance]) => ({ xs: [x, gamma, beta], a: { eps, mean, variance } })),
    ),
    run: ([x, gamma, beta], { eps, mean, variance }) => {
      const stat = (v: number[]) => E.tensor(v, [v.length], { dtype: x!.dtype });
      return E.batchNorm(x!, { gamma: gamma!, beta: beta!, eps, training: false, runningMean: stat(mean), runningVar: stat(variance) });
    },
    ref: ([x, gamma, beta], { eps, mean, variance }) => C.batchNormEval(x!, gamma!, beta!, mean, variance, eps),
  }),
} satisfies Record<string, fc.Arbitrary<Instance>>;
