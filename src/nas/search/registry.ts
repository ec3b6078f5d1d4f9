/** Algorithms by name, so drivers (experiments, CLI) can build them from plain options. */
import type { SearchAlgorithm, SearchContext } from './algorithm.js';
import { LocalSearch, type LocalSearchOptions } from './local-search.js';
import { PredNas, type PredNasOptions } from './prednas.js';
import { RandomSearch } from './random-search.js';
import { RegularizedEvolution, type ReaOptions } from './rea.js';
import { WenSearch, type WenOptions } from './wen.js';

export const ALGORITHMS = ['prednas', 'random', 'rea', 'ls', 'wen'] as const;
export type AlgorithmName = (typeof ALGORITHMS)[number];

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
    case 'random': return new RandomSearch(ctx);
    case 'rea': return new RegularizedEvolution(ctx, opts.rea);
    case 'ls': return new LocalSearch(ctx, opts.ls);
    case 'wen': return new WenSearch(ctx, opts.wen);
    default: throw new Error(`unknown algorithm '${name}'; valid: ${ALGORITHMS.join(', ')}`);
  }
}
