/**
 * A guard against leaking the test metric into a search: when the oracle's test column is replaced
 * by −1000·val + noise (so that any use of it would steer a search somewhere else), every algorithm
 * must query exactly the same cells with the same validation values, with and without screening.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/autograd/index.js';
import { FunctionOracle } from '../src/nas/benchmarks/synthetic.js';
import { runOne, type ExperimentConfig, type RunResult } from '../src/nas/experiment/runner.js';
import { makeScreening } from '../src/nas/experiment/screening.js';
import { ALGORITHMS } from '../src/nas/search/registry.js';
import { nb201Space, type Nb201Arch } from '../src/nas/spaces/nb201.js';

const space = nb201Space();
const rng = new Rng(21);
const w = Array.from({ length: 6 }, () => Array.from({ length: 5 }, () => rng.uniform(0, 1)));
const score = (a: Nb201Arch) => a.reduce((s, op, e) => s + w[e]![op]!, 0);
const jitter = (a: Nb201Arch, salt: number) => new Rng(a.reduce((h, op) => h * 5 + op, salt)).uniform(-0.3, 0.3);

/** The full and the cheap fidelity; `poisoned` replaces both test columns by −1000·val + noise. */
function oracles(poisoned: boolean) {
  const test = (val: number, a: Nb201Arch, honest: number | null) => (poisoned ? -1000 * val + jitter(a, 99) : honest);
  const high = new FunctionOracle('synthetic-nb201', space, space.enumerate(), (a) => ({ val: score(a), test: test(score(a), a, score(a) + 0.01) }));
  const lowVal = (a: Nb201Arch) => 0.5 * score(a) + jitter(a, 7);
  const low = new FunctionOracle('synthetic-nb201', space, space.enumerate(), (a) => ({ val: lowVal(a), test: test(lowVal(a), a, null) }));
  return { high, low };
}

const fastPredictor = { epochs: 20, hidden: 16, layers: 2, ensemble: 2 };
const opts = { prednas: { predictor: fastPredictor, steps: 20 }, wen: { predictor: fastPredictor, pool: 100 } };

function runs(poisoned: boolean, screened: boolean): RunResult[] {
  const { high, low } = oracles(poisoned);
  const cfg: ExperimentConfig<Nb201Arch> = {
    oracle: high, dataset: 'synthetic', algorithms: [...ALGORITHMS], budget: 24, seeds: [0], algorithmOptions: opts,
    constraints: [{ metric: 'flops', op: '<=', value: 60 }],
    ...(screened ? { screening: makeScreening({ fidelity: '12ep', queries: 20, promote: 4 }, low, 12, 200) } : {}),
  };
  return ALGORITHMS.map((a) => runOne(cfg, a, 0));
}

const seen = (r: RunResult) => ({ algo: r.algo, traj: r.trajectory.map((p) => [p.arch, p.val, p.source]), screening: r.screening });

describe('the test metric never reaches a search', () => {
  for (const screened of [false, true]) {
    it(`every algorithm queries the same cells when the test column is −1000·val + noise (${screened ? 'screened' : 'single fidelity'})`, () => {
      const honest = runs(false, screened), poisoned = runs(true, screened);
      expect(poisoned.map(seen)).toEqual(honest.map(seen));
      // The poison did reach the reported numbers, so the comparison above is not vacuous.
      for (let i = 0; i < honest.length; i++) {
        expect(poisoned[i]!.trajectory[0]!.test).not.toBe(honest[i]!.trajectory[0]!.test);
        expect(honest[i]!.trajectory.length).toBeGreaterThan(10);
      }
    });
  }
});
