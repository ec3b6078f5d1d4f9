/**
 * The headline summary of `compare` folders made on the held-out seeds: per setting, each
 * algorithm's mean ± std at the checkpoints and the share of runs that queried the optimum, then
 * PredNAS minus every other algorithm paired by seed (mean ± s.e., wins/losses, ▲/▼ where
 * |mean| > 2 s.e.), then issue 18's targets checked against those numbers. Everything is computed
 * from the results files (the optimum from the benchmark table the run used); nothing is typed in.
 * Refuses folders whose seeds overlap the tuning seeds 0..99, so a tuning table cannot pass for
 * a headline one.
 *
 *   npx tsx bench/heldout-summary.ts results/heldout/nb201-* [--checkpoints 50,100]
 */
import { parseArgs } from 'node:util';
import { isLiveTask, loadLiveBenchmark } from '../src/io/mnist-task.js';
import { feasibility, parseConstraint } from '../src/nas/experiment/constraint.js';
import { readResultsFile } from '../src/io/results-file.js';
import { reportedMetric, type ExperimentResults, type RunResult } from '../src/nas/experiment/runner.js';
import { stats } from './paired-stats.js';

const { values, positionals } = parseArgs({ options: { checkpoints: { type: 'string' } }, allowPositionals: true });
if (positionals.length === 0) throw new Error('usage: heldout-summary.ts DIR... [--checkpoints 50,100]');

interface Setting { readonly dir: string; readonly res: ExperimentResults; readonly cps: number[] }
const settings: Setting[] = positionals.map((dir) => {
  const res = readResultsFile(dir) as ExperimentResults;
  const tuning = res.seeds.filter((s) => s >= 0 && s <= 99);
  if (tuning.length > 0) throw new Error(`${dir}: seeds ${tuning.slice(0, 3).join(', ')}… are tuning seeds (0..99); this summary is for held-out tables only`);
  // Default: half the budget (or the table's last checkpoint below it) and the budget.
  const made = Object.keys(Object.values(res.summary)[0] ?? {}).map(Number).filter((n) => n < res.budget);
  const half = Math.round(res.budget / 2);
  const cps = values.checkpoints !== undefined ? values.checkpoints.split(',').map(Number) : [made.includes(half) || made.length === 0 ? half : made.filter((n) => n <= half).at(-1) ?? made[0]!, res.budget];
  return { dir, res, cps };
});

const name = (s: Setting) => s.dir.replace(/\/$/, '').split('/').pop()!;
const runsOf = (res: ExperimentResults, algo: string) => new Map(res.runs.filter((r: RunResult) => r.algo === algo).map((r) => [r.seed, r]));
const algosOf = (res: ExperimentResults) => Object.keys(res.summary);
const found = (res: ExperimentResults, algo: string) => {
  const runs = [...runsOf(res, algo).values()];
  return runs.filter((r) => r.trajectory.some((p) => p.arch === res.optimum.arch)).length / runs.length;
};
const fmt = (x: number, d = 3) => `${x >= 0 ? '+' : ''}${x.toFixed(d)}`;

interface Diff { readonly mean: number; readonly se: number; readonly wins: number; readonly losses: number; readonly n: number }
function diff(res: ExperimentResults, a: string, b: string, n: number): Diff | null {
  const ra = runsOf(res, a), rb = runsOf(res, b);
  const d: number[] = [];
  for (const [seed, x] of ra) {
    const y = rb.get(seed);
    if (y !== undefined) d.push(reportedMetric(x.trajectory, n, res.protocol) - reportedMetric(y.trajectory, n, res.protocol));
  }
  if (d.length < 2) return null;
  const { mean, se } = stats(d);
  return { mean, se, wins: d.filter((x) => x > 1e-9).length, losses: d.filter((x) => x < -1e-9).length, n: d.length };
}
const significant = (d: Diff) => d.se > 0 && Math.abs(d.mean) > 2 * d.se;
const showDiff = (d: Diff | null) => (d === null ? '—' : `${fmt(d.mean)} ± ${d.se.toFixed(3)} (${d.wins}/${d.losses})${significant(d) ? (d.mean > 0 ? ' ▲' : ' ▼') : ''}`);
const meanAt = (res: ExperimentResults, algo: string, n: number) => res.summary[algo]?.[String(n)];

/** Live tasks under a constraint: how many queried networks satisfy it, from the space's analytic cost. */
function insideBudget(res: ExperimentResults): { ok: number; all: number } | null {
  if (!isLiveTask(res.space) || res.constraints.length === 0) return null;
  const space = loadLiveBenchmark({ space: res.space }).space;
  const ok = feasibility(res.constraints.map(parseConstraint), space, null, null)!;
  let n = 0, all = 0;
  for (const r of res.runs) for (const p of r.trajectory) { all++; if (ok(space.parse(p.arch))) n++; }
  return { ok: n, all };
}

