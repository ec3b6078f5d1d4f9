/**
 * The NAS-Bench-101 oracle over a results table (core; parsing in nb101-table.ts, file reading in
 * src/io/load-nb101.ts).
 *
 * With the shared 20,001-cell subset this is a *pool* benchmark ('nb101-pool'): search is confined
 * to the cells with results (the oracle's space is a PoolSpace), `val` is the validation accuracy
 * of one training run after 108 epochs (or 4/12/36 with `fidelity`), `test` is null because the
 * table has none, and the semantics is 'single'. NAS-Bench-101 trained every cell three times per
 * budget; its two query conventions — the mean of the three runs, or one run drawn at random per
 * query (the official API's default) — need all three runs, and the shared table holds one
 * (its README: the values equal a single repeat, not the mean). The types stay general so a table
 * with repeats (the official tfrecord) gets 'mean'/'sample' through the same oracle.
 *
 * Optimum (computed from the data, never typed in): the metric that protocol reports — test, or
 * val where the table has no test — of the best-by-val cell (A) or the best cell (B), using the
 * mean over repeats under every semantics (the expected value a query returns).
 */
import type { Optimum, Oracle, Protocol, QueryOptions, QueryResult, QuerySemantics } from '../oracle.js';
import type { SearchSpace } from '../space.js';
import { nb101Space, type Nb101Space } from '../spaces/nb101.js';
import { isNb101Valid, nb101ToString, type Nb101Arch } from '../spaces/nb101-graph.js';
import { nb101Hash } from '../spaces/nb101-hash.js';
import { NB101_EPOCHS, type Nb101Epochs, type Nb101Results } from './nb101-table.js';
import { poolSpace, type PoolSpace } from './pool.js';

export { parseNb101Space, parseNb101Subset, NB101_EPOCHS, NB101_SUBSET_SIZE, type Nb101Epochs, type Nb101Results, type Nb101SpaceTable } from './nb101-table.js';

export const NB101_DATASETS = ['cifar10'] as const;

export interface Nb101OracleOptions {
  /** Epoch budget whose validation accuracy `val` reports (default 108). */
  readonly fidelity?: Nb101Epochs;
  /** Default: 'single' for one repeat, 'sample' (the official API's) for several. */
  readonly semantics?: QuerySemantics;
}

export class Nb101Oracle implements Oracle<Nb101Arch> {
  readonly benchmark: string;
  readonly datasets: readonly string[] = NB101_DATASETS;
  readonly semantics: QuerySemantics;
  readonly isPool: boolean;
  readonly fidelity: Nb101Epochs;
  readonly results: Nb101Results;
  readonly space: SearchSpace<Nb101Arch>;
  /** The unrestricted cell space (the pool space's base). */
  readonly fullSpace: Nb101Space = nb101Space();
  private count = 0;
  private readonly val: Float64Array;
  private readonly test: Float64Array | null;
  private readonly time: Float64Array | null;
  /** Pool members are queried again and again; hashing them once is enough. */
  private readonly hashOf = new WeakMap<Nb101Arch, string>();

  constructor(results: Nb101Results, opts: Nb101OracleOptions = {}) {
    this.results = results;
    this.fidelity = opts.fidelity ?? 108;
    if (!NB101_EPOCHS.includes(this.fidelity)) throw new Error(`nb101: unknown fidelity ${String(this.fidelity)}; valid epoch budgets: ${NB101_EPOCHS.join(', ')}`);
    const val = results.val.get(this.fidelity);
    if (val === undefined) throw new Error(`nb101: ${results.source} has no validation accuracy for ${this.fidelity} epochs`);
    this.val = val;
    this.test = results.test.get(this.fidelity) ?? null;
    this.time = results.trainTime.get(this.fidelity) ?? null;
    const r = results.repeats;
    if (!Number.isInteger(r) || r < 1 || val.length !== results.archs.length * r) {
      throw new Error(`nb101: ${results.source}: ${val.length} validation values for ${results.archs.length} cells × ${r} repeat(s)`);
    }
    this.semantics = opts.semantics ?? (r === 1 ? 'single' : 'sample');
    if (this.semantics === 'single' && r !== 1) throw new Error(`nb101: ${results.source} has ${r} runs per cell; choose semantics 'mean' or 'sample'`);
    if (this.semantics !== 'single' && r === 1) {
      throw new Error(
        `nb101: semantics '${this.semantics}' needs the three training runs per cell of the official data; ` +
          `${results.source} holds one run per cell, so only 'single' is available`,
      );
    }
    results.archs.forEach((a, i) => this.hashOf.set(a, results.hashes[i]!));
    this.isPool = !results.complete;
    this.benchmark = this.isPool ? 'nb101-pool' : 'nb101';
    this.space = this.isPool ? poolSpace(this.fullSpace, results.archs, { hashes: results.hashes }) : this.fullSpace;
  }

