/** `prednas compare`: algorithms × seeds → results.json, table.md and SVG plots in --out DIR. */
import { resolve } from 'node:path';
import { PREDICTOR_DEFAULTS } from '../../nas/predictors/neural.js';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { RESULTS_FILE, writeResultsFile } from '../../io/results-file.js';
import { packageVersion } from './version.js';
import { configFromSpec, runExperimentParallel, type ExperimentSpec } from '../../io/parallel.js';
import { checkpointer, dropCheckpoints, loadCheckpoints, parseShard, shardSeeds, writeCompareInfo, UsageError as ShardUsageError } from '../../io/compare-shards.js';
import { resultsTable } from '../../nas/experiment/report.js';
import { assembleResults, reportedMetric, type RunResult } from '../../nas/experiment/runner.js';
import { ALGORITHMS, DEFAULT_ALGORITHMS } from '../../nas/search/registry.js';
import { bestSoFarSvg, finalDistributionSvg } from '../../nas/report/experiment-plots.js';
import { validateResults } from '../../nas/report/results-schema.js';
import { parseChoice, parseIntFlag, parseSeeds } from '../args.js';
import { need, str, UsageError, type Ctx } from '../context.js';
import { algorithmOptions, benchmarkRequest, BENCH_FLAGS, CACHE_HELP, ROUND_FLAGS, ROUND_FLAGS_HELP, TASK_FLAG, constraintFlags, kernelBackend, screeningFlag, SCREEN_HELP } from './bench-common.js';
import { loadBenchmark } from '../../io/benchmarks.js';
import { isLiveTask, liveCacheStats, recordRuns } from '../../io/mnist-task.js';
import type { ExperimentResults } from '../../nas/experiment/runner.js';

/** The results table of a live task, whose "optimum" is the best any run found (said so). */
function liveTable(res: ExperimentResults & { readonly prednas?: string }): string {
  const best = `Best found by any run (a live task has no table optimum: every query trained the candidate; "found optimum" counts runs that reached it): **${res.optimum.value.toFixed(3)}** (\`${res.optimum.arch}\`). ` +
    'Trained results are reused per network within a process (and from the evaluation cache, --cache), so "time / run" is lower for runs that re-query networks trained before.';
  const time = timePerQuery(res.runs);
  return `${resultsTable(res).replace(/^Optimum of the table.*$/m, () => best)}${time === null ? '' : `\n${time}\n`}`;
}

/**
 * Time per query of each algorithm on a live task. The training time is the one measured when
 * each network was trained, counted again for every query that reused it, so it is what a query
 * costs without any cache and does not depend on which runs shared a process or a cache file; the
 * wall time is what these runs took (predictor fitting included, reuse making it smaller).
 */
function timePerQuery(runs: readonly RunResult[]): string | null {
  // Runs made before prednas recorded evaluations (merged or resumed folders) have none to report.
  const algos = [...new Set(runs.filter((r) => r.evaluations !== undefined).map((r) => r.algo))];
  if (algos.length === 0) return null;
  const parts = algos.map((a) => {
    const mine = runs.filter((r) => r.algo === a && r.evaluations !== undefined);
    const q = mine.reduce((n, r) => n + r.trajectory.length, 0);
    const train = mine.reduce((n, r) => n + r.evaluations!.trainSeconds, 0);
    const wall = mine.reduce((n, r) => n + r.timeMs.total / 1000, 0);
    return `${a} ${(train / Math.max(1, q)).toFixed(2)} s (wall ${(wall / Math.max(1, q)).toFixed(2)} s)`;
  });
  const ev = runs.filter((r) => r.evaluations !== undefined);
  const q = ev.reduce((n, r) => n + r.trajectory.length, 0);
  const trained = ev.reduce((n, r) => n + r.evaluations!.trained, 0);
  return `Time per query: training, as measured when each network was trained (a reused result counts its training, so this is the cost without a cache): ${parts.join('; ')}. ` +
    `${trained} of ${q} queries trained a network; ${q - trained} reused a result (the evaluation cache, or an earlier run in the same process).`;
}

