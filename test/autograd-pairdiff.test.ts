/**
 * pairDiff replaced two gathers and a subtraction in the ranking loss, and the loss now takes
 * s_j − s_i where it negated s_i − s_j. Both must leave every bit of the loss and its gradient as
 * the former composition computed them, in Float32 and Float64, on both backends ('auto' hands the
 * loss's large passes to the wasm kernels), with tied scores (zero margins, whose sign differs
 * between the two forms) and repeated pairs. (pairDiff's numerics against the plain reference and
 * central differences are in the primitive table's tests.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gather, mean, neg, pairwiseRankingLoss, softplus, sub, tensor, type Tensor } from '../src/autograd/index.js';
import { Rng } from '../src/autograd/random.js';
import { withBackend } from '../src/kernels/index.js';
import { FC } from './helpers/gen.js';

/** The loss as it was composed before pairDiff: mean(softplus(−(s[I] − s[J]))), the same pairs. */
function composedLoss(scores: Tensor, targets: readonly number[], opts: { maxPairs?: number; rng?: Rng }): Tensor {
  const n = scores.size;
  let I: number[] = [], J: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (targets[i]! > targets[j]!) { I.push(i); J.push(j); }
  if (opts.maxPairs !== undefined && I.length > opts.maxPairs) {
    const pick = opts.rng!.shuffle(Array.from({ length: I.length }, (_, k) => k)).slice(0, opts.maxPairs);
    I = pick.map((k) => I[k]!);
    J = pick.map((k) => J[k]!);
  }
  return mean(softplus(neg(sub(gather(scores, I), gather(scores, J)))));
}

function lossAndGrad(loss: typeof composedLoss, data: number[], targets: number[], dtype: 'float32' | 'float64', maxPairs?: number): number[] {
  const s = tensor(data, [data.length], { dtype, requiresGrad: true });
  const l = loss(s, targets, maxPairs === undefined ? {} : { maxPairs, rng: new Rng(7) });
  l.backward();
  return [...l.data, ...s.grad!.data];
}

const sameBits = (a: number[], b: number[]): boolean => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

describe('pairwiseRankingLoss through pairDiff = the gather/sub/neg composition, bit for bit', () => {
  // Scores from a small grid, so that many pairs tie (zero margins); up to 60 scores: 1,770 pairs,
  // past the 1,024 values at which 'auto' hands softplus to the wasm kernels.
  const cases = fc.integer({ min: 2, max: 60 }).chain((n) =>
    fc.record({
      scores: fc.array(fc.oneof(fc.integer({ min: -4, max: 4 }).map((k) => k / 4), fc.double({ min: -3, max: 3, noNaN: true })), { minLength: n, maxLength: n }),
      targets: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }),
      cap: fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined }),
    }),
  ).filter(({ targets }) => targets.some((t) => t !== targets[0]));
  for (const dtype of ['float32', 'float64'] as const) {
    for (const backend of ['js', 'auto']) {
      it(`${dtype}, backend ${backend}`, () => {
        fc.assert(fc.property(cases, ({ scores, targets, cap }) => withBackend(backend, () => {
          const want = lossAndGrad(composedLoss, scores, targets, dtype, cap);
          const got = lossAndGrad(pairwiseRankingLoss as typeof composedLoss, scores, targets, dtype, cap);
          expect(sameBits(got, want)).toBe(true);
        })), { seed: FC.seed, numRuns: Math.min(FC.numRuns, 60) });
      });
    }
  }

  it('ties are really exercised: a zero margin has opposite signs in the two forms', () => {
    const s = tensor([0.5, 0.5], [2], { dtype: 'float32' });
    const composed = neg(sub(gather(s, [0]), gather(s, [1]))).data[0]!;
    const paired = sub(gather(s, [1]), gather(s, [0])).data[0]!;
    expect(Object.is(composed, -0) && Object.is(paired, 0)).toBe(true);
  });
});
