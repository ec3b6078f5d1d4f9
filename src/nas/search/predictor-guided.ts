/**
 * Shared skeleton of the predictor-guided searches (PredNAS and the Wen et al. control): evaluate
 * N0 random architectures, then in rounds: fit the predictor on everything told so far, propose a
 * batch of K candidates, hand them out one by one, and start a new round when the batch is used.
 * The two algorithms differ only in how a round's candidates are generated, which is exactly the
 * comparison that isolates the gradient ascent's contribution.
 */
import { NeuralPredictor } from '../predictors/neural.js';
import type { PredictorOptions } from '../predictors/predictor.js';
import { BaseSearch, type SearchContext } from './algorithm.js';
import { PREDICTOR_GUIDED_DEFAULTS } from '../defaults.js';

export { PREDICTOR_GUIDED_DEFAULTS } from '../defaults.js';

/**
 * Where a round's candidate came from, recorded per proposal so that reports can say which source
 * the queries (and the good ones) came from: the algorithm's own candidates ('ascent' paths for
 * PredNAS, the random 'pool' for Wen), the best cells' 'neighbour's and 'swap's, the one-edit
 * 'repair's of over-budget swaps, a 'mutant' or 'random' top-up when too few were on offer, and the
 * 'initial' random design. A cell offered by several sources counts for the first of them, in that order.
 */
export type CandidateSource = 'initial' | 'ascent' | 'pool' | 'neighbour' | 'swap' | 'repair' | 'mutant' | 'random';

export interface PredictorGuidedOptions {
  /** Random architectures evaluated before the first predictor fit (N0). */
  readonly initial?: number;
  /** Candidates evaluated per round (K; default 5). */
  readonly perRound?: number;
  readonly predictor?: PredictorOptions;
  /**
   * Also offer every fresh one-edit neighbour of the n best evaluated architectures as candidates,
   * ranked with the algorithm's own by the predictor (0: off; default 1). Shared by PredNAS and the
   * Wen control so that comparing them still isolates how the rest of the candidates are generated.
   */
  readonly neighbourCandidates?: number;
  /**
   * How many edits away those neighbours may be (default 1). Radius 2 also offers the cells two
   * edits away — e.g. two edges swapping their ops, which keeps a cell's cost about the same.
   */
  readonly neighbourRadius?: number;
  /**
   * Also offer the best cells' swaps (two positions' choices exchanged, where the space defines
   * them; default true). A swap keeps the cell's ops, so under a cost budget it moves along the
   * budget's boundary, where single edits mostly break it or fall well inside.
   */
  readonly neighbourSwaps?: boolean;
  /**
   * Walk through swaps that break the hard constraint: offer their fresh feasible one-edit
   * neighbours instead (default true). Under a cost budget the best move can be a swap that lands
   * just over it plus one cheaper edit; neither step alone is a feasible improvement. Without a
   * constraint (or with one a swap cannot break, like FLOPs) every swap is feasible and this
   * changes nothing.
   */
  readonly swapRepair?: boolean;
  /**
   * Rank candidates by ensemble mean + κ·std instead of the mean (default −1; 0 ranks by the mean):
   * κ > 0 is an upper confidence bound (explore), κ < 0 a lower one: the top of a ranking of many
   * noisy predictions is crowded by overrated cells, and the members disagree most on those.
   * Applies to the round's final ranking, not to the ascent.
   */
  readonly ucbKappa?: number;
}

/** Time spent per phase, for the reports' time split. */
export interface PhaseTimes {
  fit: number;
  propose: number;
}

