/**
 * Strict parsing of the shared NAS-Bench-101 tables (core: text in; see the data folder's README):
 * - `nb101_space.csv.gz`: every cell of the space (423,624) with its benchmark hash;
 * - `nb101_subset20k.csv.gz`: 20,001 cells with one training run's validation accuracy after
 *   4/12/36/108 epochs, the 108-epoch training time and the parameter count.
 * Verified on load: row counts, well-formed pruned specs (strictly upper triangular, ≤ 9 edges,
 * every vertex on an input → output path), n_vertices/n_edges agreeing with the spec, hash syntax
 * and uniqueness, numbers in range. For the 20k results every stored hash is also recomputed
 * (≈0.5 s), because the oracle finds rows by hashing the queried cell: a wrong stored hash would
 * silently hide a row. The 423k space table's hashes are recomputed only on request (≈15 s).
 */
import { NB101_MAX_EDGES, NB101_SPACE_SIZE, nb101Parse, type Nb101Arch } from '../spaces/nb101-graph.js';
import { nb101Hash } from '../spaces/nb101-hash.js';
import { numberAt, parseCsv, type CsvTable } from './csv.js';

export const NB101_SUBSET_SIZE = 20_001;
export const NB101_EPOCHS = [4, 12, 36, 108] as const;
export type Nb101Epochs = (typeof NB101_EPOCHS)[number];

const SPEC_COLUMNS = ['hash', 'n_vertices', 'n_edges', 'adjacency', 'ops'];
const HEX32 = /^[0-9a-f]{32}$/;

/** The full cell list: specs kept as their table strings and parsed on demand (423k objects would cost memory for nothing). */
export interface Nb101SpaceTable {
  readonly source: string;
  readonly size: number;
  readonly hashes: readonly string[];
  readonly rowOf: ReadonlyMap<string, number>;
  /** Vertex count of each row (2..7). */
  readonly vertices: Uint8Array;
  /** The pruned spec of row i. */
  arch(i: number): Nb101Arch;
}

/**
 * Results for a set of cells. General enough for the official data (several training repeats, test
 * accuracy, the whole space); the shared subset has repeats = 1, no test, and 20,001 cells.
 */
export interface Nb101Results {
  readonly source: string;
  readonly archs: readonly Nb101Arch[];
  readonly hashes: readonly string[];
  readonly rowOf: ReadonlyMap<string, number>;
  /** Training runs per cell and budget. */
  readonly repeats: number;
  /** Validation accuracy (percent) per epoch budget, row-major [cells × repeats]. */
  readonly val: ReadonlyMap<number, Float64Array>;
  /** Test accuracy (percent) per epoch budget, same layout; absent budgets have none. */
  readonly test: ReadonlyMap<number, Float64Array>;
  /** Training time (seconds) per epoch budget, same layout. */
  readonly trainTime: ReadonlyMap<number, Float64Array>;
  /** Trainable parameters per cell. */
  readonly params: Float64Array;
  /** True when the cells are the whole space (then search need not be restricted to a pool). */
  readonly complete: boolean;
}

interface SpecRows {
  readonly hashes: string[];
  readonly rowOf: Map<string, number>;
  readonly bits: string[];
  readonly letters: string[];
}

function fieldError(t: CsvTable, i: number, col: string, msg: string): Error {
  return new Error(`${t.source}: line ${t.lineOf(i)}, column '${col}': ${msg}`);
}

function checkCount(t: CsvTable, expected: number, what: string): void {
  if (t.rows.length !== expected) {
    throw new Error(`${t.source}: has ${t.rows.length} data rows, expected ${expected} (${what}); the file is truncated or not the NAS-Bench-101 table`);
  }
}

/**
 * Why a table spec is not a valid pruned cell, or null. Works on the strings (no objects) because
 * it runs 423,624 times per load: strictly upper triangular 0/1 bits, I…O letters with interior
 * A/B/M, and every vertex but the output with an out-edge and every vertex but the input with an
 * in-edge — in a DAG that is exactly "every vertex on an input → output path" (NAS-Bench-101's
 * is_full_dag), i.e. pruned, and it implies the input reaches the output. Returns the edge count
 * through `edges`.
 */
function tableSpecError(n: number, bits: string, letters: string, edges: { count: number }): string | null {
  if (bits.length !== n * n) return `expected ${n * n} adjacency bits for ${n} vertices, got ${bits.length}`;
  if (letters.length !== n) return `expected ${n} op letters for ${n} vertices, got '${letters}'`;
  if (letters[0] !== 'I' || letters[n - 1] !== 'O') return `ops must start with I and end with O, got '${letters}'`;
  for (let v = 1; v < n - 1; v++) {
    const l = letters[v];
    if (l !== 'A' && l !== 'B' && l !== 'M') return `vertex ${v} has op letter '${l}', expected A, B or M`;
  }
  let count = 0;
  let hasOut = 0, hasIn = 0; // bit masks over vertices
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const c = bits.charCodeAt(i * n + j);
      if (c === 48) continue;
      if (c !== 49) return `adjacency character ${i * n + j} is '${bits[i * n + j]}', expected 0 or 1`;
      if (j <= i) return `an edge ${i} → ${j} on or below the diagonal (must be strictly upper triangular)`;
      count++;
      hasOut |= 1 << i;
      hasIn |= 1 << j;
    }
  }
  for (let v = 0; v < n; v++) {
    if (v < n - 1 && !(hasOut & (1 << v))) return `vertex ${v} has no out-edge, so it is on no input → output path (the spec is not pruned)`;
    if (v > 0 && !(hasIn & (1 << v))) return `vertex ${v} has no in-edge, so it is on no input → output path (the spec is not pruned)`;
  }
  if (count > NB101_MAX_EDGES) return `${count} edges, at most ${NB101_MAX_EDGES} allowed`;
  edges.count = count;
  return null;
}

