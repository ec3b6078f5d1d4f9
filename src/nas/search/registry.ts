/** Algorithms by name, so drivers (experiments, CLI) can build them from plain options. */
import type { SearchAlgorithm, SearchContext } from './algorithm.js';
import { LocalSearch, type LocalSearchOptions } from './local-search.js';
import { PredNas, type PredNasOptions } from './prednas.js';
import { RandomSearch } from './random-search.js';
import { RegularizedEvolution, type ReaOptions } from './rea.js';
import { WenSearch, type WenOptions } from './wen.js';
import { PAPER_PRESET } from '../defaults.js';

export const ALGORITHMS = ['prednas', 'random', 'rea', 'ls', 'wen', 'prednas-noascent', 'prednas-paper'] as const;
export type AlgorithmName = (typeof ALGORITHMS)[number];
/** What `compare` runs when no --algos are given: ours, the ascent's control and the baselines. */
export const DEFAULT_ALGORITHMS: readonly AlgorithmName[] = ['prednas', 'wen', 'rea', 'ls', 'random'];

/** The algorithms that climb a predictor (and so take the PredNAS options and the cost penalty). */
export function isPredNasVariant(name: string): boolean {
  return name === 'prednas' || name === 'prednas-noascent' || name === 'prednas-paper';
}

export interface AlgorithmOptions {
  readonly prednas?: PredNasOptions;
  readonly rea?: ReaOptions;
  readonly ls?: LocalSearchOptions;
  readonly wen?: WenOptions;
}

export function isAlgorithmName(s: string): s is AlgorithmName {
  return (ALGORITHMS as readonly string[]).includes(s);
}

export function makeAlgorithm<A>(name: string, ctx: SearchContext<A>, opts: AlgorithmOptions = {}): SearchAlgorithm<A> {
  switch (name) {
    case 'prednas': return new PredNas(ctx, opts.prednas);
    // Everything as PredNAS (neighbours, swaps, ranking, K) but no ascent paths: what the ascent adds.
    case 'prednas-noascent': return new PredNas(ctx, { ...opts.prednas, steps: 0 });
    // The plain loop of METHOD.md; options given explicitly still apply on top of the preset.
    case 'prednas-paper': return new PredNas(ctx, { ...PAPER_PRESET, ...opts.prednas, predictor: { ...PAPER_PRESET.predictor, ...opts.prednas?.predictor } });
    case 'random': return new RandomSearch(ctx);
    case 'rea': return new RegularizedEvolution(ctx, opts.rea);
    case 'ls': return new LocalSearch(ctx, opts.ls);
    case 'wen': return new WenSearch(ctx, opts.wen);
    default: throw new Error(`unknown algorithm '${name}'; valid: ${ALGORITHMS.join(', ')}`);
  }
}
