/**
 * Live tasks by name for the CLI and worker threads (Node: the digits come from the `mnist`
 * package). One task object per settings per process: its oracle's cache then serves every run
 * of an experiment in this process, and the experiment's summary sees every trained architecture
 * (results from worker threads are recorded into it, see `recordRuns`).
 */
import type { ChoiceArch } from '../nas/spaces/choices.js';
import type { Oracle } from '../nas/oracle.js';
import type { SearchSpace } from '../nas/space.js';
import type { RunResult } from '../nas/experiment/runner.js';
import { LiveOracle } from '../nas/tasks/live-oracle.js';
import { mnistMlpTask, MNIST_MLP_DEFAULTS, type LiveTask } from '../nas/tasks/mnist-mlp.js';
import { mnistRegNetTask, MNIST_REGNET_DEFAULTS, type RegNetTask } from '../nas/tasks/mnist-regnet.js';
import { loadMnistDigits } from './mnist.js';

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
}

/** The benchmark view of a live task (what loadBenchmark returns for `mnist-mlp` or `mnist-regnet`). */
export function loadLiveBenchmark(req: LiveRequest): { oracle: Oracle<unknown>; space: SearchSpace<unknown>; dataset: string } {
  if (!isLiveTask(req.space)) throw new Error(`unknown live task '${req.space}'; available: ${LIVE_TASKS.join(', ')}`);
  const epochs = liveEpochs(req.fidelity, req.space);
  const task = req.space === 'mnist-regnet' ? loadMnistRegNetTask(epochs) : loadMnistMlpTask(epochs);
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
