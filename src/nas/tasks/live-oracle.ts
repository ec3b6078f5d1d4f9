/**
 * An oracle that answers a query by actually training the architecture (a "live" task), behind
 * the same interface as the benchmark tables so every search, experiment and report works on it.
 *
 * Differences from a table, each deliberate:
 * - Results are cached by the space's hash: asking again (another seed, another algorithm, a
 *   report's peek) returns the recorded result instead of training again. Evaluation is a pure
 *   function of (architecture, task seed), so a cache hit is exactly what retraining would give.
 * - There is no table, so `archs()` lists the architectures trained (or recorded) so far and
 *   `optimum()` is the best among them: "the best found by anyone in this experiment", which is
 *   how results on a live task are labelled, never as a true optimum.
 * - `record` accepts results computed elsewhere (another worker thread, a saved run) so that the
 *   process summarising an experiment knows every architecture that was trained.
 * - An optional persistent store (`useStore`; the Node edge's file cache, src/io/eval-cache.ts)
 *   is asked before training and told every new result, so results outlive the process. Every
 *   query says whether it trained (`trained`), so runs can report hits and misses honestly.
 */
import type { Optimum, Oracle, Protocol, QueryOptions, QueryResult } from '../oracle.js';
import type { SearchSpace } from '../space.js';

export interface LiveEvaluation {
  /** Validation metric the search sees (percent accuracy). */
  readonly val: number;
  /** Held-out test metric (percent accuracy). */
  readonly test: number;
  /** Wall-clock seconds the evaluation took. */
  readonly trainTime?: number;
}

/**
 * A persistent store of evaluations, keyed by the space's hash of the architecture (the store
 * adds whatever else determines a result: task, settings, data, engine). Core code only sees
 * this interface; implementations live at the edge (files in Node).
 */
export interface EvalStore<A> {
  get(hash: string): LiveEvaluation | undefined;
  put(hash: string, arch: A, r: LiveEvaluation): void;
}

export class LiveOracle<A> implements Oracle<A> {
  readonly datasets: readonly string[];
  readonly semantics = 'single' as const;
  readonly isPool = false;
  /** True: results come from training, not from a table (reports label the optimum accordingly). */
  readonly live = true;
  private count = 0;
  private readonly results = new Map<string, { arch: A; r: LiveEvaluation }>();
  private store: EvalStore<A> | null = null;
  private trainings = 0;

  constructor(
    readonly benchmark: string,
    readonly space: SearchSpace<A>,
    dataset: string,
    private readonly evaluate: (arch: A) => LiveEvaluation,
  ) {
    this.datasets = [dataset];
  }

  get queryCount(): number {
    return this.count;
  }

  /** Architectures known so far: trained here, read from the store, or recorded. */
  get trainedCount(): number {
    return this.results.size;
  }

  /** Evaluations actually run (trainings) in this process. */
  get trainingCount(): number {
    return this.trainings;
  }

  /** Ask `store` before training and tell it every new result (null: no store). */
  useStore(store: EvalStore<A> | null): void {
    this.store = store;
  }

  dataset(name: string): string {
    if (!this.datasets.includes(name)) throw new Error(`${this.benchmark}: unknown dataset '${name}'; valid: ${this.datasets.join(', ')}`);
    return name;
  }

  /** Every valid architecture can be trained. */
  has(arch: A): boolean {
    return this.space.isValid(arch);
  }

  /** Result without counting a query; trains the architecture if it has not been trained yet. */
  peek(arch: A, opts: QueryOptions): QueryResult {
    this.dataset(opts.dataset);
    if (!this.space.isValid(arch)) throw new Error(`${this.benchmark}: ${this.space.toString(arch)} is not a valid architecture of ${this.space.name}`);
    const h = this.space.hash(arch);
    let hit = this.results.get(h);
    let trained = false;
    if (hit === undefined) {
      const stored = this.store?.get(h);
      if (stored !== undefined) {
        hit = { arch, r: stored };
      } else {
        const r = this.evaluate(arch);
        if (!Number.isFinite(r.val) || !Number.isFinite(r.test)) throw new Error(`${this.benchmark}: evaluation of ${this.space.toString(arch)} gave non-finite metrics (val ${r.val}, test ${r.test})`);
        hit = { arch, r };
        trained = true;
        this.trainings++;
        this.store?.put(h, arch, r);
      }
      this.results.set(h, hit);
    }
    // trainTime stays the time the training took when it ran, also when this query reused it:
    // it is what the query costs without a cache, so reports of time per query stay honest.
    const out: QueryResult = { val: hit.r.val, test: hit.r.test, cost: this.space.cost?.(arch) ?? {}, trained };
    return hit.r.trainTime === undefined ? out : { ...out, trainTime: hit.r.trainTime };
  }

  query(arch: A, opts: QueryOptions): QueryResult {
    const r = this.peek(arch, opts);
    this.count++;
    return r;
  }

  /** Remember a result computed elsewhere (e.g. a worker thread's trajectory point). */
  record(arch: A, r: LiveEvaluation): void {
    const h = this.space.hash(arch);
    if (!this.results.has(h)) this.results.set(h, { arch, r });
  }

  archs(): readonly A[] {
    return [...this.results.values()].map((x) => x.arch);
  }

  /** Best among the architectures trained or recorded so far (protocol A: by val; B: by test). */
  optimum(dataset: string, protocol: Protocol, feasible?: (arch: A) => boolean): Optimum<A> {
    this.dataset(dataset);
    let best: { key: number; value: number; arch: A } | null = null;
    for (const { arch, r } of this.results.values()) {
      if (feasible && !feasible(arch)) continue;
      const key = protocol === 'A' ? r.val : r.test;
      if (best === null || key > best.key) best = { key, value: r.test, arch };
    }
    if (best === null) throw new Error(`${this.benchmark}: no architecture has been trained yet, so there is no best-found value (a live task has no table optimum)`);
    return { value: best.value, arch: best.arch };
  }
}
