/** `prednas search`: one algorithm, one seed, on a benchmark; live progress; trajectory to --out. */
import { resolve } from 'node:path';
import { PREDICTOR_DEFAULTS } from '../../nas/predictors/neural.js';
import { loadBenchmark, loadScreening } from '../../io/benchmarks.js';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { runOne, reportedMetric } from '../../nas/experiment/runner.js';
import { parseConstraint } from '../../nas/experiment/constraint.js';
import { ALGORITHMS } from '../../nas/search/registry.js';
import { MlpSpace } from '../../nas/tasks/mlp-space.js';
import { RegNetDigitsSpace } from '../../nas/tasks/regnet-space.js';
import type { ChoiceArch } from '../../nas/spaces/choices.js';
import { packageVersion } from './version.js';
import { parseChoice, parseIntFlag } from '../args.js';
import { str, type Ctx } from '../context.js';
import { liveCacheStats } from '../../io/mnist-task.js';
import { algorithmOptions, benchmarkRequest, BENCH_FLAGS, CACHE_HELP, evaluationsLine, ROUND_FLAGS, ROUND_FLAGS_HELP, TASK_FLAG, constraintFlags, observedOracle, kernelBackend, screeningFlag, SCREEN_HELP } from './bench-common.js';

export const SEARCH_FLAGS = {
  ...BENCH_FLAGS, ...TASK_FLAG, algo: { type: 'string' }, budget: { type: 'string' }, seed: { type: 'string' },
  constraint: { type: 'string', multiple: true }, predictor: { type: 'string' }, epochs: { type: 'string' }, ...ROUND_FLAGS, backend: { type: 'string' }, out: { type: 'string' }, protocol: { type: 'string' },
  screen: { type: 'string' },
} as const;

export const SEARCH_HELP = `prednas search — one search run on a benchmark table

Usage: prednas search --space nb201|nb101|nbmacro|tnb101-macro|SPEC.json [options]
       prednas search --task mnist-mlp|mnist-regnet [options]

  --space S          nb201, nb101, nbmacro, tnb101-macro, or a JSON space spec (needs --dataset
                     synthetic[:SEED])
  --task T           mnist-mlp: a live task, every query trains the candidate MLP on MNIST
                     digits (~1 s each; try --constraint params<=50000); mnist-regnet: a live
                     RegNet-style CNN search, every query trains a residual bottleneck CNN
                     (~10-40 s each on one core; try --constraint flops<=300000, in MACs)
${CACHE_HELP}  --dataset D        cifar10 (default), cifar100, ImageNet16-120; a task for tnb101-macro (e.g.
                     class_scene; see prednas info); synthetic[:SEED] for spec files
  --algo A           ${ALGORITHMS.join(', ')} (default prednas)
  --budget N         queries (default 100)
  --seed S           (default 0)
  --constraint C     e.g. flops<=40, params<=1.5e6, latency:pixel3<=10 (repeatable)
  --predictor P      mlp (default) or gcn, for prednas and wen
  --encoding E       nb201: the MLP's input, onehot (default) or paths (one-hot + 100 path features)
  --epochs N         predictor training steps per round and member (default ${PREDICTOR_DEFAULTS.epochs})
${ROUND_FLAGS_HELP}  --backend B        kernels: js (default), wasm or auto (SIMD, ~1.8x faster; the NB-201 tables' setting)
  --protocol A|B     which metric the summary line reports (default A)
  --fidelity F       nb201: 200ep (default) or 12ep; nb101: 4ep..108ep; mnist-mlp, mnist-regnet: epochs per candidate (3ep, 2ep)
${SCREEN_HELP}  --data DIR         benchmark tables (default $PREDNAS_DATA, else ../shared/data)
  --out FILE         write the full trajectory as JSON (schema prednas.run/1)
  --json             print the result as JSON on stdout
  -q, --quiet        no progress on stderr
`;