export const COMPARE_FLAGS = {
  ...BENCH_FLAGS, ...TASK_FLAG, algos: { type: 'string' }, budget: { type: 'string' }, seeds: { type: 'string' }, protocol: { type: 'string' },
  workers: { type: 'string' }, constraint: { type: 'string', multiple: true }, predictor: { type: 'string' }, epochs: { type: 'string' }, ...ROUND_FLAGS, backend: { type: 'string' }, out: { type: 'string' },
  checkpoints: { type: 'string' }, screen: { type: 'string' }, shard: { type: 'string' }, resume: { type: 'boolean' },
} as const;

export const COMPARE_HELP = `prednas compare — algorithms × seeds on a benchmark, with tables and plots

Usage: prednas compare --space nb201|nb101|nbmacro|tnb101-macro|SPEC.json --out DIR [options]
       prednas compare --task mnist-mlp|mnist-regnet --out DIR [options]

  --space S          nb201, nb101, nbmacro, tnb101-macro, or a JSON space spec (needs --dataset
                     synthetic[:SEED])
  --task T           mnist-mlp or mnist-regnet (RegNet-style CNNs; try --constraint
                     flops<=300000): a live task (every query trains the candidate; defaults become
                     --budget 50 --seeds 0..2; the table reports the best found by any run, as a
                     live task has no known optimum)
${CACHE_HELP}  --dataset D        cifar10 (default), cifar100, ImageNet16-120; a task for tnb101-macro (e.g.
                     class_scene; see prednas info); synthetic[:SEED] for spec files
  --algos LIST       comma list of ${ALGORITHMS.join(', ')}
                     (default ${DEFAULT_ALGORITHMS.join(',')}; prednas-noascent = prednas without
                     the ascent paths, prednas-paper = the plain loop of METHOD.md)
  --budget N         queries per run (default 100)
  --seeds SEEDS      LO..HI or a comma list (default 0..99)
  --protocol A|B     A: test metric of the best-by-validation architecture (default); B: best test
  --checkpoints LIST query counts summarised in the table (default 10,20,50,100,150)
  --workers N        worker threads (default 1); results are identical for any N
  --constraint C     e.g. flops<=40 (repeatable; hard filter on every query)
  --predictor P      mlp (default) or gcn
  --epochs N         predictor training steps per round and member (default ${PREDICTOR_DEFAULTS.epochs})
${ROUND_FLAGS_HELP}  --backend B        kernels: js (default), wasm or auto (SIMD, ~1.8x faster; the NB-201 tables' setting)
${SCREEN_HELP}  --fidelity F, --encoding E, --data DIR   as for search
  --out DIR          writes results.json.gz (gzipped JSON, schema prednas.results/1), table.md,
                     best-so-far.svg (regret on a log axis, or the metric for a live task; mean and
                     95 % Student-t band per algorithm), final-distribution.svg
  --shard I/N        run only the I-th (1..N) of N disjoint, contiguous slices of the seed list
                     (e.g. a Slurm array task: --shard $SLURM_ARRAY_TASK_ID/N); combine the
                     shards' folders with prednas merge
  --resume           keep the runs DIR already has (same settings): those of its finished
                     results, and those checkpointed in DIR/runs/ by a compare that did not finish
                     (every finished run is saved there until the results are written); run only
                     the missing ones (also: add seeds to a finished table)
  --json             print a JSON summary on stdout instead of the table
`;

