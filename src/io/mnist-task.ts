/**
 * Live tasks by name for the CLI and worker threads (Node: the digits come from the `mnist`
 * package). One task object per settings per process: its oracle's cache then serves every run
 * of an experiment in this process, and the experiment's summary sees every trained architecture
 * (results from worker threads are recorded into it, see `recordRuns`).
 */
import type { ChoiceArch } from '../nas/spaces/choices.js';
import type { Oracle } from '../nas/oracle.js';
import { resolve } from 'node:path';
import type { ArchCost, SearchSpace } from '../nas/space.js';
import type { RunResult } from '../nas/experiment/runner.js';
import { LiveOracle } from '../nas/tasks/live-oracle.js';
import { mnistMlpTask, MNIST_MLP_DEFAULTS, type LiveTask } from '../nas/tasks/mnist-mlp.js';
import { mnistRegNetTask, MNIST_REGNET_DEFAULTS, type RegNetTask } from '../nas/tasks/mnist-regnet.js';
import { trainMlp } from '../nas/tasks/train-mlp.js';
import { trainRegNetDigits } from '../nas/tasks/regnet-train.js';
import type { DigitSplit, Examples } from '../nas/tasks/digits.js';
import { currentBackend } from '../kernels/registry.js';
import { loadMnistDigits } from './mnist.js';
import { sha256 } from './sha256.js';
import { EvalCacheFile, type EvalCacheRequest, type EvalCacheStats } from './eval-cache.js';

export const LIVE_TASKS = ['mnist-mlp', 'mnist-regnet'] as const;

export function isLiveTask(name: string): boolean {
  return (LIVE_TASKS as readonly string[]).includes(name);
}

/** `--fidelity` of a live task: training epochs per candidate, e.g. '1ep' or '5ep' (default: the task's, 3 for both). */
export function liveEpochs(fidelity: string | undefined, task: string = 'mnist-mlp'): number {
  const def = task === 'mnist-regnet' ? MNIST_REGNET_DEFAULTS.epochs : MNIST_MLP_DEFAULTS.epochs;
  if (fidelity === undefined) return def;
  const m = /^(\d+)ep$/.exec(fidelity.trim());
  const e = m ? Number(m[1]) : NaN;
  if (!(e >= 1 && e <= 100)) throw new Error(`--fidelity: expected training epochs per candidate as Nep with 1 <= N <= 100 for ${task} (default ${def}ep), got '${fidelity}'`);
  return e;
}

const tasks = new Map<string, LiveTask<ChoiceArch>>();

export function loadMnistMlpTask(epochs: number = MNIST_MLP_DEFAULTS.epochs): LiveTask<ChoiceArch> {
  const key = `epochs=${epochs}`;
  let t = tasks.get(key);
  if (t === undefined) {
    t = mnistMlpTask(loadMnistDigits(), { epochs });
    tasks.set(key, t);
  }
  return t;
}

const regnetTasks = new Map<number, RegNetTask>();

export function loadMnistRegNetTask(epochs: number = MNIST_REGNET_DEFAULTS.epochs): RegNetTask {
  let t = regnetTasks.get(epochs);
  if (t === undefined) {
    t = mnistRegNetTask(loadMnistDigits(), { epochs });
    regnetTasks.set(epochs, t);
  }
  return t;
}

export interface LiveRequest {
  readonly space: string;
  readonly dataset?: string;
  readonly fidelity?: string;
  /** A persistent evaluation cache file (src/io/eval-cache.ts); absent: results live in memory only. */
  readonly cache?: EvalCacheRequest;
}

/** The first n examples of a set (views, no copy). */
function head(ex: Examples, n: number): Examples {
  const m = Math.min(n, ex.n);
  return { n: m, dim: ex.dim, x: ex.x.subarray(0, m * ex.dim), y: ex.y.subarray(0, m) };
}

/** sha256 of the tensors a task trains and scores on (covers the digits' source and the resolution). */
function dataDigest(d: DigitSplit): string {
  const h: string[] = [];
  for (const ex of [d.train, d.val, d.test]) h.push(`${ex.n}x${ex.dim}`, sha256(new Uint8Array(ex.x.buffer, ex.x.byteOffset, ex.x.byteLength)), sha256(ex.y));
  return sha256(h.join('\n'));
}

/**
 * The engine canary of a task: exact losses and accuracies of a few tiny fixed trainings through
 * the task's own trainer (a few milliseconds for the MLPs, well under a second for the CNN). Any
 * change of initialisation, kernels, autograd or optimiser changes these bits, so it changes
 * every cache key: a cache never serves results of an engine that would now compute otherwise.
 * The configurations cover each activation, dropout, depth > 1; grouped, depthwise and
 * bottleneck convolutions, identity and projection shortcuts.
 */
