/**
 * Paired differences between algorithms of `prednas compare` results (same seeds, same initial
 * sample): PredNAS minus every other algorithm: mean with its 95 % Student-t interval over the
 * seeds, wins/losses and the exact Wilcoxon signed-rank p-value (`*`: p < 0.05).
 * `--vs OLD_DIR` adds PredNAS minus each algorithm of an older results folder of the same setting
 * (e.g. the tables made before a default changed), labelled `old <algo>`.
 *
 *   npx tsx bench/paired.ts results/nb201-cifar100 [--vs OLD_DIR] [--checkpoints 50,100]
 */
import { parseArgs } from 'node:util';
import { reportedMetric, type ExperimentResults } from '../src/nas/experiment/runner.js';
import { readResultsFile } from '../src/io/results-file.js';
import { pairedDiff } from './paired-stats.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { vs: { type: 'string' }, checkpoints: { type: 'string' } } });
if (positionals.length === 0) throw new Error('usage: paired.ts RESULTS_DIR... [--vs OLD_DIR] [--checkpoints 50,100]');
const cps = (values.checkpoints ?? '50,100').split(',').map(Number);
const load = (dir: string) => readResultsFile(dir) as ExperimentResults;

for (const dir of positionals) {
  const r = load(dir);
  const old = values.vs !== undefined ? load(values.vs) : null;
  const metric = (res: ExperimentResults, algo: string, seed: number, n: number) => {
    const run = res.runs.find((x) => x.algo === algo && x.seed === seed);
    if (run === undefined) throw new Error(`${algo} seed ${seed} missing`);
    return reportedMetric(run.trajectory, n, res.protocol);
  };
  const others: [string, ExperimentResults, string][] = Object.keys(r.summary).filter((a) => a !== 'prednas').map((a) => [a, r, a]);
  if (old) for (const a of Object.keys(old.summary)) others.push([`old ${a}`, old, a]);
  for (const [label, res, algo] of others) {
    const parts = cps.map((n) => `n=${n}: ${pairedDiff(r.seeds.map((s) => metric(r, 'prednas', s, n) - metric(res, algo, s, n)))}`);
    // Seeds where only one of the two queried the optimum's architecture within the budget.
    const hit = (res: ExperimentResults, a: string, s: number) => res.runs.find((x) => x.algo === a && x.seed === s)!.trajectory.some((p) => p.arch === r.optimum.arch);
    const onlyMine = r.seeds.filter((s) => hit(r, 'prednas', s) && !hit(res, algo, s)).length;
    const onlyTheirs = r.seeds.filter((s) => !hit(r, 'prednas', s) && hit(res, algo, s)).length;
    parts.push(`optimum found by only one: prednas ${onlyMine}, ${label} ${onlyTheirs}`);
    console.log(`${dir.replace(/\/$/, '').split('/').pop()} prednas − ${label} ${parts.join('  ')}`);
  }
}
