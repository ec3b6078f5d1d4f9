/**
 * `compare` split across machines (Node only): seed shards, per-run checkpoints and the record
 * `merge` checks shards against. A run is a pure function of (settings, algorithm, seed), so a
 * table assembled from runs made in shards, in several sessions or on several machines equals the
 * table of one uninterrupted compare over all seeds, provided every run was made with the same
 * settings; what is stored here exists to check exactly that.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { atomicTempTarget, writeFileAtomic } from './atomic-write.js';
import type { ExperimentSpec } from './parallel.js';
import { readResultsFile } from './results-file.js';
import type { RunResult } from '../nas/experiment/runner.js';

export interface Shard {
  /** 1-based, as Slurm array task ids usually are (--array=1-N). */
  readonly index: number;
  readonly count: number;
}

/** `--shard I/N`, with 1 <= I <= N <= the number of seeds (no shard may be empty). */
export function parseShard(text: string, seeds: number): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (m === null) throw new UsageError(`--shard: expected I/N (e.g. 2/10, or $SLURM_ARRAY_TASK_ID/10 in a job array), got '${text}'`);
  const index = Number(m[1]), count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) throw new UsageError(`--shard: expected 1 <= I <= N, got ${index}/${count} (shards are numbered from 1: sbatch --array=1-${Math.max(count, 1)})`);
  if (count > seeds) throw new UsageError(`--shard: ${count} shards of ${seeds} seed${seeds === 1 ? '' : 's'} would leave some empty; use at most ${seeds}`);
  return { index, count };
}

/** The I-th of N contiguous, near-equal slices of the seed list (together: the list, in order). */
export function shardSeeds(seeds: readonly number[], s: Shard): number[] {
  const lo = Math.floor(((s.index - 1) * seeds.length) / s.count);
  const hi = Math.floor((s.index * seeds.length) / s.count);
  return seeds.slice(lo, hi);
}

/**
 * The settings that make a run what it is: the experiment minus its seeds and minus where the
 * data happens to live on this machine (a shard on another machine reads the same table from
 * another path). Compared as canonical JSON.
 */
export function settingsOf(spec: ExperimentSpec, prednas: string): Record<string, unknown> {
  const { seeds: _seeds, benchmark, ...rest } = spec;
  // Where tables and cached evaluations are read from does not change a result.
  const { dataDir: _dataDir, cache: _cache, ...bench } = benchmark;
  return canonical({ prednas, benchmark: bench, ...rest }) as Record<string, unknown>;
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined).map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  }
  return v;
}

/** The first setting on which two settings records differ, as "key: A vs B"; null when equal. */
export function settingsDiff(a: Record<string, unknown>, b: Record<string, unknown>): string | null {
  for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const x = JSON.stringify(a[k]), y = JSON.stringify(b[k]);
    if (x !== y) return `${k}: ${x ?? '(unset)'} vs ${y ?? '(unset)'}`;
  }
  return null;
}

// ---- checkpoints: DIR/runs/<algo>.seed<N>.json, one per finished run, and the settings they share

const runsDir = (out: string) => join(resolve(out), 'runs');
const runFile = (out: string, algo: string, seed: number) => join(runsDir(out), `${algo}.seed${seed}.json`);
const SETTINGS = 'settings.json';

/**
 * Saves each finished run. Nothing is touched before the first run finishes (a compare that
 * fails on its flags or data leaves the folder as it was); then a fresh (not resumed) compare
 * forgets the folder's older checkpoints and its compare.json (they describe results it is about
 * to replace), and the settings the checkpoints share are recorded.
 */
export function checkpointer(out: string, spec: ExperimentSpec, prednas: string, fresh: boolean): (r: RunResult) => void {
  let started = false;
  return (r) => {
    if (!started) {
      const dir = runsDir(out);
      if (fresh) {
        if (existsSync(dir)) for (const f of readdirSync(dir)) if (/\.seed\d+\.json$/.test(f)) unlinkSync(join(dir, f));
        const info = join(resolve(out), COMPARE_INFO);
        if (existsSync(info)) unlinkSync(info);
      }
      mkdirSync(dir, { recursive: true });
      if (fresh || !existsSync(join(dir, SETTINGS))) writeFileAtomic(join(dir, SETTINGS), JSON.stringify(settingsOf(spec, prednas), null, 1) + '\n');
      started = true;
    }
    // JSON keeps every double exactly (shortest round-trip form), so a resumed table is bit-identical.
    writeFileAtomic(runFile(out, r.algo, r.seed), JSON.stringify(r) + '\n');
  };
}

