/**
 * Summaries of macro-space comparisons (results.json.gz files written by `prednas compare`):
 * mean ± std per algorithm at each checkpoint, PredNAS minus each baseline paired by seed
 * (mean ± standard error, wins/losses), and the fraction of the optimum reached. Run from the
 * repository root:
 *   npx tsx results/tnb101-macro-summary/summarise.ts results/tnb101-macro-{class_scene,...} results/nbmacro-* > results/tnb101-macro-summary/summary.md
 *
 * Fraction of the optimum, per task (the metrics have different scales and signs):
 * - `ratio`: reported / optimum for the positive metrics; optimum / reported for room layout,
 *   whose stored metric is −L2 loss (so it is the ratio of losses, 1 = optimal);
 * - `range`: (reported − worst) / (optimum − worst), the share of the table's range closed
 *   (worst = the lowest value of any network in the table), 1 = optimal.
 */
import { readResultsFile } from '../../src/io/results-file.js';
import { loadTnb101Table } from '../../src/io/load-tnb101.js';
import type { ExperimentResults } from '../../src/nas/experiment/runner.js';
import { reportedMetric } from '../../src/nas/experiment/runner.js';
import { tnb101Task } from '../../src/nas/benchmarks/tnb101.js';

const folders = process.argv.slice(2);
if (folders.length === 0) throw new Error('usage: summarise.ts RESULTS_DIR...');
const tnbTable = folders.some((f) => f.includes('tnb101')) ? loadTnb101Table() : null;

const fmt = (x: number, d: number) => x.toFixed(d);
const meanOf = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const sdOf = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + (x - meanOf(xs)) ** 2, 0) / Math.max(1, xs.length - 1));

const out: string[] = [];
const fractionRows: string[] = [];
for (const dir of folders) {
  const r = readResultsFile(dir) as ExperimentResults;
  const algos = Object.keys(r.summary);
  const cps = Object.keys(r.summary[algos[0]!]!).map(Number);
  const digits = Math.abs(r.optimum.value) < 5 ? 4 : 2;
  const at = (algo: string, n: number) => r.seeds.map((s) => reportedMetric(r.runs.find((x) => x.algo === algo && x.seed === s)!.trajectory, n, r.protocol));
  out.push(`### ${dir} (${r.benchmark} · ${r.dataset}${r.constraints.length ? ` · ${r.constraints.join(', ')}` : ''}; optimum ${fmt(r.optimum.value, digits + 1)})`, '');
  const diffs: string[] = [];
  for (const base of algos.filter((a) => a !== 'prednas')) {
    // Checkpoints inside the shared initial sample (identical for every algorithm) say nothing.
    const parts = cps.filter((n) => at('prednas', n).some((v, i) => v !== at(base, n)[i])).map((n) => {
      const p = at('prednas', n), b = at(base, n);
      const d = p.map((v, i) => v - b[i]!);
      const wins = d.filter((x) => x > 1e-12).length, losses = d.filter((x) => x < -1e-12).length;
      return `n=${n}: ${d.length ? (meanOf(d) >= 0 ? '+' : '') + fmt(meanOf(d), digits + 1) : '–'} ± ${fmt(sdOf(d) / Math.sqrt(d.length), digits + 1)} (W/L ${wins}/${losses})`;
    });
    diffs.push(`prednas − ${base}  ${parts.join('  ')}`);
  }
  out.push('```', ...diffs, '```', '');
  if (r.benchmark === 'tnb101-macro' && tnbTable !== null) {
    const task = tnb101Task(r.dataset);
    const worst = Math.min(...tnbTable.metrics[task]);
    const opt = r.optimum.value;
    const n = Math.max(...cps);
    const cells = algos.map((a) => {
      const v = meanOf(at(a, n));
      const ratio = opt > 0 ? v / opt : opt / v;
      const range = (v - worst) / (opt - worst);
      const found = at(a, n).filter((x) => x >= opt - 1e-9).length;
      return `${fmt(ratio, 4)} / ${fmt(range, 3)} / ${found}/${r.seeds.length}`;
    });
    fractionRows.push(`| ${task} | ${fmt(opt, digits + 1)} | ${cells.join(' | ')} |`);
    if (fractionRows.length === 1) fractionRows.unshift(`| task | optimum | ${algos.join(' | ')} |`, `|---|---|${algos.map(() => '---').join('|')}|`);
  }
}
if (fractionRows.length > 0) {
  out.unshift('## Fraction of the optimum at the last checkpoint (ratio / range / runs that found the optimum)', '', ...fractionRows, '');
}
process.stdout.write(out.join('\n') + '\n');