/** compare's flags as an experiment (seeds: the whole list, before any --shard). */
export function compareSpec(v: Ctx['v']): { spec: ExperimentSpec; live: boolean } {
  const algos = (str(v, 'algos') ?? DEFAULT_ALGORITHMS.join(',')).split(',').map((s) => s.trim());
  for (const a of algos) parseChoice('algos', a, ALGORITHMS, 'prednas');
  if (new Set(algos).size !== algos.length) throw new UsageError(`--algos: '${str(v, 'algos')}' names an algorithm twice`);
  const cps = str(v, 'checkpoints');
  const screening = screeningFlag(v);
  const benchmark = benchmarkRequest(v);
  const live = isLiveTask(benchmark.space);
  const spec: ExperimentSpec = {
    benchmark,
    algorithms: algos,
    budget: parseIntFlag('budget', str(v, 'budget'), live ? 50 : 100),
    seeds: parseSeeds(str(v, 'seeds') ?? (live ? '0..2' : '0..99')),
    protocol: parseChoice('protocol', str(v, 'protocol'), ['A', 'B'] as const, 'A'),
    constraints: constraintFlags(v),
    algorithmOptions: algorithmOptions(v),
    backend: kernelBackend(v),
    ...(cps !== undefined ? { checkpoints: parseSeeds(cps, 'checkpoints').filter((n) => n > 0) } : {}),
    ...(screening !== undefined ? { screening } : {}),
  };
  return { spec, live };
}

/**
 * Write a compare folder from finished results: results.json.gz, table.md and the plots, each
 * atomically. `merge` writes through here too, so both give the same files for the same runs.
 */
export function writeCompareFolder(out: string, res: ExperimentResults, o: { command: string; live: boolean; backend: string | undefined; produced: string }): { results: ExperimentResults & { prednas: string }; table: string } {
  // The version that made them goes into results.json.gz and the table caption.
  const results = { ...res, prednas: packageVersion(), command: o.command, kernelBackend: o.backend };
  const table = `${o.live ? liveTable(results) : resultsTable(results)}\n${o.produced}\n`;
  validateResults(results);
  // Each file is written atomically (temporary file + rename): a crash leaves old or new, never half.
  writeResultsFile(out, results);
  writeFileAtomic(resolve(out, 'table.md'), table);
  writeFileAtomic(resolve(out, 'best-so-far.svg'), bestSoFarSvg(res, { optimumKnown: !o.live }));
  writeFileAtomic(resolve(out, 'final-distribution.svg'), finalDistributionSvg(res));
  return { results, table };
}

/** Runs in the order the serial runner makes them: seed by seed, algorithms in the given order. */
export function serialOrder(runs: readonly RunResult[], seeds: readonly number[], algorithms: readonly string[]): RunResult[] {
  const key = (r: RunResult) => seeds.indexOf(r.seed) * algorithms.length + algorithms.indexOf(r.algo);
  return [...runs].sort((a, b) => key(a) - key(b));
}

export async function compare(ctx: Ctx): Promise<void> {
  try {
    await compareRun(ctx);
  } catch (e) {
    throw e instanceof ShardUsageError ? new UsageError(e.message) : e;
  }
}