for (const s of settings) {
  const { res, cps } = s;
  const seeds = `${Math.min(...res.seeds)}..${Math.max(...res.seeds)} (${res.seeds.length} seeds)`;
  console.log(`### ${name(s)}: ${res.space} ${res.dataset}${res.constraints.length ? ` · ${res.constraints.join(', ')}` : ''}${res.screening ? ` · screened ${res.screening.fidelity}:${res.screening.queries}:${res.screening.promote}` : ''} · protocol ${res.protocol} · seeds ${seeds}\n`);
  console.log(isLiveTask(res.space)
    ? `Best found by any run ${res.optimum.value.toFixed(3)} (a live task has no table optimum; the gap and "found optimum" below refer to this network). ${res.metricNote}\n`
    : `Optimum ${res.optimum.value.toFixed(3)} (computed from the table). ${res.metricNote}\n`);
  console.log(`| algorithm | ${cps.map((n) => `n=${n}`).join(' | ')} | gap to optimum n=${cps.at(-1)} | found optimum |`);
  console.log(`|---|${cps.map(() => '---').join('|')}|---|---|`);
  for (const a of algosOf(res)) {
    const cells = cps.map((n) => {
      const c = meanAt(res, a, n);
      return c === undefined ? '—' : `${c.mean.toFixed(2)} ± ${c.std.toFixed(2)}`;
    });
    const last = meanAt(res, a, cps.at(-1)!);
    console.log(`| ${a} | ${cells.join(' | ')} | ${last === undefined ? '—' : (res.optimum.value - last.mean).toFixed(3)} | ${(100 * found(res, a)).toFixed(0)} % |`);
  }
  console.log(`\n| prednas − | ${cps.map((n) => `n=${n}`).join(' | ')} |`);
  console.log(`|---|${cps.map(() => '---').join('|')}|`);
  for (const b of algosOf(res).filter((a) => a !== 'prednas')) console.log(`| ${b} | ${cps.map((n) => showDiff(diff(res, 'prednas', b, n))).join(' | ')} |`);
  console.log('\nPaired by seed: mean ± standard error (wins/losses); ▲/▼ where |mean| > 2 s.e.\n');
  const inside = insideBudget(res);
  if (inside !== null) console.log(`Queries inside ${res.constraints.join(', ')} (recomputed from the space's exact cost of every queried network): ${inside.ok} of ${inside.all} (${(100 * inside.ok / inside.all).toFixed(1)} %).\n`);
}

// Issue 18's targets, each checked where its setting is present.
const check = (ok: boolean) => (ok ? '✓' : '✗');
const lines: string[] = [];
const nb201 = settings.filter((s) => s.res.space === 'nb201' && s.res.constraints.length === 0 && !s.res.screening);
for (const s of nb201) {
  const n = s.res.budget, c = meanAt(s.res, 'prednas', n);
  if (c === undefined) continue;
  const gap = s.res.optimum.value - c.mean, f = found(s.res, 'prednas');
  lines.push(`- ${name(s)}: gap to the optimum at n=${n} ${gap.toFixed(3)} (target ≤ 0.1) ${check(gap <= 0.1)}; optimum queried in ${(100 * f).toFixed(0)} % of runs (target ≥ 90 %) ${check(f >= 0.9)}`);
  for (const b of ['rea', 'ls', 'random']) {
    for (const m of [Math.round(n / 2), n]) {
      const d = diff(s.res, 'prednas', b, m);
      if (d !== null) lines.push(`  - ahead of ${b} at n=${m}: ${showDiff(d)} ${check(d.mean > 0)}${d.mean > 0 && !significant(d) ? ' (not > 2 s.e.)' : ''}`);
    }
  }
}
for (const s of settings.filter((x) => x.res.space === 'nb201')) {
  const n = s.res.budget, d = diff(s.res, 'prednas', 'wen', n);
  if (d !== null) lines.push(`- ${name(s)}: ahead of the Wen control at n=${n}: ${showDiff(d)} ${check(d.mean > 0)}`);
}
const ascent = settings.map((s) => ({ s, d: diff(s.res, 'prednas', 'prednas-noascent', s.res.budget) })).filter((x) => x.d !== null) as { s: Setting; d: Diff }[];
if (ascent.length > 0) {
  const worse = ascent.filter((x) => significant(x.d) && x.d.mean < 0), better = ascent.filter((x) => significant(x.d) && x.d.mean > 0);
  const liveBetter = better.some((x) => isLiveTask(x.s.res.space));
  lines.push(`- ascent on vs off at the full budget: significantly worse in ${worse.length} of ${ascent.length} settings${worse.length ? ` (${worse.map((x) => name(x.s)).join(', ')})` : ''} (target 0) ${check(worse.length === 0)}; significantly better in ${better.length}${better.length ? ` (${better.map((x) => name(x.s)).join(', ')})` : ''} (target ≥ 3, one of them the large live space) ${check(better.length >= 3 && liveBetter)}`);
}
for (const s of settings.filter((x) => isLiveTask(x.res.space))) {
  const n = s.res.budget;
  const ds = ['wen', 'rea', 'random'].map((b) => ({ b, d: diff(s.res, 'prednas', b, n) })).filter((x) => x.d !== null) as { b: string; d: Diff }[];
  lines.push(`- large live space ${name(s)}: PredNAS ahead of ${ds.map(({ b, d }) => `${b} ${showDiff(d)} ${check(d.mean > 0)}${d.mean > 0 && !significant(d) ? ' (not > 2 s.e.)' : ''}`).join('; ')} at n=${n}`);
}
const macro = settings.filter((s) => s.res.space === 'nbmacro' || s.res.space === 'tnb101-macro');
if (macro.length > 0) {
  const ok = macro.filter((s) => (diff(s.res, 'prednas', 'wen', s.res.budget)?.mean ?? -1) >= 0);
  lines.push(`- macro spaces: PredNAS ≥ the Wen control at n=${macro[0]!.res.budget} in ${ok.length} of ${macro.length} settings (target ≥ 8 of 10) ${check(ok.length >= 8)}`);
}
if (lines.length > 0) console.log(`### Targets (issue 18), computed from the folders above\n\n${lines.join('\n')}`);
