/**
 * The control for PredNAS (Wen et al. 2020, "Neural Predictor for Neural Architecture Search"):
 * the same predictor ranks many random unseen candidates and the top K are evaluated. If PredNAS
 * does not beat this at equal budget, the gradient ascent adds nothing.
 */
import type { SearchContext } from './algorithm.js';
import { PredictorGuidedSearch, type PredictorGuidedOptions } from './predictor-guided.js';

export interface WenOptions extends PredictorGuidedOptions {
  /** Random candidates ranked per round. */
  readonly pool?: number;
}

export class WenSearch<A> extends PredictorGuidedSearch<A> {
  readonly name = 'wen';
  readonly poolSize: number;
  protected readonly ownSource = 'pool';

  constructor(ctx: SearchContext<A>, opts: WenOptions = {}) {
    super(ctx, opts);
    this.poolSize = opts.pool ?? 1000;
    if (!(Number.isInteger(this.poolSize) && this.poolSize >= 1)) throw new Error(`wen: pool must be an integer >= 1, got ${this.poolSize}`);
  }

  protected candidates(): A[] {
    return this.sampleFreshPool(this.poolSize);
  }
}
