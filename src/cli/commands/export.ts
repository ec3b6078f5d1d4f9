/**
 * `prednas export DIR|JOURNAL --csv`: a compare results folder (or results.json[.gz]) or a
 * journal as tidy CSV, one row per query / trial, on stdout or into --out FILE.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { readJournal } from '../../io/journal.js';
import { readResultsFile } from '../../io/results-file.js';
import { spaceFromJournalSpace } from '../../io/run-space.js';
import type { ExperimentResults } from '../../nas/experiment/runner.js';
import { csvLine, resultsCsv } from '../../nas/report/export.js';
import { validateResults } from '../../nas/report/results-schema.js';
import { POSITIONALS, str, UsageError, type Ctx } from '../context.js';

export const EXPORT_FLAGS = { csv: { type: 'boolean' }, out: { type: 'string' } } as const;

export const EXPORT_HELP = `prednas export — results or a journal as tidy CSV

Usage: prednas export DIR|RESULTS_FILE|JOURNAL [--csv] [--out FILE]

  DIR                a prednas compare --out folder (results.json.gz or results.json), or the file
  JOURNAL            a prednas run/suggest journal (JSON lines)
  --csv              CSV (the default and, for now, only format)
  --out FILE         write there (atomically) instead of stdout

Results: one row per query of every run: algorithm, seed, query (position in the run), budget
(budget spent, in full-fidelity queries), fidelity (full, or the screening fidelity), architecture,
val, test, and cost_<name> columns where the space has analytic costs (nb201: flops, params).
Journal: one row per trial: algorithm, seed, query (the trial), budget (trials asked so far),
architecture, val (the reported metric), test (empty), status (ok, failed, timeout, pending),
cost, seconds, error.
`;

function isJournal(path: string): boolean {
  return existsSync(path) && statSync(path).isFile() && !/\.json(\.gz)?$/.test(path);
}

/** A journal as one row per trial; a trial without a result is 'pending'. */
export function journalCsv(path: string): string {
  const j = readJournal(path);
  const results = new Map<number, { status: string; metric?: number; cost?: number; seconds?: number; error?: string }>();
  const asks: { trial: number; arch: string }[] = [];
  for (const e of j.events) {
    // Viewed loosely: the journal also holds bookkeeping events (launches) that have no bearing here.
    const ev = e as { type: string; trial: number; arch?: string; status?: string; metric?: number; cost?: number; seconds?: number; error?: string };
    if (ev.type === 'ask') asks.push({ trial: ev.trial, arch: ev.arch! });
    else if (ev.type === 'result') results.set(ev.trial, { status: ev.status!, ...ev });
  }
  let out = csvLine(['algorithm', 'seed', 'query', 'budget', 'architecture', 'val', 'test', 'status', 'cost', 'seconds', 'error']);
  asks.forEach((a, i) => {
    const r = results.get(a.trial);
    out += csvLine([j.header.algo, j.header.seed, a.trial, i + 1, a.arch, r?.metric, null, r?.status ?? 'pending', r?.cost, r?.seconds, r?.error]);
  });
  return out;
}

/** Analytic costs of a built-in space by name (nb201, nb101), if it has them; undefined otherwise. */
function analyticCost(spaceName: string): ((arch: string) => Readonly<Record<string, number>> | undefined) | undefined {
  let space;
  try {
    space = spaceFromJournalSpace({ kind: 'builtin', name: spaceName });
  } catch {
    return undefined; // a spec space or one whose costs come from its table: no cost columns
  }
  const cost = space.cost;
  if (cost === undefined) return undefined;
  return (arch) => {
    const c = cost.call(space, space.parse(arch));
    // Rounded to 12 significant digits: sums of per-edge costs carry float noise (51.03681000000001).
    return Object.fromEntries(Object.entries(c).filter((e): e is [string, number] => typeof e[1] === 'number').map(([k, x]) => [k, Number(x.toPrecision(12))]));
  };
}

export function exportCmd(ctx: Ctx): void {
  const { v } = ctx;
  const args = (v[POSITIONALS] as string[] | undefined) ?? [];
  if (args.length !== 1) throw new UsageError(`expected one results folder, results file or journal, got ${args.length === 0 ? 'none' : args.join(' ')}`);
  const path = resolve(args[0]!);
  if (!existsSync(path)) throw new Error(`${path} does not exist (expected a compare --out folder, results.json[.gz] or a journal)`);
  let csv: string;
  if (isJournal(path)) csv = journalCsv(path);
  else {
    const res = readResultsFile(path) as ExperimentResults;
    validateResults(res);
    csv = resultsCsv(res, analyticCost(res.space));
  }
  const out = str(v, 'out');
  if (out === undefined) process.stdout.write(csv);
  else {
    writeFileAtomic(resolve(out), csv);
    ctx.note(`wrote ${resolve(out)} (${csv.split('\n').length - 2} rows)`);
  }
}
