/**
 * Strict parsing of the shared NAS-Bench-Macro table (core: text in, typed columns out; columns
 * and sources in the data folder's README). Verified once here: 6,561 rows, each encoding of
 * {0,1,2}^8 exactly once, l1..l8 and the identity/MB counts agreeing with `arch`,
 * `canonical_arch` equal to our canonical form and `is_canonical` to arch == canonical_arch,
 * every encoding's record equal to its canonical network's, the stored mean/std equal to the
 * three runs' mean and population std, accuracies in [0, 100], costs non-negative integers.
 */
import { NBMACRO_ENCODINGS, NBMACRO_LAYERS, nbmacroCanonical, nbmacroCode, nbmacroFromCode, nbmacroParse, nbmacroToString, type NbMacroArch } from '../spaces/nbmacro.js';
import { failAt as fail, intAt, numberAt, parseCsv, type CsvTable } from './csv.js';

const RUN_COLUMNS = ['test_acc_run1', 'test_acc_run2', 'test_acc_run3'] as const;
const LAYER_COLUMNS = Array.from({ length: NBMACRO_LAYERS }, (_, i) => `l${i + 1}`);
const COUNT_COLUMNS = ['n_identity', 'n_mb3k3', 'n_mb6k5'] as const;
const REQUIRED = ['arch', ...LAYER_COLUMNS, 'canonical_arch', 'is_canonical', ...COUNT_COLUMNS, ...RUN_COLUMNS, 'test_acc_mean', 'test_acc_std', 'params', 'flops'];
/** The file stores mean and std rounded to 4 decimals. */
const STORED_ROUNDING = 1e-4;

export interface NbMacroTable {
  readonly source: string;
  /** Indexed by nbmacroCode (base-3, layer 1 first), i.e. the table's own row order. */
  readonly runs: readonly [Float64Array, Float64Array, Float64Array];
  readonly mean: Float64Array;
  readonly std: Float64Array;
  readonly params: Float64Array;
  readonly flops: Float64Array;
  /** The 3,969 canonical networks, in code order. */
  readonly canonical: readonly NbMacroArch[];
}

function accAt(t: CsvTable, i: number, name: string): number {
  const v = numberAt(t, i, t.col(name));
  if (v < 0 || v > 100) fail(t, i, name, `accuracy ${v} is outside [0, 100]`);
  return v;
}

/** Parse and verify nbmacro.csv (already decompressed); `source` names it in errors. */
export function parseNbMacroTable(text: string, source: string): NbMacroTable {
  const t = parseCsv(text, source, REQUIRED);
  if (t.rows.length !== NBMACRO_ENCODINGS) {
    throw new Error(`${source}: has ${t.rows.length} data rows, expected ${NBMACRO_ENCODINGS} (one per encoding of {0,1,2}^8); the file is truncated or not the NAS-Bench-Macro table`);
  }
  const n = NBMACRO_ENCODINGS;
  const runs: [Float64Array, Float64Array, Float64Array] = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  const mean = new Float64Array(n), std = new Float64Array(n), params = new Float64Array(n), flops = new Float64Array(n);
  const lineOfCode = new Int32Array(n).fill(-1);
  const canonicalCodeOf = new Int32Array(n);
  const archCol = t.col('arch'), canonCol = t.col('canonical_arch');
  for (let i = 0; i < n; i++) {
    const row = t.rows[i]!;
    let arch: NbMacroArch, canonical: NbMacroArch;
    try {
      arch = nbmacroParse(row[archCol]!);
    } catch (e) {
      fail(t, i, 'arch', (e as Error).message);
    }
    try {
      canonical = nbmacroParse(row[canonCol]!);
    } catch (e) {
      fail(t, i, 'canonical_arch', (e as Error).message);
    }
    const code = nbmacroCode(arch);
    if (lineOfCode[code]! >= 0) throw new Error(`${source}: line ${t.lineOf(i)}: arch ${row[archCol]} already appeared on line ${lineOfCode[code]}`);
    lineOfCode[code] = t.lineOf(i);
    LAYER_COLUMNS.forEach((c, l) => {
      const v = intAt(t, i, c, 0, 2);
      if (v !== arch[l]) fail(t, i, c, `${v} disagrees with arch '${row[archCol]}' (layer ${l + 1} is ${arch[l]})`);
    });
    const expected = nbmacroToString(nbmacroCanonical(arch));
    if (nbmacroToString(canonical) !== expected) fail(t, i, 'canonical_arch', `'${row[canonCol]}' but the canonical form of ${row[archCol]} (mid-stage identities moved to the end of their stage) is '${expected}'`);
    const isCanon = intAt(t, i, 'is_canonical', 0, 1);
    if (isCanon !== (expected === row[archCol] ? 1 : 0)) fail(t, i, 'is_canonical', `${isCanon} but arch '${row[archCol]}' ${expected === row[archCol] ? 'is' : 'is not'} canonical`);
    COUNT_COLUMNS.forEach((c, code2) => {
      const v = intAt(t, i, c, 0, NBMACRO_LAYERS);
      const want = arch.filter((x) => x === code2).length;
      if (v !== want) fail(t, i, c, `${v} but arch '${row[archCol]}' has ${want} layer(s) with code ${code2}`);
    });
    const r = RUN_COLUMNS.map((c) => accAt(t, i, c));
    r.forEach((v, k) => (runs[k]![code] = v));
    const m = (r[0]! + r[1]! + r[2]!) / 3;
    const sd = Math.sqrt(r.reduce((s, v) => s + (v - m) ** 2, 0) / 3);
    mean[code] = accAt(t, i, 'test_acc_mean');
    std[code] = numberAt(t, i, t.col('test_acc_std'));
    if (Math.abs(mean[code]! - m) > STORED_ROUNDING) fail(t, i, 'test_acc_mean', `${mean[code]} is not the mean of the three runs (${m.toFixed(6)})`);
    if (Math.abs(std[code]! - sd) > STORED_ROUNDING) fail(t, i, 'test_acc_std', `${std[code]} is not the population std of the three runs (${sd.toFixed(6)})`);
    params[code] = intAt(t, i, 'params', 0, 1e9);
    flops[code] = intAt(t, i, 'flops', 0, 1e12);
    canonicalCodeOf[code] = nbmacroCode(canonical);
  }
  // 6,561 distinct codes in [0, 6561): every encoding is present. Aliases must copy their network's record.
  const canonicalArchs: NbMacroArch[] = [];
  for (let code = 0; code < n; code++) {
    const c = canonicalCodeOf[code]!;
    if (c === code) continue;
    for (const [name, col] of [['test_acc_run1', runs[0]], ['test_acc_run2', runs[1]], ['test_acc_run3', runs[2]], ['params', params], ['flops', flops]] as const) {
      if (col[code] !== col[c]) {
        throw new Error(`${source}: line ${lineOfCode[code]}, column '${name}': ${col[code]} differs from ${col[c]} of its canonical network on line ${lineOfCode[c]} (equivalent encodings are one trained network)`);
      }
    }
  }
  for (let code = 0; code < n; code++) if (canonicalCodeOf[code] === code) canonicalArchs.push(nbmacroFromCode(code));
  return { source, runs, mean, std, params, flops, canonical: canonicalArchs };
}