function mlpCanary(d: DigitSplit): string {
  const train = head(d.train, 64), val = head(d.val, 64);
  const cfgs = [
    { hidden: [16, 8], activation: 'relu', lr: 0.01, dropout: 0.1 },
    { hidden: [8], activation: 'tanh', lr: 0.005, dropout: 0 },
    { hidden: [8], activation: 'silu', lr: 0.02, dropout: 0.2 },
  ] as const;
  return JSON.stringify(cfgs.map((c, i) => {
    const r = trainMlp({ ...c, hidden: [...c.hidden] }, train, [val], { epochs: 1, batchSize: 16, seed: 1000 + i });
    return [r.finalLoss, r.accuracies];
  }));
}

function regnetCanary(d: DigitSplit, side: number): string {
  const cfg = {
    side, classes: 10, stemWidth: 8,
    stages: [{ depth: 2, width: 8, groupWidth: 2, bottleneck: 2 }, { depth: 1, width: 16, groupWidth: 4, bottleneck: 1 }, { depth: 1, width: 8, groupWidth: 1, bottleneck: 1 }],
  };
  const r = trainRegNetDigits(cfg, head(d.train, 32), [head(d.val, 32)], { epochs: 1, batchSize: 16, lr: 0.01, seed: 1000 });
  return JSON.stringify([r.finalLoss, r.accuracies]);
}

const stores = new WeakMap<object, EvalCacheFile<ChoiceArch>>();

/** The evaluation cache a live oracle reads and writes, with its counts (null: none). */
export function liveCacheStats(oracle: Oracle<unknown>): EvalCacheStats | null {
  return stores.get(oracle)?.stats() ?? null;
}

/** Attach the cache file to a task's oracle (once per oracle; a second file for the same task is an error). */
interface CacheableTask {
  readonly oracle: LiveOracle<ChoiceArch>;
  readonly space: { toString(a: ChoiceArch): string; cost(a: ChoiceArch): ArchCost };
  readonly settings: object;
  readonly data: DigitSplit;
}

function attachCache(name: string, task: CacheableTask, req: EvalCacheRequest, canary: () => string): void {
  const have = stores.get(task.oracle);
  if (have !== undefined) {
    if (have.file !== resolve(req.file)) throw new Error(`--cache: this process already uses ${have.file} for ${name}, got ${req.file}`);
    return;
  }
  const store = new EvalCacheFile<ChoiceArch>(req.file, {
    task: name,
    describe: (a) => task.space.toString(a),
    cost: (a) => task.space.cost(a),
    // Computed on the first lookup, under the kernel backend the runs use.
    context: () => ({ prednas: req.prednas, settings: task.settings, data: dataDigest(task.data), kernels: currentBackend(), engine: canary() }),
  });
  stores.set(task.oracle, store);
  task.oracle.useStore(store);
}

/** The benchmark view of a live task (what loadBenchmark returns for `mnist-mlp` or `mnist-regnet`). */
export function loadLiveBenchmark(req: LiveRequest): { oracle: Oracle<unknown>; space: SearchSpace<unknown>; dataset: string } {
  if (!isLiveTask(req.space)) throw new Error(`unknown live task '${req.space}'; available: ${LIVE_TASKS.join(', ')}`);
  const epochs = liveEpochs(req.fidelity, req.space);
  const task = req.space === 'mnist-regnet' ? loadMnistRegNetTask(epochs) : loadMnistMlpTask(epochs);
  if (req.cache !== undefined) {
    const side = Math.round(Math.sqrt(task.data.train.dim));
    attachCache(req.space, task, req.cache, req.space === 'mnist-regnet' ? () => regnetCanary(task.data, side) : () => mlpCanary(task.data));
  }
  const dataset = task.oracle.dataset(req.dataset ?? task.dataset);
  return { oracle: task.oracle as Oracle<unknown>, space: task.space as SearchSpace<unknown>, dataset };
}

/**
 * Tell a live oracle about runs finished elsewhere (worker threads), so that its best-found
 * value covers every architecture any run trained. No-op for table oracles.
 */
export function recordRuns(oracle: Oracle<unknown>, runs: readonly RunResult[]): void {
  if (!(oracle instanceof LiveOracle)) return;
  for (const r of runs) {
    for (const p of r.trajectory) if (p.test !== null) oracle.record(oracle.space.parse(p.arch), { val: p.val, test: p.test });
  }
}
