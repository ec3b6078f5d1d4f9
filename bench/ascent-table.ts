/**
 * "Does the ascent help, where, by how much": from `compare` folders that ran prednas,
 * prednas-noascent and wen on the same seeds, one markdown table of paired differences at half and
 * the full budget, or at the given checkpoints (mean ± s.e., wins/losses, and whether the mean
 * exceeds 2 s.e.), followed by where each algorithm's queries came from (sourceBreakdown: queries,
 * their mean validation value, and how many runs' best cell each source supplied).
 *
 *   npx tsx bench/ascent-table.ts results/nb201-cifar10 results/nb201-cifar100 ... [--checkpoints 50,100]
 */
import { parseArgs } from 'node:util';
import { readResultsFile } from '../src/io/results-file.js';
import { reportedMetric, type ExperimentResults, type RunResult } from '../src/nas/experiment/runner.js';
import { sourceBreakdown } from '../src/nas/experiment/sources.js';
import { stats } from './paired-stats.js';

const { values, positionals } = parseArgs({ options: { checkpoints: { type: 'string' } }, allowPositionals: true });
if (positionals.length === 0) throw new Error('usage: ascent-table.ts DIR... [--checkpoints 50,100]');
// Default: half the budget and the full budget of each table (tables of 50, 100 and 150 queries
// sit in one table); --checkpoints fixes the n's, and a cell past a table's budget is left empty.
const fixed = values.checkpoints?.split(',').map(Number);
const cpsOf = (r: ExperimentResults) => fixed ?? [Math.round(r.budget / 2), r.budget];
const cpLabels = fixed?.map((n) => `n=${n}`) ?? ['half budget', 'full budget'];
const PAIRS: [string, string][] = [['prednas', 'prednas-noascent'], ['prednas', 'wen'], ['prednas-noascent', 'wen']];

const label = (r: ExperimentResults) => `${r.space} ${r.dataset}${r.constraints.length > 0 ? ` ${r.constraints.join(', ')}` : ''}${r.screening ? ` (screened ${r.screening.fidelity}:${r.screening.queries}:${r.screening.promote})` : ''}`;

function paired(res: ExperimentResults, a: string, b: string, n: number): string {
  const by = (algo: string) => new Map(res.runs.filter((r: RunResult) => r.algo === algo).map((r) => [r.seed, r]));
  const ra = by(a), rb = by(b);
  const d: number[] = [];
  for (const [seed, x] of ra) {
    const y = rb.get(seed);
    if (y !== undefined) d.push(reportedMetric(x.trajectory, n, res.protocol) - reportedMetric(y.trajectory, n, res.protocol));
  }
  if (d.length === 0) return '—';
  const { mean, se } = stats(d);
  const sig = Math.abs(mean) > 2 * se && se > 0 ? (mean > 0 ? ' ▲' : ' ▼') : '';
  return `${mean >= 0 ? '+' : ''}${mean.toFixed(3)} ± ${se.toFixed(3)} (${d.filter((x) => x > 1e-9).length}/${d.filter((x) => x < -1e-9).length})${sig}`;
}

const all = positionals.map((dir) => ({ dir, res: readResultsFile(dir) as ExperimentResults }));
const seedsOf = (r: ExperimentResults) => `${Math.min(...r.seeds)}..${Math.max(...r.seeds)} (${r.seeds.length})`;
console.log(`| setting | seeds | budget | ${PAIRS.flatMap(([a, b]) => cpLabels.map((l) => `${a} − ${b} ${l}`)).join(' | ')} |`);
console.log(`|---|---|---|${PAIRS.flatMap(() => cpLabels.map(() => '---')).join('|')}|`);
for (const { res } of all) console.log(`| ${label(res)} | ${seedsOf(res)} | ${res.budget} | ${PAIRS.flatMap(([a, b]) => cpsOf(res).map((n) => (n > res.budget ? '—' : paired(res, a, b, n)))).join(' | ')} |`);
console.log('\nPaired by seed: mean ± standard error (wins/losses); ▲/▼ where |mean| > 2 s.e.\n');

console.log('| setting | algorithm | source: queries, mean val, runs whose best it supplied |');
console.log('|---|---|---|');
for (const { res } of all) {
  for (const algo of ['prednas', 'prednas-noascent', 'wen']) {
    const b = sourceBreakdown(res.runs, algo);
    const parts = Object.entries(b).sort((x, y) => y[1].queries - x[1].queries).map(([k, s]) => `${k} ${s.queries}, ${s.meanVal.toFixed(2)}, ${s.bestOfRun}`);
    if (parts.length > 0) console.log(`| ${label(res)} | ${algo} | ${parts.join('; ')} |`);
  }
}
