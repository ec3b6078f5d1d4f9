import { BaseSearch, type SearchCheckpoint } from './algorithm.js';

/** Random search: uniform samples of unseen feasible architectures. */
export class RandomSearch<A> extends BaseSearch<A> {
  readonly name = 'random';

  /** Proposals depend only on the RNG and the taken set, so those are the whole state. */
  override checkpoint(): SearchCheckpoint {
    return { rng: this.rng.getState() };
  }

  protected proposeOne(): A | null {
    return this.sampleFresh();
  }
}
