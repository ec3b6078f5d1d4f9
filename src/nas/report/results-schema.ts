/**
 * A validator for `results.json` (schema prednas.results/1), so that the files `compare` writes
 * and the tests that read them agree on one definition. Errors name the JSON path.
 */
import { RESULTS_SCHEMA } from '../experiment/runner.js';

type Check = (v: unknown, path: string) => void;

function fail(path: string, expected: string, v: unknown): never {
  const got = JSON.stringify(v);
  throw new Error(`results.json ${path}: expected ${expected}, got ${got === undefined ? 'undefined' : got.slice(0, 60)}`);
}

const num: Check = (v, p) => { if (typeof v !== 'number' || !Number.isFinite(v)) fail(p, 'a finite number', v); };
const numOrNull: Check = (v, p) => { if (v !== null) num(v, p); };
const str: Check = (v, p) => { if (typeof v !== 'string') fail(p, 'a string', v); };
const bool: Check = (v, p) => { if (typeof v !== 'boolean') fail(p, 'a boolean', v); };
const int: Check = (v, p) => { if (!Number.isInteger(v)) fail(p, 'an integer', v); };

function obj(v: unknown, p: string, fields: Readonly<Record<string, Check>>): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(p, 'an object', v);
  const o = v as Record<string, unknown>;
  for (const [k, c] of Object.entries(fields)) c(o[k], `${p}.${k}`);
  return o;
}

const arr = (c: Check): Check => (v, p) => {
  if (!Array.isArray(v)) fail(p, 'an array', v);
  v.forEach((x, i) => c(x, `${p}[${i}]`));
};

const record = (c: Check): Check => (v, p) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(p, 'an object', v);
  for (const [k, x] of Object.entries(v)) c(x, `${p}.${k}`);
};

const optional = (c: Check): Check => (v, p) => { if (v !== undefined) c(v, p); };

const checkpoint: Check = (v, p) => { obj(v, p, { mean: num, std: num, median: num, q25: num, q75: num, foundOptimum: num, runs: int }); };

const point: Check = (v, p) => { obj(v, p, { query: int, arch: str, val: num, test: numOrNull }); };

/** A run; `offset` is the budget a screening stage spent before the first full-fidelity query. */
const run = (offset: number): Check => (v, p) => {
  obj(v, p, {
    algo: str, seed: int, trajectory: arr(point), timeMs: (t, q) => { obj(t, q, { total: num }); },
    evaluations: optional((e, q) => { obj(e, q, { trained: int, reused: int, trainSeconds: num }); }),
  });
  const traj = (v as { trajectory: { query: number }[] }).trajectory;
  traj.forEach((x, i) => { if (x.query !== offset + i + 1) fail(`${p}.trajectory[${i}].query`, `${offset + i + 1}`, x.query); });
  const scr = (v as { screening?: unknown }).screening;
  if (offset > 0) arr((x, q) => { obj(x, q, { arch: str, val: num }); })(scr, `${p}.screening`);
};

const screeningLabel: Check = (v, p) => {
  if (v === undefined) return;
  obj(v, p, { fidelity: str, queries: int, promote: int, costPerQuery: num, offset: int });
};

export function validateResults(v: unknown): void {
  const o = obj(v, '$', {
    schema: (s, p) => { if (s !== RESULTS_SCHEMA) fail(p, JSON.stringify(RESULTS_SCHEMA), s); },
    space: str, benchmark: str, pool: bool, dataset: str,
    protocol: (s, p) => { if (s !== 'A' && s !== 'B') fail(p, "'A' or 'B'", s); },
    semantics: (s, p) => { if (s !== 'mean' && s !== 'sample' && s !== 'single') fail(p, "'mean', 'sample' or 'single'", s); },
    metricNote: str, budget: int, seeds: arr(int), constraints: arr(str),
    optimum: (x, p) => { obj(x, p, { value: num, arch: str }); },
    summary: record(record(checkpoint)),
    details: record((x, p) => { obj(x, p, { checkpoints: record(checkpoint), meanQueriesToOptimum: numOrNull, foundOptimumRuns: int, meanTimeMs: num }); }),
    screening: screeningLabel,
    // Written by the CLI: the prednas version, the command line and the kernel backend.
    prednas: optional(str), command: optional(str), kernelBackend: optional(str),
  });
  const offset = (o['screening'] as { offset: number } | undefined)?.offset ?? 0;
  arr(run(offset))(o['runs'], '$.runs');
  const runs = o['runs'] as { algo: string; seed: number; trajectory: unknown[] }[];
  const algos = Object.keys(o['summary'] as object);
  const seeds = o['seeds'] as number[];
  if (runs.length !== algos.length * seeds.length) fail('$.runs', `${algos.length} algorithms × ${seeds.length} seeds = ${algos.length * seeds.length} runs`, `${runs.length} runs`);
  runs.forEach((r, i) => {
    if (!algos.includes(r.algo)) fail(`$.runs[${i}].algo`, `one of ${algos.join(', ')}`, r.algo);
    const room = (o['budget'] as number) - offset;
    if (r.trajectory.length > room) fail(`$.runs[${i}].trajectory`, `at most ${room} points (budget ${o['budget']}${offset > 0 ? `, less ${offset} spent screening` : ''})`, r.trajectory.length);
  });
}
