import { BaseSearch } from './algorithm.js';

/** Random search: uniform samples of unseen feasible architectures. */
export class RandomSearch<A> extends BaseSearch<A> {
  readonly name = 'random';

  protected proposeOne(): A | null {
    return this.sampleFresh();
  }
}