/** Verify one row's spec columns (fast, on strings). */
function checkSpecAt(t: CsvTable, i: number, c: { n: number; e: number; adj: number; ops: number }): void {
  const row = t.rows[i]!;
  const n = numberAt(t, i, c.n);
  if (!Number.isInteger(n) || n < 2 || n > 7) throw fieldError(t, i, 'n_vertices', `expected an integer in [2, 7], got '${row[c.n]}'`);
  const edges = { count: 0 };
  const err = tableSpecError(n, row[c.adj]!, row[c.ops]!, edges);
  if (err !== null) throw fieldError(t, i, 'adjacency/ops', err);
  const e = numberAt(t, i, c.e);
  if (e !== edges.count) throw fieldError(t, i, 'n_edges', `says ${row[c.e]}, the adjacency has ${edges.count} edges`);
}

/** Verify every row's spec and hash syntax/uniqueness; `onRow` sees each row index after its checks. */
function readSpecRows(t: CsvTable, onRow: (i: number) => void): SpecRows {
  const c = { h: t.col('hash'), n: t.col('n_vertices'), e: t.col('n_edges'), adj: t.col('adjacency'), ops: t.col('ops') };
  const hashes: string[] = [];
  const rowOf = new Map<string, number>();
  const bits: string[] = [];
  const letters: string[] = [];
  for (let i = 0; i < t.rows.length; i++) {
    const row = t.rows[i]!;
    const h = row[c.h]!;
    if (!HEX32.test(h)) throw fieldError(t, i, 'hash', `expected 32 lower-case hex digits, got '${h}'`);
    const prev = rowOf.get(h);
    if (prev !== undefined) throw fieldError(t, i, 'hash', `${h} already appeared on line ${t.lineOf(prev)}`);
    checkSpecAt(t, i, c);
    onRow(i);
    rowOf.set(h, i);
    hashes.push(h);
    bits.push(row[c.adj]!);
    letters.push(row[c.ops]!);
  }
  return { hashes, rowOf, bits, letters };
}

export interface ParseNb101SpaceOptions {
  /** Recompute every hash and compare with the table (≈15 s for 423k cells; default false). */
  readonly verifyHashes?: boolean;
}

/** Parse `nb101_space.csv` (all 423,624 cells). */
export function parseNb101Space(text: string, source: string, opts: ParseNb101SpaceOptions = {}): Nb101SpaceTable {
  const t = parseCsv(text, source, SPEC_COLUMNS);
  // Rows first, then the count: a bad row is the more specific error.
  const s = readSpecRows(t, (i) => {
    if (opts.verifyHashes === true) verifyHash(t, i, rowArch(t, i));
  });
  checkCount(t, NB101_SPACE_SIZE, 'one per NAS-Bench-101 cell');
  return {
    source,
    size: s.hashes.length,
    hashes: s.hashes,
    rowOf: s.rowOf,
    vertices: Uint8Array.from(s.letters, (l) => l.length),
    arch: (i) => {
      const b = s.bits[i], l = s.letters[i];
      if (b === undefined || l === undefined) throw new Error(`${source}: no row ${i} (rows 0..${s.hashes.length - 1})`);
      return nb101Parse(`${b}|${l}`);
    },
  };
}

/** The spec of a row already checked by checkSpecAt. */
function rowArch(t: CsvTable, i: number): Nb101Arch {
  const row = t.rows[i]!;
  return nb101Parse(`${row[t.col('adjacency')]}|${row[t.col('ops')]}`);
}

function verifyHash(t: CsvTable, i: number, arch: Nb101Arch): void {
  const stored = t.rows[i]![t.col('hash')]!;
  const computed = nb101Hash(arch);
  if (computed !== stored) throw fieldError(t, i, 'hash', `stored ${stored}, but the spec hashes to ${computed}`);
}

/** Parse `nb101_subset20k.csv` (20,001 cells with one run's results); verifies every hash. */
export function parseNb101Subset(text: string, source: string): Nb101Results {
  const valCols = NB101_EPOCHS.map((e) => `val_acc_${e}ep`);
  const t = parseCsv(text, source, [...SPEC_COLUMNS, ...valCols, 'train_time_108ep_s', 'params']);
  const archs: Nb101Arch[] = [];
  const s = readSpecRows(t, (i) => {
    const a = rowArch(t, i);
    verifyHash(t, i, a);
    archs.push(a);
  });
  const rows = t.rows.length;
  const column = (name: string, lo: number, hi: number, integer = false): Float64Array => {
    const c = t.col(name);
    const out = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      const v = numberAt(t, i, c);
      if (v < lo || v > hi || (integer && !Number.isInteger(v))) {
        throw fieldError(t, i, name, `expected ${integer ? 'an integer' : 'a number'} in [${lo}, ${hi}], got '${t.rows[i]![c]}'`);
      }
      out[i] = v;
    }
    return out;
  };
  const val = new Map<number, Float64Array>(NB101_EPOCHS.map((e, k) => [e, column(valCols[k]!, 0, 100)]));
  const trainTime = column('train_time_108ep_s', Number.MIN_VALUE, 1e7);
  const params = column('params', 1, 1e9, true);
  checkCount(t, NB101_SUBSET_SIZE, 'the shared 20,001-cell subset');
  return {
    source,
    archs,
    hashes: s.hashes,
    rowOf: s.rowOf,
    repeats: 1,
    val,
    test: new Map(),
    trainTime: new Map([[108, trainTime]]),
    params,
    complete: false,
  };
}
