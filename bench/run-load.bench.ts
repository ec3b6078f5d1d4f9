/**
 * Load test of `prednas run` (issue 21): N trials at concurrency C with a trivial evaluator
 * (/bin/echo), random search on NB-201's space. Reports wall time, throughput (trials/s) and the
 * peak RSS of the prednas process, and checks the journal: every trial asked once and answered
 * once, no architecture twice. Exits 1 when the journal is inconsistent.
 * Run: npx tsx bench/run-load.bench.ts [--trials 2000] [--concurrency 64] [--out bench/results/run-load.json]
 */
import { loadavg } from 'node:os';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runLoad } from './lib/run-load.js';

const { values } = parseArgs({ options: { trials: { type: 'string' }, concurrency: { type: 'string' }, out: { type: 'string' } } });
const trials = Number(values.trials ?? 2000), concurrency = Number(values.concurrency ?? 64);
const load = loadavg()[0];
const r = await runLoad({ trials, concurrency });
const result = {
  bench: 'run-load', node: process.version, space: 'nb201', algo: 'random', evaluator: '/bin/echo',
  trials, concurrency, wall_s: +r.wallSeconds.toFixed(2), trials_per_s: +r.trialsPerSecond.toFixed(1), peak_rss_mib: +r.peakRssMiB.toFixed(1),
  exit_code: r.exitCode, journal_consistent: r.journalProblems.length === 0, journal_problems: r.journalProblems,
  load_average_at_start: +(load ?? 0).toFixed(2), date: new Date().toISOString(),
};
console.log(JSON.stringify(result));
if (r.stderr !== '') process.stderr.write(r.stderr);
if (values.out !== undefined) writeFileSync(values.out, JSON.stringify(result, null, 1) + '\n');
if (!result.journal_consistent) process.exitCode = 1;
