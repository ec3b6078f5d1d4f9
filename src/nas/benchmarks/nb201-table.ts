/**
 * Strict parsing of the shared NAS-Bench-201 tables (core: text in, typed columns out; see the
 * data folder's README for columns, units and sources). Everything the rest of prednas assumes
 * about the table is verified here, once: 15,625 rows, a permutation of the benchmark indices,
 * every op assignment exactly once, arch_str agreeing with op0..op5, finite numbers in range.
 */
import { nb201Code, nb201Parse, nb201ToString, NB201_SIZE, type Nb201Arch } from '../spaces/nb201.js';
import { numberAt, parseCsv, type CsvTable } from './csv.js';

/** Column-name key of each canonical dataset in the table (`params_<key>`, `<key>_test_acc`, ...). */
export const NB201_TABLE_KEY = { cifar10: 'cifar10', cifar100: 'cifar100', 'ImageNet16-120': 'imagenet16' } as const;

const KEYS = Object.values(NB201_TABLE_KEY);
const ACCURACY_COLUMNS = [
  ...KEYS.map((k) => `${k}_test_acc`),
  ...KEYS.map((k) => `naslib_val_acc_${k}`),
  'cifar10_valid_val_acc_12ep',
  'cifar10_test_acc_12ep',
  'cifar100_val_acc_12ep',
  'cifar100_test_acc_12ep',
  'imagenet16_val_acc_12ep',
  'imagenet16_test_acc_12ep',
];
const COST_COLUMNS = KEYS.flatMap((k) => [`params_${k}`, `flops_${k}`]);
const OP_COLUMNS = ['op0', 'op1', 'op2', 'op3', 'op4', 'op5'];

export interface Nb201Table {
  readonly source: string;
  /** NAS-Bench-201 / NATS-Bench architecture index of each row. */
  readonly index: Int32Array;
  /** Architecture of each row, in table order. */
  readonly archs: readonly Nb201Arch[];
  readonly archStr: readonly string[];
  /** NATS-Bench isomorphism-class key of each row. */
  readonly uniqueStr: readonly string[];
  /** Row of each architecture, by nb201Code(arch). */
  readonly rowOfCode: Int32Array;
  /** Row of each benchmark index. */
  readonly rowOfIndex: Int32Array;
  /** Numeric columns (accuracies in percent, params/FLOPs in millions), row-aligned. */
  readonly columns: ReadonlyMap<string, Float64Array>;
}

/** Per-device latency (ms) from nb201_latency_help.csv, aligned with a table's rows. */
export interface Nb201Latency {
  readonly source: string;
  /** Device names without the `lat_` prefix, e.g. 'pixel3', 'titanx_256'. */
  readonly devices: readonly string[];
  readonly values: ReadonlyMap<string, Float64Array>;
}

function intAt(t: CsvTable, i: number, col: number, lo: number, hi: number): number {
  const v = numberAt(t, i, col);
  if (!Number.isInteger(v) || v < lo || v > hi) {
    throw new Error(`${t.source}: line ${t.lineOf(i)}, column '${t.header[col]}': expected an integer in [${lo}, ${hi}], got '${t.rows[i]![col]}'`);
  }
  return v;
}

function checkRowCount(t: CsvTable): void {
  if (t.rows.length !== NB201_SIZE) {
    throw new Error(
      `${t.source}: has ${t.rows.length} data rows, expected ${NB201_SIZE} (one per NAS-Bench-201 cell); ` +
        `the file is truncated or not the NAS-Bench-201 table`,
    );
  }
}

/** Read the indices column: a permutation of 0..15624, returned with its inverse. */
function readIndices(t: CsvTable): { index: Int32Array; rowOfIndex: Int32Array } {
  const col = t.col('index');
  const index = new Int32Array(NB201_SIZE);
  const rowOfIndex = new Int32Array(NB201_SIZE).fill(-1);
  for (let i = 0; i < NB201_SIZE; i++) {
    const ix = intAt(t, i, col, 0, NB201_SIZE - 1);
    const prev = rowOfIndex[ix]!;
    if (prev >= 0) throw new Error(`${t.source}: line ${t.lineOf(i)}: index ${ix} already appeared on line ${t.lineOf(prev)}`);
    index[i] = ix;
    rowOfIndex[ix] = i;
  }
  return { index, rowOfIndex };
}