  get queryCount(): number {
    return this.count;
  }

  /** The same results (and semantics) at another epoch budget (no re-reading or re-parsing). */
  withFidelity(fidelity: Nb101Epochs): Nb101Oracle {
    return new Nb101Oracle(this.results, { fidelity, semantics: this.semantics });
  }

  /** The pool space (null when the table covers the whole space). */
  get pool(): PoolSpace<Nb101Arch> | null {
    return this.isPool ? (this.space as PoolSpace<Nb101Arch>) : null;
  }

  dataset(name: string): string {
    if (name.toLowerCase() !== 'cifar10') throw new Error(`nb101: unknown dataset '${name}'; NAS-Bench-101 has cifar10 only`);
    return 'cifar10';
  }

  has(arch: Nb101Arch): boolean {
    return isNb101Valid(arch) && this.results.rowOf.has(this.hash(arch));
  }

  query(arch: Nb101Arch, opts: QueryOptions): QueryResult {
    const r = this.answer(arch, opts, true);
    this.count++;
    return r;
  }

  peek(arch: Nb101Arch, opts: QueryOptions): QueryResult {
    return this.answer(arch, opts, false);
  }

  archs(): readonly Nb101Arch[] {
    return this.results.archs;
  }

  optimum(dataset: string, protocol: Protocol, feasible?: (arch: Nb101Arch) => boolean): Optimum<Nb101Arch> {
    this.dataset(dataset);
    if (protocol !== 'A' && protocol !== 'B') throw new Error(`nb101: unknown protocol '${String(protocol)}'; valid: A, B`);
    const reported = this.test ?? this.val;
    const key = protocol === 'A' ? this.val : reported;
    let best = -1, bestKey = -Infinity;
    for (let i = 0; i < this.results.archs.length; i++) {
      const k = this.meanAt(key, i);
      if (!(k > bestKey)) continue; // ties: the first in table order
      if (feasible !== undefined && !feasible(this.results.archs[i]!)) continue;
      best = i;
      bestKey = k;
    }
    if (best < 0) throw new Error(`nb101: no cell of ${this.results.source} satisfies the feasibility constraint`);
    return { value: this.meanAt(reported, best), arch: this.results.archs[best]! };
  }

  /** Row of a cell in the table; throws (naming the cell) when it has no results. */
  rowOf(arch: Nb101Arch): number {
    const h = this.hash(arch);
    const row = this.results.rowOf.get(h);
    if (row === undefined) {
      const where = this.isPool ? ` (outside the ${this.results.archs.length}-cell pool; search it through oracle.space)` : '';
      throw new Error(`nb101: ${nb101ToString(arch)} (hash ${h}) has no results in ${this.results.source}${where}`);
    }
    return row;
  }

  private hash(arch: Nb101Arch): string {
    let h = this.hashOf.get(arch);
    if (h === undefined) {
      h = nb101Hash(arch);
      this.hashOf.set(arch, h);
    }
    return h;
  }

  /** Under 'sample', a query draws one run with opts.rng; peek reports the mean (a report, not a query). */
  private answer(arch: Nb101Arch, opts: QueryOptions, counted: boolean): QueryResult {
    this.dataset(opts.dataset);
    const row = this.rowOf(arch);
    const reps = this.results.repeats;
    let pick: (col: Float64Array) => number;
    if (this.semantics === 'sample') {
      if (opts.rng === undefined) throw new Error(`nb101: semantics 'sample' draws one of ${reps} runs per query and needs opts.rng`);
      const k = counted ? opts.rng.int(reps) : 0;
      pick = (col) => (counted ? col[row * reps + k]! : this.meanAt(col, row));
    } else {
      pick = (col) => this.meanAt(col, row);
    }
    const r: QueryResult = { val: pick(this.val), test: this.test === null ? null : pick(this.test), cost: { params: this.results.params[row]! } };
    return this.time === null ? r : { ...r, trainTime: pick(this.time) };
  }

  private meanAt(col: Float64Array, row: number): number {
    const reps = this.results.repeats;
    let s = 0;
    for (let k = 0; k < reps; k++) s += col[row * reps + k]!;
    return s / reps;
  }
}

export function nb101Oracle(results: Nb101Results, opts: Nb101OracleOptions = {}): Nb101Oracle {
  return new Nb101Oracle(results, opts);
}