/**
 * `--resume`: the runs already made for this experiment's algorithms and seeds — those in the
 * folder's finished results (a compare that completed; e.g. resumed with more seeds) and those
 * checkpointed in DIR/runs/ by one that did not — after checking that they were made with the
 * same settings (otherwise one line naming the first difference).
 */
export function loadCheckpoints(out: string, spec: ExperimentSpec, prednas: string): RunResult[] {
  const dir = runsDir(out);
  const want = settingsOf(spec, prednas);
  const found = new Map<string, RunResult>();
  const key = (algo: string, seed: number) => `${algo}\u0000${seed}`;
  const wanted = new Set(spec.algorithms.flatMap((a) => spec.seeds.map((s) => key(a, s))));
  const mismatch = (where: string, diff: string) => new UsageError(`--resume: the runs in ${where} were made with other settings (${diff}); use the same flags, or drop --resume to start afresh`);
  if (existsSync(join(resolve(out), COMPARE_INFO))) {
    const info = readCompareInfo(out);
    const diff = settingsDiff(settingsOf(info.spec, info.prednas), want);
    if (diff !== null) throw mismatch(resolve(out), diff);
    const res = readResultsFile(out) as { runs: RunResult[] };
    for (const r of res.runs) if (wanted.has(key(r.algo, r.seed))) found.set(key(r.algo, r.seed), r);
  }
  const sp = join(dir, SETTINGS);
  if (existsSync(sp)) {
    let have: Record<string, unknown>;
    try { have = JSON.parse(readFileSync(sp, 'utf8')) as Record<string, unknown>; } catch (e) { throw new Error(`${sp}: unreadable (${(e as Error).message}); remove ${dir} to start afresh`); }
    const diff = settingsDiff(have, want);
    if (diff !== null) throw mismatch(dir, diff);
    for (const algo of spec.algorithms) {
      for (const seed of spec.seeds) {
        const p = runFile(out, algo, seed);
        if (!existsSync(p)) continue;
        const r = JSON.parse(readFileSync(p, 'utf8')) as RunResult;
        if (r.algo !== algo || r.seed !== seed || !Array.isArray(r.trajectory)) throw new Error(`${p}: not the checkpoint of ${algo} seed ${seed}; remove it`);
        found.set(key(algo, seed), r);
      }
    }
  }
  return [...found.values()];
}

/**
 * Once results.json.gz holds every run, the checkpoints are redundant: remove them, so a results
 * folder stays as small as the gzipped results (a later --resume reads the runs from there). A
 * compare killed while it wrote a checkpoint leaves that write's temporary file; it goes too.
 */
export function dropCheckpoints(out: string): void {
  const dir = runsDir(out);
  if (!existsSync(dir)) return;
  const ours = (f: string) => /\.seed\d+\.json$/.test(f) || f === SETTINGS;
  for (const f of readdirSync(dir)) if (ours(f) || ours(atomicTempTarget(f) ?? '')) unlinkSync(join(dir, f));
  try { rmdirSync(dir); } catch { /* something else is in there: leave it */ }
}

// ---- compare.json: what a compare folder holds, for merge

export const COMPARE_INFO = 'compare.json';
export const COMPARE_INFO_SCHEMA = 'prednas.compare/1';

export interface CompareInfo {
  readonly schema: typeof COMPARE_INFO_SCHEMA;
  readonly prednas: string;
  /** The experiment this folder's results come from (seeds: this folder's). */
  readonly spec: ExperimentSpec;
  /** The whole seed list before sharding (equal to spec.seeds without --shard). */
  readonly allSeeds: readonly number[];
  readonly shard: Shard | null;
  readonly command: string;
}

export function writeCompareInfo(out: string, info: Omit<CompareInfo, 'schema'>): void {
  writeFileAtomic(join(resolve(out), COMPARE_INFO), JSON.stringify({ schema: COMPARE_INFO_SCHEMA, ...info }, null, 1) + '\n');
}

export function readCompareInfo(dir: string): CompareInfo {
  const p = join(resolve(dir), COMPARE_INFO);
  if (!existsSync(p)) throw new Error(`${resolve(dir)} has no ${COMPARE_INFO}: merge needs folders written by prednas compare (this version or later), complete (a shard still running has none yet)`);
  let v: CompareInfo;
  try { v = JSON.parse(readFileSync(p, 'utf8')) as CompareInfo; } catch (e) { throw new Error(`${p}: not valid JSON (${(e as Error).message})`); }
  if (v.schema !== COMPARE_INFO_SCHEMA) throw new Error(`${p}: expected schema ${COMPARE_INFO_SCHEMA}, got ${JSON.stringify(v.schema)}`);
  return v;
}

/** Wrong flags (the CLI turns it into its usage error, exit code 2); io does not import the CLI. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShardUsageError';
  }
}
