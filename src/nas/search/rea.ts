/**
 * Regularized evolution (Real et al. 2019): a population of the most recent P evaluated
 * architectures; each child is a mutant of the best of a random tournament of S members, and the
 * oldest member dies when a new one arrives.
 */
import { BaseSearch, type Observation, type SearchContext } from './algorithm.js';

export interface ReaOptions {
  readonly population?: number;
  readonly tournament?: number;
}

export class RegularizedEvolution<A> extends BaseSearch<A> {
  readonly name = 'rea';
  readonly populationSize: number;
  readonly tournamentSize: number;
  private readonly population: Observation<A>[] = [];

  constructor(ctx: SearchContext<A>, opts: ReaOptions = {}) {
    super(ctx);
    this.populationSize = opts.population ?? 30;
    this.tournamentSize = opts.tournament ?? 10;
    if (!(this.tournamentSize >= 1 && this.tournamentSize <= this.populationSize)) {
      throw new Error(`rea: need 1 <= tournament (${this.tournamentSize}) <= population (${this.populationSize})`);
    }
  }

  protected proposeOne(): A | null {
    // Fill the initial population with random architectures first (counting pending ones).
    if (this.history.length + this.pending.size < this.populationSize || this.population.length === 0) return this.sampleFresh();
    let parent: Observation<A> | null = null;
    for (let i = 0; i < this.tournamentSize; i++) {
      const c = this.population[this.rng.int(this.population.length)]!;
      if (parent === null || c.val > parent.val) parent = c;
    }
    return this.mutateFresh(parent!.arch) ?? this.sampleFresh();
  }

  protected override observe(obs: Observation<A>): void {
    this.population.push(obs);
    if (this.population.length > this.populationSize) this.population.shift();
  }
}
