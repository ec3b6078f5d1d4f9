/**
 * TransNAS-Bench-101 macro oracles, one per task (core; the table is parsed by tnb101-table.ts and
 * read from disk by src/io/load-tnb101.ts). Each network has one value per task — the final-epoch
 * validation metric — and no test split, so the semantics is 'single', `test` is null and both
 * protocols report the validation metric.
 *
 * Direction: searches and the runner maximise `val`. Each task declares its direction
 * (TNB101_TASKS); `val` is the stored metric for 'max' tasks and its negation for 'min' tasks.
 * All seven stored metrics are higher-is-better (room layout is stored as −L2 loss), so no value
 * is negated in practice; results report the stored metric as is.
 */
import type { Optimum, Oracle, Protocol, QueryOptions, QueryResult } from '../oracle.js';
import { tnb101Code, tnb101MacroSpace, tnb101ToString, isTnb101MacroArch, type Tnb101MacroArch, type Tnb101MacroSpace } from '../spaces/tnb101-macro.js';
import { TNB101_TASKS, tnb101Task, type Tnb101Table, type Tnb101Task } from './tnb101-table.js';

export { parseTnb101Table, tnb101Task, TNB101_TASKS, TNB101_TASK_NAMES, type Tnb101Table, type Tnb101Task } from './tnb101-table.js';

export class Tnb101MacroOracle implements Oracle<Tnb101MacroArch> {
  readonly benchmark = 'tnb101-macro';
  readonly task: Tnb101Task;
  readonly datasets: readonly string[];
  readonly semantics = 'single' as const;
  readonly isPool = false;
  readonly space: Tnb101MacroSpace = tnb101MacroSpace();
  readonly table: Tnb101Table;
  /** +1 for a 'max' task, −1 for a 'min' one: val = sign · stored metric. */
  readonly sign: 1 | -1;
  private readonly values: Float64Array;
  private count = 0;

  constructor(table: Tnb101Table, task: string) {
    this.table = table;
    this.task = tnb101Task(task);
    this.datasets = [this.task];
    const spec = TNB101_TASKS[this.task] as { readonly direction: 'max' | 'min' };
    this.sign = spec.direction === 'max' ? 1 : -1;
    this.values = table.metrics[this.task];
  }

  get queryCount(): number {
    return this.count;
  }

  /** This oracle's task, for its own name or alias; another task is an error (one oracle per task). */
  dataset(name: string): string {
    const t = tnb101Task(name);
    if (t !== this.task) throw new Error(`tnb101-macro: this oracle answers task '${this.task}', not '${t}' (build one oracle per task)`);
    return t;
  }

  /** What `val` is, for labelling results. */
  metricNote(): string {
    const s = TNB101_TASKS[this.task];
    return `${s.metric}; column ${s.column}; final epoch; direction ${s.direction}`;
  }

  has(arch: Tnb101MacroArch): boolean {
    return isTnb101MacroArch(arch) && this.table.rowOf.has(tnb101Code(arch));
  }

  query(arch: Tnb101MacroArch, opts: QueryOptions): QueryResult {
    const r = this.peek(arch, opts);
    this.count++;
    return r;
  }

  peek(arch: Tnb101MacroArch, opts: QueryOptions): QueryResult {
    this.dataset(opts.dataset);
    const row = this.row(arch);
    return { val: this.sign * this.values[row]!, test: null, cost: { params: this.table.params[row]!, flops: this.table.flops[row]! } };
  }

  costOf(arch: Tnb101MacroArch, name: string, dataset: string): number {
    this.dataset(dataset);
    const row = this.row(arch);
    if (name === 'params') return this.table.params[row]!;
    if (name === 'flops') return this.table.flops[row]!;
    throw new Error(`tnb101-macro: unknown cost '${name}'; valid: params, flops (encoder, raw counts; flops are MACs at 224×224)`);
  }

  archs(): readonly Tnb101MacroArch[] {
    return this.table.archs;
  }

  /** The best val among (feasible) networks; with no test split both protocols agree. */
  optimum(dataset: string, protocol: Protocol, feasible?: (arch: Tnb101MacroArch) => boolean): Optimum<Tnb101MacroArch> {
    this.dataset(dataset);
    if (protocol !== 'A' && protocol !== 'B') throw new Error(`tnb101-macro: unknown protocol '${String(protocol)}'; valid: A, B`);
    let best = -1;
    for (let i = 0; i < this.values.length; i++) {
      if (best >= 0 && !(this.sign * this.values[i]! > this.sign * this.values[best]!)) continue;
      if (feasible !== undefined && !feasible(this.table.archs[i]!)) continue;
      best = i;
    }
    if (best < 0) throw new Error(`tnb101-macro: no network satisfies the feasibility constraint on ${this.task}`);
    return { value: this.sign * this.values[best]!, arch: this.table.archs[best]! };
  }

  private row(arch: Tnb101MacroArch): number {
    if (!isTnb101MacroArch(arch)) throw new Error(`tnb101-macro: not a network of the space: ${JSON.stringify(arch)}`);
    const r = this.table.rowOf.get(tnb101Code(arch));
    if (r === undefined) throw new Error(`tnb101-macro: ${tnb101ToString(arch)} is missing from ${this.table.source}`);
    return r;
  }
}

/** The oracle of one task over a parsed table (build one per task; they can share the table). */
export function tnb101MacroOracle(table: Tnb101Table, task: string): Tnb101MacroOracle {
  return new Tnb101MacroOracle(table, task);
}
