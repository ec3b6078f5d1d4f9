import { describe, expect, it } from 'vitest';
import { Rng } from '../src/autograd/index.js';
import { FunctionOracle } from '../src/nas/benchmarks/synthetic.js';
import { runOne, type ExperimentConfig } from '../src/nas/experiment/runner.js';
import { sourceBreakdown } from '../src/nas/experiment/sources.js';
import { PAPER_PRESET } from '../src/nas/defaults.js';
import { makeAlgorithm } from '../src/nas/search/registry.js';
import { PredNas } from '../src/nas/search/prednas.js';
import { nb201Space, type Nb201Arch } from '../src/nas/spaces/nb201.js';

const space = nb201Space();
const w = (() => {
  const rng = new Rng(11);
  return Array.from({ length: 6 }, () => Array.from({ length: 5 }, () => rng.uniform(0, 1)));
})();
const score = (a: Nb201Arch) => a.reduce((s, op, e) => s + w[e]![op]!, 0);
const oracle = new FunctionOracle('synthetic-nb201', space, space.enumerate(), (a) => ({ val: score(a), test: score(a) }));
const fastPredictor = { epochs: 30, hidden: 16, layers: 2, ensemble: 2 };
const cfg = (algorithms: string[]): ExperimentConfig<Nb201Arch> => ({
  oracle, dataset: 'synthetic', algorithms, budget: 30, seeds: [0],
  algorithmOptions: { prednas: { predictor: fastPredictor, steps: 30 }, wen: { predictor: fastPredictor, pool: 200 } },
});

describe('where each query came from', () => {
  it('PredNAS records a source per query: 10 initial, then ascent paths, neighbours, swaps or top-ups', () => {
    const run = runOne(cfg(['prednas']), 'prednas', 0);
    const sources = run.trajectory.map((p) => p.source);
    expect(sources.slice(0, 10)).toEqual(Array(10).fill('initial'));
    for (const s of sources.slice(10)) expect(['ascent', 'neighbour', 'swap', 'repair', 'mutant', 'random']).toContain(s);
    expect(sources.slice(10)).toContain('ascent');
    const b = sourceBreakdown([run], 'prednas');
    expect(Object.values(b).reduce((n, x) => n + x.queries, 0)).toBe(30);
    expect(b['initial']!.queries).toBe(10);
    const initVals = run.trajectory.slice(0, 10).map((p) => p.val);
    expect(b['initial']!.meanVal).toBeCloseTo(initVals.reduce((x, y) => x + y, 0) / 10, 12);
  });

  it('the ascent-off variant never proposes from an ascent path, the Wen control proposes from its pool, REA records nothing', () => {
    const off = runOne(cfg(['prednas-noascent']), 'prednas-noascent', 0);
    expect(off.trajectory.some((p) => p.source === 'ascent')).toBe(false);
    expect(off.trajectory.slice(10).some((p) => p.source === 'neighbour' || p.source === 'swap')).toBe(true);
    const wen = runOne(cfg(['wen']), 'wen', 0);
    expect(wen.trajectory.some((p) => p.source === 'pool')).toBe(true);
    expect(wen.trajectory.some((p) => p.source === 'ascent')).toBe(false);
    const rea = runOne(cfg(['rea']), 'rea', 0);
    expect(rea.trajectory.every((p) => p.source === undefined)).toBe(true);
    // Same seed, same initial design: the variants differ only after the first 10 queries.
    const on = runOne(cfg(['prednas']), 'prednas', 0);
    expect(off.trajectory.slice(0, 10).map((p) => p.arch)).toEqual(on.trajectory.slice(0, 10).map((p) => p.arch));
  });

  it('without neighbours or swaps, no query is attributed to them', () => {
    const c = cfg(['prednas']);
    const run = runOne({ ...c, algorithmOptions: { prednas: { predictor: fastPredictor, steps: 30, neighbourCandidates: 0, neighbourSwaps: false } } }, 'prednas', 1);
    expect(run.trajectory.some((p) => ['neighbour', 'swap', 'repair'].includes(p.source ?? ''))).toBe(false);
  });
});

describe('PredNAS variants and options', () => {
  it('prednas-paper runs the plain loop of METHOD.md; explicit options still apply on top', () => {
    const paper = makeAlgorithm('prednas-paper', { space, seed: 0 }, {}) as PredNas<Nb201Arch>;
    expect(paper.perRound).toBe(PAPER_PRESET.perRound);
    expect(paper.neighbourCandidates).toBe(0);
    expect(paper.neighbourSwaps).toBe(false);
    expect(paper.ucbKappa).toBe(0);
    expect(paper.predictor.opts.ensemble).toBe(3);
    expect(paper.predictor.opts.loss).toBe('mse');
    const tuned = makeAlgorithm('prednas-paper', { space, seed: 0 }, { prednas: { perRound: 4, predictor: { epochs: 7 } } }) as PredNas<Nb201Arch>;
    expect(tuned.perRound).toBe(4);
    expect(tuned.predictor.opts.epochs).toBe(7);
    expect(tuned.predictor.opts.ensemble).toBe(3);
    expect((makeAlgorithm('prednas-noascent', { space, seed: 0 }, { prednas: { steps: 50 } }) as PredNas<Nb201Arch>).cfg.steps).toBe(0);
  });

  it('validates every ascent option with a one-line error naming it', () => {
    const make = (o: object) => () => new PredNas({ space, seed: 0 }, o);
    expect(make({ steps: -1 })).toThrow(/^prednas: steps must be an integer >= 0 \(0: no ascent\), got -1$/);
    expect(make({ steps: 2.5 })).toThrow(/steps must be an integer/);
    expect(make({ lr: 0 })).toThrow(/^prednas: lr must be a positive number, got 0$/);
    expect(make({ logitScale: Number.NaN })).toThrow(/logitScale must be a positive number, got NaN/);
    expect(make({ tau: -1 })).toThrow(/tau must be a positive number, got -1/);
    expect(make({ topStarts: 1.5 })).toThrow(/topStarts must be an integer >= 0, got 1.5/);
    expect(make({ lambda: -2 })).toThrow(/lambda must be a number >= 0, got -2/);
    expect(make({ topStarts: 0, randomStarts: 0 })).toThrow(/an ascent needs at least one start/);
    expect(make({ topStarts: 0, randomStarts: 0, steps: 0 })).not.toThrow();
    expect(make({ perRound: 0 })).toThrow(/perRound must be an integer >= 1, got 0/);
    expect(make({ predictor: { epochs: 0 } })).toThrow(/epochs must be an integer >= 1, got 0/);
  });
});
