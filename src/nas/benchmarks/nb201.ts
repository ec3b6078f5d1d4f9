/**
 * The NAS-Bench-201 oracle: the shared table behind the Oracle interface (core; the table is
 * parsed from text by nb201-table.ts and read from disk by src/io/load-nb201.ts).
 *
 * What a query returns (see the data README for sources):
 * - val: the 200-epoch `naslib_val_acc_<ds>` column (one seed, the signal NASLib's predictor
 *   studies use), or with fidelity '12ep' the 12-epoch `*_val_acc_12ep` column (mean over seeds;
 *   for cifar10 it is `cifar10_valid_val_acc_12ep`), a cheap low-fidelity signal;
 * - test: `<ds>_test_acc`, 200 epochs, mean over seeds — the reported metric;
 * - cost: the table's params/FLOPs (millions) for that dataset, plus every device latency (ms)
 *   when the latency table is loaded.
 * Each cell has one value per metric, so the semantics is 'single'.
 */
import type { ArchCost } from '../space.js';
import type { Optimum, Oracle, Protocol, QueryOptions, QueryResult } from '../oracle.js';
import { isNb201Arch, nb201Code, nb201Space, nb201ToString, type Nb201Arch, type Nb201Space } from '../spaces/nb201.js';
import { NB201_DATASETS, nb201Dataset, type Nb201Dataset } from '../spaces/nb201-cost.js';
import { NB201_TABLE_KEY, type Nb201Latency, type Nb201Table } from './nb201-table.js';

export { parseNb201Table, parseNb201Latency, type Nb201Table, type Nb201Latency } from './nb201-table.js';

export type Nb201Fidelity = '200ep' | '12ep';

export interface Nb201OracleOptions {
  /** Which validation column `val` reports (default '200ep'). */
  readonly fidelity?: Nb201Fidelity;
  /** Per-device latencies joined to the table. */
  readonly latency?: Nb201Latency;
  /** Device whose latency fills `cost.latency` (default: none; every device is in `cost.latencies`). */
  readonly latencyDevice?: string;
}

interface DatasetColumns {
  readonly valName: string;
  readonly testName: string;
  readonly val: Float64Array;
  readonly test: Float64Array;
  readonly params: Float64Array;
  readonly flops: Float64Array;
}

function need(table: Nb201Table, name: string): Float64Array {
  const c = table.columns.get(name);
  if (c === undefined) throw new Error(`nb201: table ${table.source} has no column '${name}'`);
  return c;
}

export class Nb201Oracle implements Oracle<Nb201Arch> {
  readonly benchmark = 'nb201';
  readonly datasets: readonly string[] = NB201_DATASETS;
  readonly semantics = 'single' as const;
  readonly isPool = false;
  readonly space: Nb201Space = nb201Space();
  readonly fidelity: Nb201Fidelity;
  readonly table: Nb201Table;
  readonly latencyDevices: readonly string[];
  private count = 0;
  private readonly cols: Readonly<Record<Nb201Dataset, DatasetColumns>>;
  private readonly latency: Nb201Latency | undefined;
  private readonly latencyDevice: string | undefined;

  constructor(table: Nb201Table, opts: Nb201OracleOptions = {}) {
    this.table = table;
    this.fidelity = opts.fidelity ?? '200ep';
    if (this.fidelity !== '200ep' && this.fidelity !== '12ep') {
      throw new Error(`nb201: unknown fidelity '${String(this.fidelity)}'; valid: 200ep, 12ep`);
    }
    const colsFor = (ds: Nb201Dataset): DatasetColumns => {
      const k = NB201_TABLE_KEY[ds];
      const valName = this.fidelity === '200ep' ? `naslib_val_acc_${k}` : k === 'cifar10' ? 'cifar10_valid_val_acc_12ep' : `${k}_val_acc_12ep`;
      const testName = `${k}_test_acc`;
      return {
        valName,
        testName,
        val: need(table, valName),
        test: need(table, testName),
        params: need(table, `params_${k}`),
        flops: need(table, `flops_${k}`),
      };
    };
    this.cols = { cifar10: colsFor('cifar10'), cifar100: colsFor('cifar100'), 'ImageNet16-120': colsFor('ImageNet16-120') };
    this.latency = opts.latency;
    this.latencyDevices = opts.latency?.devices ?? [];
    if (opts.latencyDevice !== undefined && !this.latencyDevices.includes(opts.latencyDevice)) {
      throw new Error(
        this.latency === undefined
          ? `nb201: latencyDevice '${opts.latencyDevice}' needs the latency table (nb201_latency_help.csv.gz) to be loaded`
          : `nb201: unknown latency device '${opts.latencyDevice}'; devices: ${this.latencyDevices.join(', ')}`,
      );
    }
    this.latencyDevice = opts.latencyDevice;
  }

  get queryCount(): number {
    return this.count;
  }