export abstract class PredictorGuidedSearch<A> extends BaseSearch<A> {
  readonly initial: number;
  readonly perRound: number;
  readonly neighbourCandidates: number;
  readonly neighbourRadius: number;
  readonly neighbourSwaps: boolean;
  readonly swapRepair: boolean;
  readonly ucbKappa: number;
  readonly predictor: NeuralPredictor<A>;
  readonly times: PhaseTimes = { fit: 0, propose: 0 };
  rounds = 0;
  private queue: A[] = [];
  /** Where each proposal came from, by hash (see CandidateSource). */
  private readonly sources = new Map<string, CandidateSource>();
  /** This round's offers by hash, first source first; the chosen ones move to `sources`. */
  private offers = new Map<string, CandidateSource>();

  constructor(ctx: SearchContext<A>, opts: PredictorGuidedOptions) {
    super(ctx);
    this.initial = opts.initial ?? PREDICTOR_GUIDED_DEFAULTS.initial;
    this.perRound = opts.perRound ?? PREDICTOR_GUIDED_DEFAULTS.perRound;
    this.neighbourCandidates = opts.neighbourCandidates ?? PREDICTOR_GUIDED_DEFAULTS.neighbourCandidates;
    this.neighbourRadius = opts.neighbourRadius ?? PREDICTOR_GUIDED_DEFAULTS.neighbourRadius;
    this.neighbourSwaps = opts.neighbourSwaps ?? PREDICTOR_GUIDED_DEFAULTS.neighbourSwaps;
    this.swapRepair = opts.swapRepair ?? PREDICTOR_GUIDED_DEFAULTS.swapRepair;
    this.ucbKappa = opts.ucbKappa ?? PREDICTOR_GUIDED_DEFAULTS.ucbKappa;
    if (!(Number.isInteger(this.neighbourRadius) && this.neighbourRadius >= 1)) throw new Error(`${this.constructor.name}: neighbourRadius must be an integer >= 1, got ${this.neighbourRadius}`);
    if (!Number.isFinite(this.ucbKappa)) throw new Error(`${this.constructor.name}: ucbKappa must be a finite number, got ${this.ucbKappa}`);
    if (!(Number.isInteger(this.initial) && this.initial >= 2)) throw new Error(`${this.constructor.name}: initial must be an integer >= 2 (a predictor needs data), got ${this.initial}`);
    if (!(Number.isInteger(this.perRound) && this.perRound >= 1)) throw new Error(`${this.constructor.name}: perRound must be an integer >= 1, got ${this.perRound}`);
    if (!(Number.isInteger(this.neighbourCandidates) && this.neighbourCandidates >= 0)) throw new Error(`${this.constructor.name}: neighbourCandidates must be an integer >= 0, got ${this.neighbourCandidates}`);
    this.predictor = new NeuralPredictor(ctx.space, { seed: ctx.seed, ...opts.predictor });
  }

  protected proposeOne(): A | null {
    if (this.history.length + this.pending.size < this.initial || this.history.length < 2) return this.record(this.sampleFresh(), 'initial');
    const queued = this.nextQueued();
    if (queued !== null) return queued;
    // A round's candidates are chosen knowing everything told so far; with proposals still
    // pending, the next round waits for them only implicitly (they are excluded as taken).
    this.newRound();
    return this.nextQueued() ?? this.record(this.sampleFresh(), 'random');
  }

  private nextQueued(): A | null {
    while (this.queue.length > 0) {
      const a = this.queue.shift()!;
      if (this.isFresh(a)) return a;
    }
    return null;
  }

  private record(a: A | null, source: CandidateSource): A | null {
    if (a !== null) this.sources.set(this.space.hash(a), source);
    return a;
  }

  /** Note this round's offer of `a` (the first source to offer a cell in a round is its source). */
  private tag(a: A, source: CandidateSource): void {
    const h = this.space.hash(a);
    if (!this.offers.has(h)) this.offers.set(h, source);
  }

  /** Where a proposal of this search came from (undefined for a cell it never proposed). */
  sourceOf(arch: A): CandidateSource | undefined {
    return this.sources.get(this.space.hash(arch));
  }

