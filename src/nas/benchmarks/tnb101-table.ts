/**
 * Strict parsing of the shared TransNAS-Bench-101 macro table (core: text in, typed columns out;
 * columns and sources in the data folder's README). Verified here: 3,256 rows, `arch` equal to
 * `64-<macro_code>-basic`, every code a valid network of the space and each exactly once (so the
 * rows are exactly the space), n_modules / n_downsample / n_channel_double / out_channels
 * agreeing with the code, naslib_idx a permutation of 0..3255, each task's metric finite and in
 * its plausible range, encoder costs non-negative integers.
 */
import { tnb101Invalid, TNB101_NETWORKS, type Tnb101MacroArch } from '../spaces/tnb101-macro.js';
import { failAt as fail, intAt, numberAt, parseCsv, type CsvTable } from './csv.js';

/**
 * The seven tasks: the table column, what the value is, and its direction. The runner maximises,
 * and every stored metric is higher-is-better (room layout is stored as the *negative* L2 loss),
 * so all directions are 'max'; a 'min' task would be negated by the oracle (see tnb101.ts).
 */
export const TNB101_TASKS = {
  class_scene: { column: 'class_scene_valid_top1', metric: 'scene classification, validation top-1 (%)', direction: 'max', range: [0, 100] },
  class_object: { column: 'class_object_valid_top1', metric: 'object classification, validation top-1 (%)', direction: 'max', range: [0, 100] },
  jigsaw: { column: 'jigsaw_valid_top1', metric: 'jigsaw puzzle, validation top-1 (%)', direction: 'max', range: [0, 100] },
  room_layout: { column: 'room_layout_valid_neg_loss', metric: 'room layout, validation negative L2 loss (higher is better)', direction: 'max', range: [-1e6, 0] },
  segmentsemantic: { column: 'segmentsemantic_valid_acc', metric: 'semantic segmentation, validation pixel accuracy (%)', direction: 'max', range: [0, 100] },
  normal: { column: 'normal_valid_ssim', metric: 'surface normals, validation SSIM', direction: 'max', range: [-1, 1] },
  autoencoder: { column: 'autoencoder_valid_ssim', metric: 'autoencoding, validation SSIM', direction: 'max', range: [-1, 1] },
} as const satisfies Record<string, { column: string; metric: string; direction: 'max' | 'min'; range: readonly [number, number] }>;

export type Tnb101Task = keyof typeof TNB101_TASKS;
export const TNB101_TASK_NAMES = Object.keys(TNB101_TASKS) as Tnb101Task[];

/** Canonical task name for a user-supplied one (case-insensitive; the column name is accepted too). */
export function tnb101Task(name: string): Tnb101Task {
  const n = name.trim().toLowerCase();
  for (const t of TNB101_TASK_NAMES) if (n === t || n === TNB101_TASKS[t].column) return t;
  throw new Error(`tnb101-macro: unknown task '${name}'; tasks: ${TNB101_TASK_NAMES.join(', ')}`);
}

export interface Tnb101Table {
  readonly source: string;
  /** Architecture of each row, in table order. */
  readonly archs: readonly Tnb101MacroArch[];
  /** Row of each code string (e.g. '232323'). */
  readonly rowOf: ReadonlyMap<string, number>;
  readonly metrics: Readonly<Record<Tnb101Task, Float64Array>>;
  readonly params: Float64Array;
  readonly flops: Float64Array;
}

const COUNT_COLUMNS = ['n_modules', 'n_downsample', 'n_channel_double', 'out_channels'] as const;

/** Parse and verify tnb101_macro.csv (already decompressed); `source` names it in errors. */
export function parseTnb101Table(text: string, source: string): Tnb101Table {
  const metricCols = TNB101_TASK_NAMES.map((k) => TNB101_TASKS[k].column);
  const t = parseCsv(text, source, ['arch', 'macro_code', 'naslib_idx', ...COUNT_COLUMNS, ...metricCols, 'encoder_params', 'encoder_macs_224']);
  if (t.rows.length !== TNB101_NETWORKS) {
    throw new Error(`${source}: has ${t.rows.length} data rows, expected ${TNB101_NETWORKS} (one per network of the macro space); the file is truncated or not the TransNAS-Bench-101 macro table`);
  }
  const n = t.rows.length;
  const archs: Tnb101MacroArch[] = [];
  const rowOf = new Map<string, number>();
  const seenIdx = new Int32Array(n).fill(-1);
  const params = new Float64Array(n), flops = new Float64Array(n);
  const metrics = Object.fromEntries(TNB101_TASK_NAMES.map((k) => [k, new Float64Array(n)])) as Record<Tnb101Task, Float64Array>;
  const archCol = t.col('arch'), codeCol = t.col('macro_code');
  for (let i = 0; i < n; i++) {
    const row = t.rows[i]!;
    const code = row[codeCol]!;
    if (!/^[0-9]+$/.test(code)) fail(t, i, 'macro_code', `'${code}' is not a string of module codes`);
    const arch = [...code].map(Number);
    const why = tnb101Invalid(arch);
    if (why !== null) fail(t, i, 'macro_code', `'${code}' is not a network of the space: ${why}`);
    if (row[archCol] !== `64-${code}-basic`) fail(t, i, 'arch', `'${row[archCol]}' disagrees with macro_code '${code}' (expected '64-${code}-basic')`);
    const prev = rowOf.get(code);
    if (prev !== undefined) throw new Error(`${source}: line ${t.lineOf(i)}: network ${code} already appeared on line ${t.lineOf(prev)}`);
    rowOf.set(code, i);
    archs.push(arch);
    const ix = intAt(t, i, 'naslib_idx', 0, n - 1);
    if (seenIdx[ix]! >= 0) fail(t, i, 'naslib_idx', `${ix} already appeared on line ${t.lineOf(seenIdx[ix]!)}`);
    seenIdx[ix] = i;
    const downs = arch.filter((c) => c >= 3).length, doubles = arch.filter((c) => c % 2 === 0).length;
    const want = { n_modules: arch.length, n_downsample: downs, n_channel_double: doubles, out_channels: 64 * 2 ** doubles };
    for (const c of COUNT_COLUMNS) {
      const v = intAt(t, i, c, 0, 1e6);
      if (v !== want[c]) fail(t, i, c, `${v} but macro_code '${code}' implies ${want[c]}`);
    }
    for (const k of TNB101_TASK_NAMES) {
      const { column, range } = TNB101_TASKS[k];
      const v = numberAt(t, i, t.col(column));
      if (v < range[0] || v > range[1]) fail(t, i, column, `value ${v} is outside the plausible range [${range[0]}, ${range[1]}]`);
      metrics[k][i] = v;
    }
    params[i] = intAt(t, i, 'encoder_params', 0, 1e12);
    flops[i] = intAt(t, i, 'encoder_macs_224', 0, 1e15);
  }
  // 3,256 distinct valid codes and the space has 3,256 networks: the rows are exactly the space.
  return { source, archs, rowOf, metrics, params, flops };
}
