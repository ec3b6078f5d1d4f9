/**
 * Multi-fidelity screening: a run first searches a cheaper fidelity of the benchmark (NB-201's
 * 12-epoch columns, NB-101's 4/12/36-epoch ones) with its own algorithm, then trains the best
 * `promote` of the screened cells at full fidelity and hands them to a fresh instance of the same
 * algorithm, which goes on at full fidelity. The budget is counted in full trainings: a screening
 * query costs (its epochs) / (full-fidelity epochs) of one, so 100 queries at 12 of 200 epochs
 * cost 6, and the first full-fidelity query of such a run is query 7.
 *
 * Why: under NB-201's latency budget the runs that miss the constrained optimum end in basins
 * where the predictor, trained on ~100 full-fidelity cells, ranks the optimum in the hundreds
 * (results/ablations.md); the 12-epoch column ranks it 2nd of the 7,825 feasible cells. Screening
 * spends a few full trainings' worth of compute to start the full-fidelity search near it:
 * 71.56 instead of 71.24 against an optimum of 71.63 at the same cost (results/README.md).
 */
import type { Rng } from '../../autograd/random.js';
import type { Oracle } from '../oracle.js';
import type { SearchAlgorithm } from '../search/algorithm.js';

/** What to screen with, as a user writes it: `FIDELITY:QUERIES:PROMOTE`, e.g. `12ep:100:10`. */
export interface ScreeningSpec {
  /** The cheap fidelity's name, `<epochs>ep`. */
  readonly fidelity: string;
  /** Queries at the cheap fidelity per run. */
  readonly queries: number;
  /** How many of the best screened cells are then trained at full fidelity first. */
  readonly promote: number;
}

/**
 * A screening stage ready to run (made by `makeScreening`): the runner only calls these members,
 * so a bundle that never makes one (the browser core) carries none of this module.
 */
export interface Screening<A> extends ScreeningSpec {
  readonly oracle: Oracle<A>;
  /** Epochs of one screening query and of one full-fidelity query: cost = lowEpochs / highEpochs. */
  readonly lowEpochs: number;
  readonly highEpochs: number;
  /** Full-fidelity queries' worth of budget the screening uses (see screeningCost). */
  readonly cost: number;
  /** Throws with what is wrong when the stage does not fit a run of `budget`. */
  check(budget: number): void;
  /** Runs the cheap stage with `pre` (a fresh search); every screened cell and its value, in order. */
  screen(pre: SearchAlgorithm<A>, dataset: string, rng: Rng): { arch: A; val: number }[];
  /** The seed of the full-fidelity stage that follows (see fullFidelitySeed). */
  fullSeed(seed: number): number;
}

/** A screening stage over `oracle` (the cheap fidelity); throws unless it is cheaper than the full one. */
export function makeScreening<A>(spec: ScreeningSpec, oracle: Oracle<A>, lowEpochs: number, highEpochs: number): Screening<A> {
  checkCheaper(spec.fidelity, lowEpochs, highEpochs);
  const cost = screeningCost({ queries: spec.queries, lowEpochs, highEpochs });
  return {
    ...spec, lowEpochs, highEpochs, oracle, cost,
    check: (budget) => {
      if (cost + spec.promote > budget) {
        throw new Error(`screening: ${spec.queries} queries at ${spec.fidelity} cost ${cost} full queries, plus ${spec.promote} promoted, exceeds the budget of ${budget}`);
      }
    },
    screen: (pre, dataset, rng) => {
      const screened: { arch: A; val: number }[] = [];
      while (screened.length < spec.queries) {
        const [arch] = pre.ask(1);
        if (arch === undefined) break;
        const r = oracle.query(arch, { dataset, rng });
        pre.tell(arch, r.val);
        screened.push({ arch, val: r.val });
      }
      return screened;
    },
    fullSeed: fullFidelitySeed,
  };
}

const SPEC = /^\s*(\d+ep)\s*:\s*(\d+)\s*:\s*(\d+)\s*$/;

export function parseScreening(text: string): ScreeningSpec {
  const m = SPEC.exec(text);
  if (m === null) throw new Error(`--screen: expected FIDELITY:QUERIES:PROMOTE, e.g. '12ep:100:10' (100 queries at 12 epochs, the 10 best then trained in full), got '${text}'`);
  const queries = Number(m[2]), promote = Number(m[3]);
  if (queries < 1) throw new Error(`--screen '${text}': screening queries must be >= 1, got ${queries}`);
  if (promote < 1 || promote > queries) throw new Error(`--screen '${text}': promote must be between 1 and the screening queries (${queries}), got ${promote}`);
  return { fidelity: m[1]!, queries, promote };
}

/** Training epochs of a fidelity named `<N>ep` (the cost unit of screening). */
export function fidelityEpochs(name: string): number {
  const m = /^(\d+)ep$/.exec(name);
  const e = m === null ? NaN : Number(m[1]);
  if (!(e >= 1)) throw new Error(`screening: fidelity '${name}' does not name a number of training epochs (expected e.g. '12ep')`);
  return e;
}

/**
 * Full-fidelity queries' worth of budget the screening stage uses, rounded up to a whole query
 * (computed in integers: 100 × 12 / 200 is exactly 6, not 6.000000000000001).
 */
export function screeningCost(s: { readonly queries: number; readonly lowEpochs: number; readonly highEpochs: number }): number {
  return Math.ceil((s.queries * s.lowEpochs) / s.highEpochs);
}

/** Throws unless `fidelity` (lowEpochs) is cheaper than the fidelity searched in full (highEpochs). */
export function checkCheaper(fidelity: string, lowEpochs: number, highEpochs: number): void {
  if (!(lowEpochs < highEpochs)) throw new Error(`screening: ${fidelity} (${lowEpochs} epochs) is not cheaper than the fidelity searched in full (${highEpochs} epochs)`);
}

/**
 * The seed of a screened run's full-fidelity stage. The screening stage runs with the run's own
 * seed (so it starts from the same random cells as an unscreened run of that seed, which keeps
 * paired comparisons paired); the full-fidelity stage needs a stream apart from it.
 */
export function fullFidelitySeed(seed: number): number {
  return (Math.imul(seed ^ 0x5c3ee7, 0x9e3779b1) >>> 0) % 2 ** 31;
}