  private newRound(): void {
    this.rounds++;
    let t = performance.now();
    this.predictor.fit(this.history.map((o) => o.arch), this.history.map((o) => o.val));
    this.times.fit += performance.now() - t;
    t = performance.now();
    this.offers = new Map();
    const own = this.candidates();
    for (const a of own) this.tag(a, this.ownSource);
    const cands = this.withNeighbours(own);
    this.queue = this.topUp(cands, this.perRound);
    for (const a of this.queue) {
      const h = this.space.hash(a);
      this.sources.set(h, this.offers.get(h)!);
    }
    this.times.propose += performance.now() - t;
  }

  /**
   * The round's own candidates plus the fresh cells within `neighbourRadius` edits of the best
   * evaluated ones and (with `neighbourSwaps`) their fresh swaps, deduplicated. Taken or infeasible
   * cells are still walked through (a fresh cell two edits away may lie behind an evaluated one),
   * only not offered.
   */
  protected withNeighbours(cands: A[]): A[] {
    if (this.neighbourCandidates === 0) return cands;
    const offered = new Set(cands.map((a) => this.space.hash(a)));
    const visited = new Set<string>();
    const best = this.ranked().slice(0, this.neighbourCandidates).map((o) => o.arch);
    let frontier = best;
    for (const a of best) visited.add(this.space.hash(a));
    const offer = (a: A, source: CandidateSource): void => {
      const h = this.space.hash(a);
      if (!offered.has(h) && this.isFresh(a)) {
        offered.add(h);
        cands.push(a);
        this.tag(a, source);
      }
    };
    for (let r = 0; r < this.neighbourRadius && frontier.length > 0; r++) {
      const next: A[] = [];
      for (const p of frontier) {
        for (const a of this.space.neighbours(p)) {
          const h = this.space.hash(a);
          if (visited.has(h)) continue;
          visited.add(h);
          next.push(a);
          offer(a, 'neighbour');
        }
      }
      frontier = next;
    }
    if (this.neighbourSwaps && this.space.swaps) {
      for (const a of best) {
        for (const s of this.space.swaps(a)) {
          offer(s, 'swap');
          if (this.swapRepair && this.space.isValid(s) && !this.feasible(s)) this.space.neighbours(s).forEach((r) => offer(r, 'repair'));
        }
      }
    }
    return cands;
  }

  /** Fresh, feasible, distinct candidates for this round (any number; ranked afterwards). */
  protected abstract candidates(): A[];

  /** What `candidates()` are, for the provenance record. */
  protected abstract readonly ownSource: CandidateSource;

  /** The score a round ranks candidates by: the ensemble mean, plus κ·std when ucbKappa ≠ 0. */
  protected acquisition(cands: readonly A[]): Float64Array {
    const { mean, std } = this.predictor.predict(cands);
    return this.ucbKappa === 0 ? mean : mean.map((m, i) => m + this.ucbKappa * std[i]!);
  }

  /**
   * The K best candidates by predicted mean (or UCB); if there are fewer than K, top up with mutants of
   * the best evaluated architectures, then random ones.
   */
  private topUp(cands: A[], k: number): A[] {
    const pred = cands.length > 0 ? this.acquisition(cands) : new Float64Array(0);
    const order = cands.map((_, i) => i).sort((a, b) => pred[b]! - pred[a]! || a - b);
    const chosen: A[] = order.slice(0, k).map((i) => cands[i] as A);
    const hashes = new Set(chosen.map((a) => this.space.hash(a)));
    const ranked = this.ranked();
    for (let i = 0; chosen.length < k && i < 4 * k; i++) {
      const parent = ranked[i % Math.max(1, Math.min(ranked.length, 5))];
      const m: A | null = parent ? this.mutateFresh(parent.arch) : this.sampleFresh();
      if (m === null) continue;
      const h = this.space.hash(m);
      if (!hashes.has(h)) {
        hashes.add(h);
        chosen.push(m);
        this.tag(m, parent ? 'mutant' : 'random');
      }
    }
    return chosen;
  }
}
