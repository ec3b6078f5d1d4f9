import { describe, expect, it } from 'vitest';
import { Rng } from '../src/autograd/index.js';
import { FunctionOracle } from '../src/nas/benchmarks/synthetic.js';
import { nb201Space, type Nb201Arch } from '../src/nas/spaces/nb201.js';
import { ALGORITHMS } from '../src/nas/search/index.js';
import { assembleResults, reportedMetric, runExperiment, runOne, summarise, validateConfig, type ExperimentConfig, type RunResult } from '../src/nas/experiment/runner.js';
import { fidelityEpochs, makeScreening, parseScreening, screeningCost } from '../src/nas/experiment/screening.js';
import { resultsTable } from '../src/nas/experiment/report.js';
import { validateResults } from '../src/nas/report/results-schema.js';

const space = nb201Space();

/**
 * Two fidelities of one synthetic benchmark: the full one is additive per-edge op scores; the
 * cheap one sees the same scores through a fixed distortion (a seeded perturbation per cell), so
 * its ranking agrees with the full one only roughly, as a 12-epoch column does with a 200-epoch one.
 */
function fidelities(seed: number): { high: FunctionOracle<Nb201Arch>; low: FunctionOracle<Nb201Arch> } {
  const rng = new Rng(seed);
  const w = Array.from({ length: 6 }, () => Array.from({ length: 5 }, () => rng.uniform(0, 1)));
  const score = (a: Nb201Arch) => a.reduce((s, op, e) => s + w[e]![op]!, 0);
  const noise = (a: Nb201Arch) => new Rng(a.reduce((h, op) => h * 5 + op, seed)).uniform(-0.3, 0.3);
  const high = new FunctionOracle('synthetic-nb201', space, space.enumerate(), (a) => ({ val: score(a), test: score(a) + 0.01 }));
  const low = new FunctionOracle('synthetic-nb201', space, space.enumerate(), (a) => ({ val: 0.5 * score(a) + noise(a), test: null }));
  return { high, low };
}

const fastPredictor = { epochs: 40, hidden: 32, layers: 2, ensemble: 2 };
const fastOpts = { prednas: { predictor: fastPredictor, steps: 40 }, wen: { predictor: fastPredictor, pool: 200 } };
const { high, low } = fidelities(3);
// 30 queries at 12 of 200 epochs: 1.8 full queries' worth, rounded up to 2.
const screening = makeScreening({ fidelity: '12ep', queries: 30, promote: 6 }, low, 12, 200);

function plain(budget: number, extra: Partial<ExperimentConfig<Nb201Arch>> = {}): ExperimentConfig<Nb201Arch> {
  return { oracle: high, dataset: 'synthetic', algorithms: [...ALGORITHMS], budget, seeds: [0], algorithmOptions: fastOpts, ...extra };
}

const cfg = (budget: number, extra: Partial<ExperimentConfig<Nb201Arch>> = {}) => plain(budget, { screening, ...extra });

describe('screening specs', () => {
  it('parses FIDELITY:QUERIES:PROMOTE and says what is wrong with a bad one', () => {
    expect(parseScreening('12ep:100:10')).toEqual({ fidelity: '12ep', queries: 100, promote: 10 });
    expect(parseScreening(' 4ep : 50 : 5 ')).toEqual({ fidelity: '4ep', queries: 50, promote: 5 });
    expect(() => parseScreening('12ep:100')).toThrow(/expected FIDELITY:QUERIES:PROMOTE.*got '12ep:100'/);
    expect(() => parseScreening('twelve:100:10')).toThrow(/expected FIDELITY:QUERIES:PROMOTE/);
    expect(() => parseScreening('12ep:0:0')).toThrow(/screening queries must be >= 1, got 0/);
    expect(() => parseScreening('12ep:10:11')).toThrow(/promote must be between 1 and the screening queries \(10\), got 11/);
    expect(() => parseScreening('12ep:10:0')).toThrow(/promote must be between 1/);
    expect(fidelityEpochs('200ep')).toBe(200);
    expect(() => fidelityEpochs('full')).toThrow(/fidelity 'full' does not name a number of training epochs/);
  });

  it('costs screening in whole full-fidelity queries, exactly', () => {
    expect(screeningCost({ queries: 100, lowEpochs: 12, highEpochs: 200 })).toBe(6); // not 7 from 6.000000000000001
    expect(screeningCost({ queries: 30, lowEpochs: 12, highEpochs: 200 })).toBe(2);
    expect(screeningCost({ queries: 1, lowEpochs: 4, highEpochs: 108 })).toBe(1);
    expect(screeningCost({ queries: 27, lowEpochs: 4, highEpochs: 108 })).toBe(1);
    expect(screeningCost({ queries: 28, lowEpochs: 4, highEpochs: 108 })).toBe(2);
  });

  it('rejects a screening stage that does not fit the budget or is not cheaper', () => {
    expect(() => validateConfig(cfg(7))).toThrow(/30 queries at 12ep cost 2 full queries, plus 6 promoted, exceeds the budget of 7/);
    expect(() => validateConfig(cfg(8))).not.toThrow();
    expect(() => makeScreening({ fidelity: '200ep', queries: 30, promote: 6 }, low, 200, 200)).toThrow(/screening: 200ep \(200 epochs\) is not cheaper than the fidelity searched in full \(200 epochs\)/);
  });
});

