/**
 * PredNAS ablations on a benchmark table, paired against stored runs of the same seeds (a committed
 * `results/<dir>/results.json`, e.g. the Wen control): every variant starts from the same 10 random
 * cells as the stored runs, so per-seed differences cancel most of the seed noise.
 *
 *   npx tsx bench/ablate-prednas.ts --dataset cifar100 --seeds 0..29 --against results/nb201-cifar100 \
 *     --variant 'pool200={"pool":200,"poolStarts":20}' [--variant ...] [--workers 2] [--space nb201]
 *
 * Prints, per variant and checkpoint, mean ± std and the paired difference (mean ± standard error,
 * wins/losses) against every algorithm stored in the --against results, and against the first
 * variant of this invocation. --backend js|wasm|auto picks the kernels (default js); --algo wen runs
 * the variants on the Wen control instead of PredNAS; --save DIR writes each variant's results to
 * DIR/<name>.json and --pair DIR/<name>.json (repeatable) pairs later invocations against them;
 * --screen 12ep:100:10 screens every run at a cheaper fidelity first (multi-fidelity; the paired
 * n then counts full trainings, as in `prednas compare --screen`).
 */
import { readResultsFile } from '../src/io/results-file.js';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { resolveDataDir } from '../src/io/data-dir.js';
import { runExperimentParallel } from '../src/io/parallel.js';
import { parseSeeds } from '../src/cli/args.js';
import { reportedMetric, type ExperimentResults, type RunResult } from '../src/nas/experiment/runner.js';
import type { PredNasOptions } from '../src/nas/search/prednas.js';
import type { Protocol } from '../src/nas/oracle.js';
import { pairedDiff, stats } from './paired-stats.js';
import { parseScreening } from '../src/nas/experiment/screening.js';

const { values } = parseArgs({
  options: {
    dataset: { type: 'string' }, seeds: { type: 'string' }, against: { type: 'string' }, space: { type: 'string' },
    variant: { type: 'string', multiple: true }, workers: { type: 'string' }, budget: { type: 'string' },
    constraint: { type: 'string', multiple: true }, protocol: { type: 'string' }, checkpoints: { type: 'string' },
    backend: { type: 'string' }, algo: { type: 'string' }, save: { type: 'string' },
    pair: { type: 'string', multiple: true }, encoding: { type: 'string' }, screen: { type: 'string' },
  },
});
const seeds = parseSeeds(values.seeds ?? '0..19');
// The research protocol: every ablation and default decision on the tuning seeds 0..99 only; the
// held-out seeds 500..599 are for headline tables made once the defaults are frozen.
const held = seeds.filter((s) => s < 0 || s > 99);
if (held.length > 0) throw new Error(`--seeds: ablations use the tuning seeds 0..99 only, got ${held.slice(0, 5).join(', ')}${held.length > 5 ? ', …' : ''} (held-out seeds are for headline tables; results/README.md)`);
const stored: ExperimentResults | null = values.against ? (readResultsFile(values.against) as ExperimentResults) : null;
// Earlier variants saved with --save (name.json): paired against too, labelled by file name.
const saved: [string, Map<number, RunResult>][] = (values.pair ?? []).map((f) => {
  const r = JSON.parse(readFileSync(f, 'utf8')) as ExperimentResults;
  return [basename(f, '.json'), new Map(r.runs.map((x) => [x.seed, x]))];
});
const protocol = (values.protocol ?? stored?.protocol ?? 'A') as Protocol;
const budget = Number(values.budget ?? stored?.budget ?? 100);
const checkpoints = (values.checkpoints ?? '50,100').split(',').map(Number);
// The variants' algorithm: PredNAS by default; 'wen' ablates the control with the same options.
const algo = (values.algo ?? 'prednas') as 'prednas' | 'wen';
if (algo !== 'prednas' && algo !== 'wen') throw new Error(`--algo: expected prednas or wen, got '${values.algo}'`);
const variants = (values.variant ?? ['default={}']).map((v) => {
  const i = v.indexOf('=');
  if (i < 0) throw new Error(`--variant: expected name=JSON, got '${v}'`);
  return { name: v.slice(0, i), opts: JSON.parse(v.slice(i + 1)) as PredNasOptions };
});

const bySeed = (runs: readonly RunResult[], algo: string) => new Map(runs.filter((r) => r.algo === algo).map((r) => [r.seed, r]));

// Later variants are also paired against the first one (same seeds, same backend, same code).
let first: { name: string; runs: Map<number, RunResult> } | null = null;
for (const v of variants) {
  const t0 = performance.now();
  const res = await runExperimentParallel({
    benchmark: { space: values.space ?? stored?.space ?? 'nb201', dataset: values.dataset ?? stored?.dataset ?? 'cifar10', dataDir: resolveDataDir(undefined), ...(values.encoding !== undefined ? { encoding: values.encoding } : {}) },
    algorithms: [algo], budget, seeds, protocol, constraints: values.constraint ?? stored?.constraints ?? [],
    algorithmOptions: { [algo]: v.opts },
    ...(values.backend !== undefined ? { backend: values.backend } : {}),
    ...(values.screen !== undefined ? { screening: parseScreening(values.screen) } : {}),
  }, { workers: Number(values.workers ?? 1) });
  const secs = (performance.now() - t0) / 1000;
  const mine = bySeed(res.runs, algo);
  if (values.save !== undefined) {
    mkdirSync(values.save, { recursive: true });
    writeFileSync(join(values.save, `${v.name}.json`), JSON.stringify({ ...res, variant: v }));
  }
  const fit = res.runs.reduce((a, r) => a + (r.timeMs.fit ?? 0), 0) / res.runs.length / 1000;
  const prop = res.runs.reduce((a, r) => a + (r.timeMs.propose ?? 0), 0) / res.runs.length / 1000;
  console.log(`\n## ${v.name} ${JSON.stringify(v.opts)} — ${seeds.length} seeds, ${secs.toFixed(0)} s (per run: fit ${fit.toFixed(2)} s, propose ${prop.toFixed(2)} s)`);
  for (const n of checkpoints) {
    const xs = seeds.map((s) => reportedMetric(mine.get(s)!.trajectory, n, protocol));
    const st = stats(xs);
    const parts = [`n=${n}: ${st.mean.toFixed(3)} ± ${st.sd.toFixed(2)}`];
    // Share of seeds whose reported metric is the table's optimum (found the optimum's architecture).
    if (stored) parts.push(`opt ${((100 * xs.filter((x) => x >= stored.optimum.value - 1e-9).length) / xs.length).toFixed(0)} %`);
    const pairs: [string, Map<number, RunResult>][] = first !== null ? [[`${first.name} (this run)`, first.runs]] : [];
    pairs.push(...saved.filter(([, m]) => seeds.every((s) => m.has(s))));
    for (const [name, other] of pairs) {
      const d = seeds.map((s, i) => xs[i]! - reportedMetric(other.get(s)!.trajectory, n, protocol));
      parts.push(`vs ${name} ${pairedDiff(d)}`);
    }
    if (stored) {
      for (const algo of Object.keys(stored.summary)) {
        const other = bySeed(stored.runs, algo);
        if (!seeds.every((s) => other.has(s))) continue;
        const d = seeds.map((s, i) => xs[i]! - reportedMetric(other.get(s)!.trajectory, n, protocol));
        parts.push(`vs ${algo} ${pairedDiff(d)}`);
      }
    }
    console.log(parts.join('  '));
  }
  first ??= { name: v.name, runs: mine };
}