async function compareRun(ctx: Ctx): Promise<void> {
  const { v } = ctx;
  const out = resolve(need(v, 'out', 'a directory for results.json.gz, table.md and the plots'));
  const { spec: whole, live } = compareSpec(v);
  const shardText = str(v, 'shard');
  const shard = shardText === undefined ? null : parseShard(shardText, whole.seeds.length);
  const spec: ExperimentSpec = shard === null ? whole : { ...whole, seeds: shardSeeds(whole.seeds, shard) };
  const algos = spec.algorithms;
  const workers = parseIntFlag('workers', str(v, 'workers'), 1);
  const t0 = performance.now();
  // Checkpoints: every finished run is saved in out/runs/; --resume keeps those of the same settings.
  const done = new Map<string, RunResult>();
  const resume = v['resume'] === true;
  if (resume) {
    for (const r of loadCheckpoints(out, spec, packageVersion())) done.set(`${r.algo}\u0000${r.seed}`, r);
    ctx.note(`compare: resuming: ${done.size} of ${algos.length * spec.seeds.length} runs are already made in ${out}`);
  }
  const checkpointRun = checkpointer(out, spec, packageVersion(), !resume);
  const bar = ctx.progress('compare');
  const total = algos.length * spec.seeds.length;
  bar.update(done.size, total, '', true);
  // A live task's summary needs every trained architecture: runs from worker threads are
  // recorded into this process's task (the one the summary is computed with).
  const liveOracle = live ? loadBenchmark(spec.benchmark).oracle : null;
  if (liveOracle !== null) recordRuns(liveOracle, [...done.values()]);
  const missing = (a: string) => spec.seeds.filter((s) => !done.has(`${a}\u0000${s}`));
  // One experiment over everything missing when that is a full grid (the usual case, best use of
  // the workers); otherwise one per algorithm over its missing seeds. Runs are pure functions of
  // (settings, algorithm, seed), so how they are grouped does not change any of them.
  const sameMissing = algos.every((a) => missing(a).join() === missing(algos[0]!).join());
  const parts: ExperimentSpec[] = sameMissing ? [{ ...spec, seeds: missing(algos[0]!) }] : algos.map((a) => ({ ...spec, algorithms: [a], seeds: missing(a) }));
  for (const part of parts.filter((p) => p.seeds.length > 0)) {
    await runExperimentParallel(part, {
      workers,
      onRun: (r) => {
        checkpointRun(r);
        done.set(`${r.algo}\u0000${r.seed}`, r);
        if (liveOracle !== null) recordRuns(liveOracle, [r]);
        const best = reportedMetric(r.trajectory, Infinity, spec.protocol);
        bar.update(done.size, total, `runs · last ${r.algo} seed ${r.seed}: ${best.toFixed(2)}`);
      },
    });
  }
  bar.update(total, total, 'runs', true);
  bar.done();
  const res = assembleResults(configFromSpec(spec), serialOrder([...done.values()], spec.seeds, algos));
  const command = `prednas ${process.argv.slice(2).join(' ')}`;
  const secs = (performance.now() - t0) / 1000;
  const { results, table } = writeCompareFolder(out, res, {
    command, live, backend: spec.backend,
    produced: `Produced by \`${command}\` in ${secs.toFixed(0)} s (${workers} worker${workers === 1 ? '' : 's'}).`,
  });
  // What merge needs to check and combine shards: the settings, the whole seed list, the shard.
  writeCompareInfo(out, { spec, allSeeds: whole.seeds, shard, command, prednas: results.prednas });
  dropCheckpoints(out);
  const cache = liveOracle === null ? null : liveCacheStats(liveOracle);
  if (ctx.json) {
    // Live tasks: the queries' evaluations summed over the runs, and the main process's cache counts.
    const ev = res.runs.filter((r) => r.evaluations !== undefined).map((r) => r.evaluations!);
    const evaluations = live ? { trained: ev.reduce((a, e) => a + e.trained, 0), reused: ev.reduce((a, e) => a + e.reused, 0), trainSeconds: ev.reduce((a, e) => a + e.trainSeconds, 0) } : undefined;
    ctx.out(JSON.stringify({ schema: res.schema, out, files: [RESULTS_FILE, 'table.md', 'best-so-far.svg', 'final-distribution.svg'], optimum: res.optimum, summary: res.summary, seconds: secs, ...(evaluations ? { evaluations } : {}), ...(cache !== null ? { evalCache: cache } : {}) }));
    return;
  }
  ctx.out(table);
  // The main process's own lookups only: worker threads keep their own counts (the table's line counts every query).
  if (cache !== null) ctx.note(`evaluation cache ${cache.file}: ${cache.entries} records${cache.readOnly ? ' (read only)' : ''}; this process: ${cache.hits} hits, ${cache.written} new`);
  ctx.note(`wrote ${out}/{${RESULTS_FILE},table.md,best-so-far.svg,final-distribution.svg}`);
}
