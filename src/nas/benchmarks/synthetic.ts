/**
 * Oracles over a function instead of a table: synthetic benchmarks with a known optimum for tests
 * and ablations, and the building block for "my own table of trained models" pools. Every
 * architecture of an enumerable space is scored once up front, so optimum() is exact.
 */
import type { Optimum, Oracle, Protocol, QueryOptions, QueryResult } from '../oracle.js';
import type { SearchSpace } from '../space.js';

export interface ScoredArch {
  readonly val: number;
  readonly test: number | null;
}

export class FunctionOracle<A> implements Oracle<A> {
  readonly datasets: readonly string[];
  readonly semantics = 'single' as const;
  readonly isPool: boolean;
  private count = 0;
  private readonly scores = new Map<string, ScoredArch>();
  private readonly list: A[] = [];

  /**
   * @param archs the architectures with results (all of an enumerable space, or a pool)
   * @param f their metrics (deterministic)
   */
  constructor(readonly benchmark: string, readonly space: SearchSpace<A>, archs: Iterable<A>, f: (arch: A) => ScoredArch, opts: { dataset?: string; pool?: boolean } = {}) {
    this.datasets = [opts.dataset ?? 'synthetic'];
    this.isPool = opts.pool ?? false;
    for (const a of archs) {
      const h = space.hash(a);
      if (this.scores.has(h)) continue;
      const s = f(a);
      if (!Number.isFinite(s.val) || (s.test !== null && !Number.isFinite(s.test))) throw new Error(`${benchmark}: non-finite metric for ${space.toString(a)}`);
      this.scores.set(h, s);
      this.list.push(a);
    }
    if (this.list.length === 0) throw new Error(`${benchmark}: no architectures`);
  }

  get queryCount(): number {
    return this.count;
  }

  dataset(name: string): string {
    if (!this.datasets.includes(name)) throw new Error(`${this.benchmark}: unknown dataset '${name}'; valid: ${this.datasets.join(', ')}`);
    return name;
  }

  has(arch: A): boolean {
    return this.scores.has(this.space.hash(arch));
  }

  peek(arch: A, opts: QueryOptions): QueryResult {
    this.dataset(opts.dataset);
    const s = this.scores.get(this.space.hash(arch));
    if (s === undefined) throw new Error(`${this.benchmark}: no result for ${this.space.toString(arch)}${this.isPool ? ' (not in the pool)' : ''}`);
    return { val: s.val, test: s.test, cost: this.space.cost?.(arch) ?? {} };
  }

  query(arch: A, opts: QueryOptions): QueryResult {
    const r = this.peek(arch, opts);
    this.count++;
    return r;
  }

  archs(): readonly A[] {
    return this.list;
  }

  optimum(dataset: string, protocol: Protocol, feasible?: (arch: A) => boolean): Optimum<A> {
    this.dataset(dataset);
    let best: { key: number; value: number; arch: A } | null = null;
    for (const a of this.list) {
      if (feasible && !feasible(a)) continue;
      const s = this.scores.get(this.space.hash(a))!;
      const test = s.test ?? s.val;
      const key = protocol === 'A' ? s.val : test;
      if (best === null || key > best.key) best = { key, value: test, arch: a };
    }
    if (best === null) throw new Error(`${this.benchmark}: no feasible architecture for the optimum`);
    return { value: best.value, arch: best.arch };
  }
}
