/**
 * fast-check generators for the autograd proofs: shapes first, then data. Data generators come
 * in kink-free flavours (away from zero, positive, pairwise distinct, interleaved grids) so that
 * central differences never straddle a point where the function is not differentiable.
 */
import fc from 'fast-check';
import { arr, broadcastShape, count, type Arr } from './reference.js';

/**
 * Seed and run count shared by every property; a failure prints the seed and path to replay it.
 * PREDNAS_FC_SEED / PREDNAS_FC_RUNS explore further locally; CI always runs the fixed seed.
 */
export const FC = {
  seed: Number(process.env.PREDNAS_FC_SEED ?? 42),
  numRuns: Number(process.env.PREDNAS_FC_RUNS ?? 100),
} as const;

export const dim = fc.integer({ min: 1, max: 5 });

export const shapeArb = (minRank = 0, maxRank = 3): fc.Arbitrary<number[]> => fc.array(dim, { minLength: minRank, maxLength: maxRank });

export type Values = (n: number) => fc.Arbitrary<number[]>;

const exactly = (n: number) => ({ minLength: n, maxLength: n });

/** Doubles in [lo, hi]. */
export const uniform = (lo: number, hi: number): Values => (n) => fc.array(fc.double({ min: lo, max: hi, noNaN: true }), exactly(n));

/** |v| in [margin, hi], either sign: for relu, abs and denominators. */
export const awayFromZero = (margin: number, hi: number): Values => (n) =>
  fc.array(fc.tuple(fc.boolean(), fc.double({ min: margin, max: hi, noNaN: true })).map(([neg, v]) => (neg ? -v : v)), exactly(n));

/**
 * Pairwise distinct values, at least 0.4·scale apart: distinct integers times `scale` plus a
 * jitter below 0.3·scale. Used where ties are kinks (max reductions, layerNorm spread).
 */
export const distinct = (scale = 0.05): Values => (n) =>
  fc
    // The integer range must hold n distinct values (a [5,5,5] tensor needs 125).
    .tuple(fc.uniqueArray(fc.integer({ min: -Math.max(60, n), max: Math.max(60, n) }), exactly(n)), fc.array(fc.double({ min: -0.3, max: 0.3, noNaN: true }), exactly(n)))
    .map(([ks, js]) => ks.map((k, i) => (k + js[i]!) * scale));

/**
 * Values on the grid (k + offset)·scale, k ∈ [-4, 4], jittered by < 0.2·scale. Two generators
 * with offsets 0.25 and 0.75 never come closer than 0.1·scale: maximum/minimum without ties.
 */
export const grid = (offset: number, scale = 0.5): Values => (n) =>
  fc.array(
    fc.tuple(fc.integer({ min: -4, max: 4 }), fc.double({ min: -0.2, max: 0.2, noNaN: true })).map(([k, j]) => (k + offset + j) * scale),
    exactly(n),
  );

export const arrOf = (shape: readonly number[], values: Values): fc.Arbitrary<Arr> => values(count(shape)).map((d) => arr(shape, d));

/**
 * An operand shape that broadcasts to `full`: drop some leading dims, set some others to 1.
 */
export const operandShape = (full: readonly number[]): fc.Arbitrary<number[]> =>
  fc
    .tuple(fc.integer({ min: 0, max: full.length }), fc.array(fc.boolean(), exactly(full.length)))
    .map(([drop, ones]) => full.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));

/** k operand shapes that broadcast together; `out` is their broadcast. */
export const broadcastShapes = (k: number, maxRank = 3): fc.Arbitrary<{ shapes: number[][]; out: number[] }> =>
  shapeArb(0, maxRank).chain((full) =>
    fc.array(operandShape(full), exactly(k)).map((shapes) => ({ shapes, out: broadcastShape(...shapes) })),
  );

/** Axes to reduce over: a subset of [0, rank), each possibly written negatively, or undefined = all. */
export const axesOf = (rank: number): fc.Arbitrary<number[] | undefined> =>
  fc.option(
    fc
      .array(fc.tuple(fc.boolean(), fc.boolean()), exactly(rank))
      .map((picks) => picks.flatMap(([take, negative], a) => (take ? [negative ? a - rank : a] : []))),
    { nil: undefined, freq: 4 },
  );

export const normAxes = (axes: readonly number[] | undefined, rank: number): number[] =>
  axes === undefined ? Array.from({ length: rank }, (_, i) => i) : axes.map((a) => (a < 0 ? a + rank : a)).sort((x, y) => x - y);

/** A permutation of [0, n). */
export const permutationOf = (n: number): fc.Arbitrary<number[]> =>
  fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), exactly(n));

/** Split each dim into a product of factors, regroup and permute groups: a same-size shape. */
export const reshapeTarget = (shape: readonly number[]): fc.Arbitrary<number[]> => {
  const factors = shape.flatMap(primeFactors);
  return fc
    .tuple(fc.shuffledSubarray(factors, exactly(factors.length)), fc.array(fc.integer({ min: 0, max: 2 }), exactly(factors.length)), fc.integer({ min: 0, max: 2 }))
    .map(([fs, cuts, ones]) => {
      const out: number[] = [];
      fs.forEach((f, i) => {
        // cut 0 merges this factor into the previous dim; otherwise it starts a new one.
        if (out.length > 0 && cuts[i] === 0) out[out.length - 1]! *= f;
        else out.push(f);
      });
      for (let i = 0; i < ones; i++) out.splice(i % (out.length + 1), 0, 1);
      return out;
    });
};

function primeFactors(d: number): number[] {
  const out: number[] = [];
  for (let p = 2; d > 1; p++) while (d % p === 0) { out.push(p); d /= p; }
  return out;
}