function regnetLine(space: RegNetDigitsSpace, arch: ChoiceArch): string {
  const c = space.cost(arch);
  return `  network ${space.describe(arch)} (${c.flops!.toLocaleString('en-US')} MACs, ${c.params!.toLocaleString('en-US')} parameters; every query trained the candidate)`;
}

export function search(ctx: Ctx): void {
  const { v } = ctx;
  const req = benchmarkRequest(v);
  const screen = screeningFlag(v);
  const b = loadBenchmark(req);
  const algo = parseChoice('algo', str(v, 'algo'), ALGORITHMS, 'prednas');
  const seed = parseIntFlag('seed', str(v, 'seed'), 0, 0);
  const budget = parseIntFlag('budget', str(v, 'budget'), 100);
  const protocol = parseChoice('protocol', str(v, 'protocol'), ['A', 'B'] as const, 'A');
  const constraints = constraintFlags(v).map(parseConstraint);
  kernelBackend(v);
  const screening = screen !== undefined ? loadScreening(b, screen) : undefined;
  screening?.check(budget);
  const bar = ctx.progress(`${algo} ${b.oracle.benchmark}/${b.dataset}`);
  const oracle = observedOracle(b.oracle, (n) => bar.update(n, budget, 'queries'));
  const run = runOne({ oracle, space: b.space, dataset: b.dataset, algorithms: [algo], budget, seeds: [seed], constraints, algorithmOptions: algorithmOptions(v), ...(screening !== undefined ? { screening } : {}) }, algo, seed);
  bar.update(run.trajectory.length, budget, 'queries', true);
  bar.done();
  if (run.trajectory.length === 0) throw new Error(`${algo} proposed no architecture (are the constraints satisfiable?)`);
  const best = run.trajectory.reduce((a, p) => (p.val > a.val ? p : a));
  const reported = reportedMetric(run.trajectory, Infinity, protocol);
  const cache = liveCacheStats(b.oracle);
  const record = { schema: 'prednas.run/1', prednas: packageVersion(), space: b.space.name, benchmark: b.oracle.benchmark, dataset: b.dataset, protocol, budget, reported, best, ...run, ...(cache !== null ? { evalCache: cache } : {}) };
  const out = str(v, 'out');
  if (out !== undefined) writeFileAtomic(resolve(out), JSON.stringify(record, null, 1) + '\n');
  if (ctx.json) {
    ctx.out(JSON.stringify({ ...record, trajectory: undefined, out: out === undefined ? null : resolve(out) }));
    return;
  }
  const t = run.timeMs;
  ctx.out([
    `${algo} on ${b.oracle.benchmark}/${b.dataset}, seed ${seed}: ${run.trajectory.length} ${screening !== undefined ? 'full-fidelity ' : ''}queries in ${(t.total / 1000).toFixed(2)} s` +
      (t.fit !== undefined ? ` (predictor training ${(t.fit / 1000).toFixed(2)} s, proposals ${(t.propose! / 1000).toFixed(2)} s)` : ''),
    ...(screening !== undefined ? [`screened first: ${screening.queries} queries at ${screening.fidelity} (${screening.cost} full queries' worth), the ${screening.promote} best then trained in full`] : []),
    `best by validation: ${best.arch}`,
    ...(b.space instanceof MlpSpace ? [`  network ${b.space.describe(b.space.parse(best.arch))} (${b.space.cost(b.space.parse(best.arch)).params!.toLocaleString('en-US')} parameters; every query trained the candidate)`] : []),
    ...(b.space instanceof RegNetDigitsSpace ? [regnetLine(b.space, b.space.parse(best.arch))] : []),
    `  val ${best.val.toFixed(3)}  test ${best.test === null ? 'n/a' : best.test.toFixed(3)}  (query ${best.query})`,
    `reported (protocol ${protocol}): ${reported.toFixed(3)}`,
    ...(run.evaluations !== undefined ? [evaluationsLine([run], cache)] : []),
    ...(out !== undefined ? [`trajectory: ${resolve(out)}`] : []),
  ].join('\n'));
}
