/**
 * The NAS-Bench-Macro oracle (core; the table is parsed by nbmacro-table.ts and read from disk by
 * src/io/load-nbmacro.ts).
 *
 * The benchmark has no validation split: its only accuracy is CIFAR-10 *test* top-1, best over 50
 * epochs, for three training runs. Query semantics 'sample':
 * - val (what the search sees): ONE of the three runs, drawn with the caller's seeded RNG, so a
 *   searcher faces run-to-run noise as it would when training a network once;
 * - test (what is reported): the mean of the three runs of that network.
 * Protocol A therefore reports the 3-run mean of the network with the best drawn run. Its optimum
 * is the best 3-run mean (the expected val is the mean, so no network is better-by-val in
 * expectation); protocol B's is the same number. `peek` without an RNG reports the mean as val
 * (a lookup, not a training run), which is also what predictor-eval ranks.
 *
 * Equivalent encodings share one record (the table copies it), and `archs()` lists each of the
 * 3,969 networks once, by its canonical encoding.
 */
import type { ArchCost } from '../space.js';
import type { Optimum, Oracle, Protocol, QueryOptions, QueryResult } from '../oracle.js';
import { isNbMacroArch, nbmacroCode, nbmacroSpace, type NbMacroArch, type NbMacroSpace } from '../spaces/nbmacro.js';
import type { NbMacroTable } from './nbmacro-table.js';

export { parseNbMacroTable, type NbMacroTable } from './nbmacro-table.js';

export const NBMACRO_DATASET = 'cifar10';

export class NbMacroOracle implements Oracle<NbMacroArch> {
  readonly benchmark = 'nbmacro';
  readonly datasets: readonly string[] = [NBMACRO_DATASET];
  readonly semantics = 'sample' as const;
  readonly signalIsTest = 'the table has no validation split, so the search is steered by one of the three training runs\' test accuracy (drawn per query) and the table reports the three-run mean test accuracy of the network that signal picked: close to, but not, protocol A';
  readonly isPool = false;
  readonly space: NbMacroSpace = nbmacroSpace();
  readonly table: NbMacroTable;
  private count = 0;

  constructor(table: NbMacroTable) {
    this.table = table;
  }

  get queryCount(): number {
    return this.count;
  }

  dataset(name: string): string {
    if (name.trim().toLowerCase() !== NBMACRO_DATASET) throw new Error(`nbmacro: unknown dataset '${name}'; NAS-Bench-Macro has one: ${NBMACRO_DATASET}`);
    return NBMACRO_DATASET;
  }

  /** What `val` and `test` are, for labelling results. */
  metricColumns(): { readonly val: string; readonly test: string } {
    return { val: 'one of test_acc_run1..3, drawn per query', test: 'test_acc_mean (mean of the 3 runs)' };
  }

  has(arch: NbMacroArch): boolean {
    return isNbMacroArch(arch);
  }

  /** One training run drawn with `opts.rng` as val, the 3-run mean as test. */
  query(arch: NbMacroArch, opts: QueryOptions): QueryResult {
    if (opts.rng === undefined) throw new Error("nbmacro query: semantics 'sample' draws one of the three runs and needs opts.rng (a seeded Rng)");
    const r = this.peek(arch, opts);
    this.count++;
    return r;
  }

  /** Like query without counting; without an RNG, val is the 3-run mean. */
  peek(arch: NbMacroArch, opts: QueryOptions): QueryResult {
    this.dataset(opts.dataset);
    const row = this.row(arch);
    const val = opts.rng === undefined ? this.table.mean[row]! : this.table.runs[opts.rng.int(3) as 0 | 1 | 2][row]!;
    return { val, test: this.table.mean[row]!, cost: this.costAt(row) };
  }

  costOf(arch: NbMacroArch, name: string, dataset: string): number {
    this.dataset(dataset);
    const row = this.row(arch);
    if (name === 'params') return this.table.params[row]!;
    if (name === 'flops') return this.table.flops[row]!;
    throw new Error(`nbmacro: unknown cost '${name}'; valid: params, flops (raw counts; flops are MACs)`);
  }

  /** The 3,969 distinct networks (canonical encodings), in table order. */
  archs(): readonly NbMacroArch[] {
    return this.table.canonical;
  }

  /** The best 3-run mean among (feasible) networks, for both protocols (see the module comment). */
  optimum(dataset: string, protocol: Protocol, feasible?: (arch: NbMacroArch) => boolean): Optimum<NbMacroArch> {
    this.dataset(dataset);
    if (protocol !== 'A' && protocol !== 'B') throw new Error(`nbmacro: unknown protocol '${String(protocol)}'; valid: A, B`);
    let best: NbMacroArch | null = null, bestValue = -Infinity;
    for (const a of this.table.canonical) {
      const v = this.table.mean[nbmacroCode(a)]!;
      if (!(v > bestValue)) continue;
      if (feasible !== undefined && !feasible(a)) continue;
      best = a;
      bestValue = v;
    }
    if (best === null) throw new Error('nbmacro: no network satisfies the feasibility constraint');
    return { value: bestValue, arch: best };
  }

  private row(arch: NbMacroArch): number {
    if (!isNbMacroArch(arch)) throw new Error(`nbmacro: not a NAS-Bench-Macro architecture: ${JSON.stringify(arch)} (expected 8 layer codes in 0..2)`);
    return nbmacroCode(arch);
  }

  private costAt(row: number): ArchCost {
    return { params: this.table.params[row]!, flops: this.table.flops[row]! };
  }
}

export function nbmacroOracle(table: NbMacroTable): NbMacroOracle {
  return new NbMacroOracle(table);
}