function column(t: CsvTable, name: string, lo: number, hi: number): Float64Array {
  const col = t.col(name);
  const out = new Float64Array(t.rows.length);
  for (let i = 0; i < t.rows.length; i++) {
    const v = numberAt(t, i, col);
    if (v < lo || v > hi) {
      throw new Error(`${t.source}: line ${t.lineOf(i)}, column '${name}': value ${v} is outside the plausible range [${lo}, ${hi}]`);
    }
    out[i] = v;
  }
  return out;
}

/** Parse and verify nb201.csv (already decompressed); `source` names it in errors. */
export function parseNb201Table(text: string, source: string): Nb201Table {
  const t = parseCsv(text, source, ['index', 'arch_str', ...OP_COLUMNS, 'unique_str', ...ACCURACY_COLUMNS, ...COST_COLUMNS]);
  checkRowCount(t);
  const { index, rowOfIndex } = readIndices(t);
  const archCol = t.col('arch_str');
  const uniqueCol = t.col('unique_str');
  const opCols = OP_COLUMNS.map((c) => t.col(c));
  const archs: Nb201Arch[] = [];
  const archStr: string[] = [];
  const uniqueStr: string[] = [];
  const rowOfCode = new Int32Array(NB201_SIZE).fill(-1);
  for (let i = 0; i < NB201_SIZE; i++) {
    const row = t.rows[i]!;
    const s = row[archCol]!;
    let arch: Nb201Arch;
    try {
      arch = nb201Parse(s);
    } catch (e) {
      throw new Error(`${source}: line ${t.lineOf(i)}, column 'arch_str': ${(e as Error).message}`);
    }
    if (nb201ToString(arch) !== s) throw new Error(`${source}: line ${t.lineOf(i)}, column 'arch_str': '${s}' is not in canonical form`);
    opCols.forEach((c, e) => {
      const o = intAt(t, i, c, 0, 4);
      if (o !== arch[e]) {
        throw new Error(`${source}: line ${t.lineOf(i)}, column 'op${e}': ${o} disagrees with arch_str '${s}' (which has ${arch[e]} on edge ${e})`);
      }
    });
    const code = nb201Code(arch);
    const prev = rowOfCode[code]!;
    if (prev >= 0) throw new Error(`${source}: line ${t.lineOf(i)}: architecture ${s} already appeared on line ${t.lineOf(prev)}`);
    rowOfCode[code] = i;
    archs.push(arch);
    archStr.push(s);
    const u = row[uniqueCol]!;
    if (u === '') throw new Error(`${source}: line ${t.lineOf(i)}, column 'unique_str': empty`);
    uniqueStr.push(u);
  }
  // 15,625 distinct codes in [0, 15625) cover every op assignment, so no separate completeness check is needed.
  const columns = new Map<string, Float64Array>();
  for (const c of ACCURACY_COLUMNS) columns.set(c, column(t, c, 0, 100));
  for (const c of COST_COLUMNS) columns.set(c, column(t, c, 0, 1e4));
  return { source, index, archs, archStr, uniqueStr, rowOfCode, rowOfIndex, columns };
}

/** Parse nb201_latency_help.csv and join it to `table` on index, checking arch_str agrees. */
export function parseNb201Latency(text: string, source: string, table: Nb201Table): Nb201Latency {
  const t = parseCsv(text, source, ['index', 'arch_str']);
  const latCols = t.header.filter((h) => h.startsWith('lat_'));
  if (latCols.length === 0) throw new Error(`${source}: no 'lat_<device>' columns in header (found: ${t.header.join(', ')})`);
  checkRowCount(t);
  const { index } = readIndices(t);
  const archCol = t.col('arch_str');
  const rowOf = new Int32Array(NB201_SIZE); // latency-file row → table row
  for (let i = 0; i < NB201_SIZE; i++) {
    const r = table.rowOfIndex[index[i]!]!;
    const s = t.rows[i]![archCol]!;
    if (s !== table.archStr[r]) {
      throw new Error(
        `${source}: line ${t.lineOf(i)}: index ${index[i]} has arch_str '${s}' but ${table.source} line ${r + 2} has '${table.archStr[r]}'`,
      );
    }
    rowOf[i] = r;
  }
  const values = new Map<string, Float64Array>();
  for (const c of latCols) {
    const raw = column(t, c, 0, 1e6);
    const aligned = new Float64Array(NB201_SIZE);
    for (let i = 0; i < NB201_SIZE; i++) aligned[rowOf[i]!] = raw[i]!;
    values.set(c.slice(4), aligned);
  }
  return { source, devices: [...values.keys()], values };
}
