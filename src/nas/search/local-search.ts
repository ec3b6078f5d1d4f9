/**
 * Local search (White et al. 2021, "Local search is state of the art for NAS benchmarks"):
 * start from the best of a few random architectures, evaluate its unseen neighbours in random
 * order, move as soon as one is better; at a local optimum (no unseen neighbour left), restart
 * from a fresh random architecture.
 */
import { BaseSearch, type Observation, type SearchContext } from './algorithm.js';

export interface LocalSearchOptions {
  /** Random architectures evaluated before the first climb. */
  readonly initial?: number;
}

export class LocalSearch<A> extends BaseSearch<A> {
  readonly name = 'ls';
  readonly initial: number;
  private current: Observation<A> | null = null;
  private queue: A[] = [];

  constructor(ctx: SearchContext<A>, opts: LocalSearchOptions = {}) {
    super(ctx);
    this.initial = opts.initial ?? 10;
  }

  private refill(): void {
    this.queue = this.current === null ? [] : this.rng.shuffle(this.space.neighbours(this.current.arch));
  }

  protected proposeOne(): A | null {
    if (this.history.length + this.pending.size < this.initial) return this.sampleFresh();
    if (this.current === null) {
      this.current = this.best();
      this.refill();
    }
    while (this.queue.length > 0) {
      const a = this.queue.pop()!;
      if (this.isFresh(a)) return a;
    }
    // Local optimum: restart from a random architecture (it becomes the climb's new centre when told).
    const a = this.sampleFresh();
    if (a !== null) this.restartHash = this.space.hash(a);
    return a;
  }

  private restartHash: string | null = null;

  protected override observe(obs: Observation<A>): void {
    if (obs.hash === this.restartHash) {
      this.restartHash = null;
      this.current = obs;
      this.refill();
      return;
    }
    if (this.current !== null && obs.val > this.current.val) {
      this.current = obs;
      this.refill();
    }
  }
}
