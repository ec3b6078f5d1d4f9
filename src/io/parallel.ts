/**
 * Run an experiment's (algorithm, seed) jobs on worker threads from a pull queue: a worker that
 * finishes a run is handed the next job, so slow jobs (PredNAS fits predictors; random search
 * does not) spread over the workers instead of piling up on the one an up-front split gave them.
 * Each run is a pure function of its config and seed, so the results are identical to the serial
 * runner's; runs are put back in the serial order before summarising.
 */
import { Worker } from 'node:worker_threads';
import { assembleResults, runExperiment, validateConfig, type ExperimentConfig, type ExperimentResults, type RunResult } from '../nas/experiment/runner.js';
import type { AlgorithmOptions } from '../nas/search/registry.js';
import { parseConstraint } from '../nas/experiment/constraint.js';
import type { Protocol } from '../nas/oracle.js';
import { loadBenchmark, loadScreening, type BenchmarkRequest } from './benchmarks.js';
import type { ScreeningSpec } from '../nas/experiment/screening.js';
import { setBackend } from '../kernels/registry.js';

/** Everything a worker needs, as plain data. */
export interface ExperimentSpec {
  readonly benchmark: BenchmarkRequest;
  readonly algorithms: readonly string[];
  readonly budget: number;
  readonly seeds: readonly number[];
  readonly protocol: Protocol;
  readonly constraints: readonly string[];
  readonly algorithmOptions?: AlgorithmOptions;
  readonly checkpoints?: readonly number[];
  /** Kernel backend for every run ('js' default, 'wasm', 'auto'); applied in each worker too. */
  readonly backend?: string;
  /** Screen at a cheaper fidelity first (multi-fidelity; src/nas/experiment/screening.ts). */
  readonly screening?: ScreeningSpec;
}

export function configFromSpec(spec: ExperimentSpec, onRun?: ExperimentConfig<unknown>['onRun']): ExperimentConfig<unknown> {
  const b = loadBenchmark(spec.benchmark);
  return {
    oracle: b.oracle,
    space: b.space,
    dataset: b.dataset,
    algorithms: spec.algorithms,
    budget: spec.budget,
    seeds: spec.seeds,
    protocol: spec.protocol,
    constraints: spec.constraints.map(parseConstraint),
    ...(spec.algorithmOptions ? { algorithmOptions: spec.algorithmOptions } : {}),
    ...(spec.checkpoints ? { checkpoints: spec.checkpoints } : {}),
    ...(spec.screening ? { screening: loadScreening(b, spec.screening) } : {}),
    ...(onRun ? { onRun } : {}),
  };
}

export interface ParallelOptions {
  readonly workers: number;
  readonly onRun?: (run: RunResult, done: number, total: number) => void;
  /** Called when a worker is handed a job (worker index 0..n-1): lets tests see the schedule. */
  readonly onAssign?: (worker: number, job: Job) => void;
}

export interface Job {
  readonly algo: string;
  readonly seed: number;
}

/** What the main thread sends a worker: the next job, or null when the queue is empty (exit). */
export type WorkerMessage = Job | null;

export async function runExperimentParallel(spec: ExperimentSpec, opts: ParallelOptions): Promise<ExperimentResults> {
  if (spec.backend !== undefined) setBackend(spec.backend);
  if (opts.workers <= 1) return runExperiment(configFromSpec(spec, opts.onRun));
  const cfg = configFromSpec(spec);
  validateConfig(cfg);
  const jobs: Job[] = spec.seeds.flatMap((seed) => spec.algorithms.map((algo) => ({ algo, seed })));
  const n = Math.min(opts.workers, jobs.length);
  let next = 0;
  // From source (tsx, vitest) the worker is TypeScript and needs the tsx loader; from dist it is JS.
  const fromSource = import.meta.url.endsWith('.ts');
  const url = new URL(`./experiment-worker${fromSource ? '.ts' : '.js'}`, import.meta.url);
  // Node 20 does not carry tsx's loader hooks into workers, so a source-mode worker registers
  // them itself before importing the TypeScript entry (Node-only edge code, never in the core).
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
  const makeWorker = (workerData: unknown) => (fromSource ? new Worker(boot, { eval: true, workerData }) : new Worker(url, { workerData }));
  const results: RunResult[] = [];
  await Promise.all(Array.from({ length: n }, (_, index) => new Promise<void>((resolve, reject) => {
    const w = makeWorker({ spec });
    // Hand out the next job (messages wait in the port until the worker has loaded its benchmark).
    const feed = () => {
      const job = next < jobs.length ? jobs[next++]! : null;
      if (job !== null) opts.onAssign?.(index, job);
      w.postMessage(job satisfies WorkerMessage);
    };
    w.on('message', (r: RunResult) => {
      results.push(r);
      opts.onRun?.(r, results.length, jobs.length);
      feed();
    });
    w.on('error', reject);
    w.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`experiment worker ${index} exited with code ${code}`))));
    feed();
  })));
  if (results.length !== jobs.length) throw new Error(`experiment workers returned ${results.length} runs, expected ${jobs.length}`);
  const key = (r: { algo: string; seed: number }) => `${r.seed}\u0000${spec.algorithms.indexOf(r.algo)}`;
  const order = new Map(jobs.map((j, i) => [key(j), i]));
  results.sort((a, b) => order.get(key(a))! - order.get(key(b))!);
  return assembleResults(cfg, results);
}
