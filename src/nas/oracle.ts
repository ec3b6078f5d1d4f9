/**
 * Benchmark oracles: a table of trained architectures behind a query interface that counts
 * queries. Core code (no file access); loading a table from disk lives in src/io.
 */
import type { Rng } from '../autograd/random.js';
import type { ArchCost, SearchSpace } from './space.js';

/**
 * How a benchmark with repeated training runs answers one query: the mean of the repeats, or one
 * repeat drawn with the caller's seeded RNG (NAS-Bench-101's official API default). Tables with a
 * single value per architecture report 'single'. Every result is labelled with this.
 */
export type QuerySemantics = 'mean' | 'sample' | 'single';

/** Protocol A: test metric of the best-by-validation architecture; B: best test metric. */
export type Protocol = 'A' | 'B';

export interface QueryOptions {
  readonly dataset: string;
  /** Required when the oracle's semantics is 'sample'. */
  readonly rng?: Rng;
}

export interface QueryResult {
  /** Validation-like metric the search sees (percent for accuracies). */
  readonly val: number;
  /** Final metric reported under protocol A/B; null where the table has none (NB-101 subset). */
  readonly test: number | null;
  readonly cost: ArchCost;
  /** Training time in seconds, where the table has it (live tasks: when the network was trained). */
  readonly trainTime?: number;
  /**
   * Live tasks only: true when this query trained the network, false when it reused a result (an
   * earlier query in this process, or a persistent evaluation cache). Tables leave it out.
   */
  readonly trained?: boolean;
}

export interface Optimum<A> {
  readonly value: number;
  readonly arch: A;
}

export interface Oracle<A> {
  /** Benchmark id, e.g. 'nb201', 'nb101-pool'. */
  readonly benchmark: string;
  readonly space: SearchSpace<A>;
  /** Dataset names as the field writes them (e.g. 'cifar10', 'cifar100', 'ImageNet16-120'). */
  readonly datasets: readonly string[];
  readonly semantics: QuerySemantics;
  /** True when results exist only for a subset of the space: search must stay inside the pool. */
  readonly isPool: boolean;
  /** Number of query() calls so far. */
  readonly queryCount: number;
  /** Canonical dataset name for a user-supplied one (aliases such as 'imagenet16'); throws if unknown. */
  dataset(name: string): string;
  /** Whether the table holds results for this architecture. */
  has(arch: A): boolean;
  query(arch: A, opts: QueryOptions): QueryResult;
  /** Table lookup without counting a query (for reporting the metric of a chosen architecture). */
  peek(arch: A, opts: QueryOptions): QueryResult;
  /** Every architecture with results, in table order. */
  archs(): readonly A[];
  /**
   * The table's optimum, computed from the data: protocol A → test metric of the best-by-val
   * architecture (val where the table has no test); B → the best test metric. `feasible`
   * restricts the search to a constraint's feasible set.
   */
  optimum(dataset: string, protocol: Protocol, feasible?: (arch: A) => boolean): Optimum<A>;
  /** One named cost ('params', 'flops', 'latency:<device>') straight from the table, where cheap. */
  costOf?(arch: A, name: string, dataset: string): number;
  /**
   * Set when the table has no validation split and the search's signal is itself a test metric
   * (NAS-Bench-Macro: one of three test runs): the reported number is then not a clean protocol A,
   * and the results say so in these words.
   */
  readonly signalIsTest?: string;
}