describe('screened runs on a synthetic two-fidelity benchmark', () => {
  it('every algorithm: screens first, promotes the best screened cells, then spends the rest of the budget in full', () => {
    for (const algo of ALGORITHMS) {
      const r = runOne(cfg(25), algo, 4);
      const scr = r.screening!;
      expect(scr, algo).toHaveLength(30);
      expect(new Set(scr.map((o) => o.arch)).size, algo).toBe(30);
      // The cheap stage is the algorithm's own run at that fidelity with the same seed.
      const alone = runOne(plain(30, { oracle: low }), algo, 4);
      expect(scr.map((o) => o.arch), algo).toEqual(alone.trajectory.map((p) => p.arch));
      // 25 − 2 spent screening = 23 full queries, numbered 3..25, never repeated.
      expect(r.trajectory.map((p) => p.query), algo).toEqual(Array.from({ length: 23 }, (_, i) => i + 3));
      expect(new Set(r.trajectory.map((p) => p.arch)).size, algo).toBe(23);
      // The first six are the six best screened cells, best first, with their full-fidelity results.
      const best = [...scr].sort((a, b) => b.val - a.val).slice(0, 6).map((o) => o.arch);
      expect(r.trajectory.slice(0, 6).map((p) => p.arch), algo).toEqual(best);
      for (const p of r.trajectory) expect(p.val).toBe(high.peek(space.parse(p.arch), { dataset: 'synthetic' }).val);
      // Deterministic per seed.
      expect(runOne(cfg(25), algo, 4), algo).toEqual({ ...r, timeMs: expect.anything() });
    }
  });

  it('reports nothing before the screening is paid for, and labels the results', () => {
    const res = runExperiment(cfg(25, { algorithms: ['random', 'prednas'], seeds: [0, 1], checkpoints: [2, 3, 10, 25] }));
    const run = res.runs[0]!;
    expect(reportedMetric(run.trajectory, 2, 'A')).toBe(-Infinity);
    expect(reportedMetric(run.trajectory, 3, 'A')).toBe(run.trajectory[0]!.test);
    expect(res.screening).toEqual({ fidelity: '12ep', queries: 30, promote: 6, costPerQuery: 0.06, offset: 2 });
    // Checkpoint 2 falls inside the screening: nothing to summarise there.
    expect(Object.keys(res.summary['random']!)).toEqual(['3', '10', '25']);
    // Queries to the optimum count the budget spent, screening included: a run that queries the
    // optimum as its 2nd full query after a screening that cost 5 found it at 7, not at 2.
    const opt = res.optimum.arch;
    const screenedRun: RunResult = { algo: 'x', seed: 0, timeMs: { total: 0 }, trajectory: [{ query: 6, arch: '|a|', val: 1, test: 1 }, { query: 7, arch: opt, val: 2, test: 2 }] };
    const s = summarise([screenedRun], 'x', 'A', res.optimum, [5, 6, 7], 7, (a) => a, 5);
    expect(s.meanQueriesToOptimum).toBe(7);
    expect(Object.keys(s.checkpoints)).toEqual(['6', '7']);
    expect(s.checkpoints['6']!.foundOptimum).toBe(0);
    expect(s.checkpoints['7']!.foundOptimum).toBe(1);
    expect(() => validateResults(JSON.parse(JSON.stringify(res)))).not.toThrow();
    // A screened run's numbering is checked against the label.
    const shifted = JSON.parse(JSON.stringify({ ...res, screening: { ...res.screening!, offset: 0 } }));
    expect(() => validateResults(shifted)).toThrow(/trajectory\[0\]\.query: expected 1, got 3/);
    expect(resultsTable(res)).toMatch(/Multi-fidelity screening.*30 queries at 12ep, each counted as 0\.06 of a full-fidelity query.*2 in all.*6 best.*first full query is n=3/);
  }, 60_000);

  it('without screening the results carry no label and queries number from 1', () => {
    const res = assembleResults(plain(10, { algorithms: ['random'] }), [runOne(plain(10), 'random', 0)]);
    expect(res.screening).toBeUndefined();
    expect(res.runs[0]!.screening).toBeUndefined();
    expect(res.runs[0]!.trajectory.map((p) => p.query)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  });
});