  /** The same table and latencies at another validation fidelity (no re-reading or re-parsing). */
  withFidelity(fidelity: Nb201Fidelity): Nb201Oracle {
    return new Nb201Oracle(this.table, {
      fidelity,
      ...(this.latency !== undefined ? { latency: this.latency } : {}),
      ...(this.latencyDevice !== undefined ? { latencyDevice: this.latencyDevice } : {}),
    });
  }

  dataset(name: string): string {
    return nb201Dataset(name);
  }

  /** Column names behind `val` and `test` for a dataset, for labelling results. */
  metricColumns(dataset: string): { readonly val: string; readonly test: string } {
    const c = this.cols[nb201Dataset(dataset)];
    return { val: c.valName, test: c.testName };
  }

  has(arch: Nb201Arch): boolean {
    return isNb201Arch(arch);
  }

  query(arch: Nb201Arch, opts: QueryOptions): QueryResult {
    const r = this.peek(arch, opts);
    this.count++;
    return r;
  }

  peek(arch: Nb201Arch, opts: QueryOptions): QueryResult {
    const c = this.cols[nb201Dataset(opts.dataset)];
    const row = this.row(arch);
    return { val: c.val[row]!, test: c.test[row]!, cost: this.costAt(row, c) };
  }

  /**
   * One named cost of an architecture: 'params' or 'flops' (millions, for the dataset's network)
   * or 'latency:<device>' (ms). Used to evaluate constraints such as `latency:pixel3<=10.68`.
   */
  costOf(arch: Nb201Arch, name: string, dataset: string): number {
    const c = this.cols[nb201Dataset(dataset)];
    const row = this.row(arch);
    if (name === 'params') return c.params[row]!;
    if (name === 'flops') return c.flops[row]!;
    if (name.startsWith('latency:')) return this.latencyColumn(name.slice('latency:'.length))[row]!;
    throw new Error(`nb201: unknown cost '${name}'; valid: ${this.costNames().join(', ')}`);
  }

  /** Every name costOf accepts. */
  costNames(): string[] {
    return ['params', 'flops', ...this.latencyDevices.map((d) => `latency:${d}`)];
  }

  /** The NAS-Bench-201 index of an architecture. */
  indexOf(arch: Nb201Arch): number {
    return this.table.index[this.row(arch)]!;
  }

  archs(): readonly Nb201Arch[] {
    return this.table.archs;
  }

  /**
   * Computed from the table. Protocol A: the test metric of the architecture with the highest
   * `val` (ties go to the first in table order, as a searcher cannot see test); B: the highest
   * test metric. `feasible` restricts both to a constraint's feasible set.
   */
  optimum(dataset: string, protocol: Protocol, feasible?: (arch: Nb201Arch) => boolean): Optimum<Nb201Arch> {
    const c = this.cols[nb201Dataset(dataset)];
    if (protocol !== 'A' && protocol !== 'B') throw new Error(`nb201: unknown protocol '${String(protocol)}'; valid: A, B`);
    const key = protocol === 'A' ? c.val : c.test;
    let best = -1;
    for (let i = 0; i < key.length; i++) {
      if (best >= 0 && !(key[i]! > key[best]!)) continue;
      if (feasible !== undefined && !feasible(this.table.archs[i]!)) continue;
      best = i;
    }
    if (best < 0) throw new Error(`nb201: no architecture satisfies the feasibility constraint on ${dataset}`);
    return { value: c.test[best]!, arch: this.table.archs[best]! };
  }

  private row(arch: Nb201Arch): number {
    if (!isNb201Arch(arch)) throw new Error(`nb201: not a NAS-Bench-201 architecture: ${JSON.stringify(arch)} (expected 6 op indices in 0..4)`);
    const r = this.table.rowOfCode[nb201Code(arch)]!;
    if (r < 0) throw new Error(`nb201: ${nb201ToString(arch)} is missing from ${this.table.source}`);
    return r;
  }

  private latencyColumn(device: string): Float64Array {
    const col = this.latency?.values.get(device);
    if (col === undefined) {
      throw new Error(
        this.latency === undefined
          ? `nb201: latency:${device} needs the latency table (nb201_latency_help.csv.gz), which is not loaded`
          : `nb201: unknown latency device '${device}'; devices: ${this.latencyDevices.join(', ')}`,
      );
    }
    return col;
  }

  private costAt(row: number, c: DatasetColumns): ArchCost {
    const params = c.params[row]!;
    const flops = c.flops[row]!;
    if (this.latency === undefined) return { params, flops };
    const latencies: Record<string, number> = {};
    for (const [d, v] of this.latency.values) latencies[d] = v[row]!;
    return this.latencyDevice === undefined ? { params, flops, latencies } : { params, flops, latency: latencies[this.latencyDevice]!, latencies };
  }
}

/** Build the oracle from a parsed table (and optionally the latency table). */
export function nb201Oracle(table: Nb201Table, opts: Nb201OracleOptions = {}): Nb201Oracle {
  return new Nb201Oracle(table, opts);
}
