/**
 * One search job as the browser worker runs it, written against web-platform APIs only
 * (Blob, DecompressionStream, performance), so it runs unchanged in a Web Worker, in Node ≥ 20
 * (the unit test) and in edge runtimes. No Node built-ins, no eval.
 *
 * The page posts a `JobRequest`; the job reports every query (`progress`, with the best-so-far
 * plot as an SVG string) and ends with `done` (the downloadable result record) or `error`.
 */
import { observeOracle } from '../nas/observe-oracle.js';
import { backendStats, currentBackend, resetBackendStats, setBackend, unavailableBackends } from '../kernels/registry.js';
import { nb201Oracle, parseNb201Table } from '../nas/benchmarks/nb201.js';
import { formatConstraint, parseConstraint } from '../nas/experiment/constraint.js';
import { runOne, type TrajectoryPoint } from '../nas/experiment/runner.js';
import type { Oracle, QueryResult } from '../nas/oracle.js';
import type { SearchSpace } from '../nas/space.js';
import { nb201Space } from '../nas/spaces/nb201.js';
import { ALGORITHMS } from '../nas/search/registry.js';
import { parseDigits } from '../nas/tasks/digits.js';
import { bestPoint, liveCurveSvg } from '../nas/tasks/live-report.js';
import { mnistMlpTask } from '../nas/tasks/mnist-mlp.js';
import { mnistRegNetTask } from '../nas/tasks/mnist-regnet.js';

export const RESULT_SCHEMA = 'prednas.browser-run/1';

interface Common {
  readonly algo: string;
  readonly budget: number;
  readonly seed: number;
  /** e.g. 'params<=50000' or 'flops<=40'; null for none. */
  readonly constraint: string | null;
  /** Kernel backend selection: 'auto' (default), 'js', 'wasm'. */
  readonly backend?: string;
}

export type JobRequest =
  | (Common & { readonly task: 'mnist-mlp' | 'mnist-regnet'; readonly digits: ArrayBuffer | Uint8Array; readonly epochs?: number; readonly trainImages?: number })
  | (Common & { readonly task: 'nb201'; readonly table: Blob; readonly dataset: string });

export interface ProgressEvent {
  readonly type: 'progress';
  readonly query: number;
  readonly budget: number;
  readonly arch: string;
  readonly val: number;
  readonly test: number | null;
  readonly best: { readonly arch: string; readonly val: number; readonly test: number | null };
  readonly svg: string;
}

export type JobEvent = { readonly type: 'status'; readonly text: string } | ProgressEvent | { readonly type: 'done'; readonly result: JobResult } | { readonly type: 'error'; readonly message: string };

export interface JobResult {
  readonly schema: typeof RESULT_SCHEMA;
  readonly task: string;
  readonly dataset: string;
  readonly algo: string;
  readonly seed: number;
  readonly budget: number;
  readonly constraints: string[];
  readonly protocol: 'A';
  readonly best: { readonly arch: string; readonly val: number; readonly test: number | null; readonly query: number; readonly network?: string };
  readonly queries: number;
  readonly seconds: number;
  readonly settings: Record<string, unknown>;
  /** Which kernel backends ran the matmuls, and which could not load here (with the reason). */
  readonly kernels: { readonly selection: string; readonly matmuls: Record<string, number>; readonly unavailable: Record<string, string> };
  readonly trajectory: TrajectoryPoint[];
}

/** Text of a table file chosen by the user: gzip (detected by its magic bytes) is decompressed with DecompressionStream. */
export async function tableText(file: Blob): Promise<string> {
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  if (head[0] !== 0x1f || head[1] !== 0x8b) return file.text();
  if (typeof DecompressionStream !== 'function') throw new Error('this browser has no DecompressionStream: pick the uncompressed nb201.csv instead');
  return new Response(file.stream().pipeThrough(new DecompressionStream('gzip'))).text();
}

function check(req: JobRequest): void {
  if (!(ALGORITHMS as readonly string[]).includes(req.algo)) throw new Error(`algorithm: expected one of ${ALGORITHMS.join(', ')}, got '${req.algo}'`);
  if (!Number.isInteger(req.budget) || req.budget < 1 || req.budget > 1000) throw new Error(`budget: expected an integer in 1..1000, got ${req.budget}`);
  if (!Number.isInteger(req.seed) || req.seed < 0) throw new Error(`seed: expected a non-negative integer, got ${req.seed}`);
}

interface Loaded {
  readonly oracle: Oracle<unknown>;
  readonly space: SearchSpace<unknown>;
  readonly dataset: string;
  readonly settings: Record<string, unknown>;
  readonly describe?: (arch: string) => string;
}

async function load(req: JobRequest, emit: (e: JobEvent) => void): Promise<Loaded> {
  if (req.task === 'mnist-mlp' || req.task === 'mnist-regnet') {
    emit({ type: 'status', text: 'preparing the digits…' });
    const bytes = req.digits instanceof Uint8Array ? req.digits : new Uint8Array(req.digits);
    const digits = parseDigits(bytes, 'digits asset');
    const split = req.trainImages !== undefined ? { train: req.trainImages, val: 2500, test: 2500 } : undefined;
    const opts = { ...(req.epochs !== undefined ? { epochs: req.epochs } : {}), ...(split ? { split } : {}) };
    const task = req.task === 'mnist-regnet' ? mnistRegNetTask(digits, opts) : mnistMlpTask(digits, opts);
    const sp = task.space;
    return { oracle: task.oracle as Oracle<unknown>, space: sp as SearchSpace<unknown>, dataset: task.dataset, settings: { ...task.settings }, describe: (a) => sp.describe(sp.parse(a)) };
  }
  if (req.task === 'nb201') {
    emit({ type: 'status', text: 'decompressing and checking the NB-201 table…' });
    const name = req.table instanceof File ? req.table.name : 'nb201 table';
    const oracle = nb201Oracle(parseNb201Table(await tableText(req.table), name));
    const dataset = oracle.dataset(req.dataset);
    return { oracle: oracle as Oracle<unknown>, space: nb201Space({ dataset: dataset as 'cifar10' }) as SearchSpace<unknown>, dataset, settings: { table: name, fidelity: oracle.fidelity } };
  }
  throw new Error(`task: expected 'mnist-mlp', 'mnist-regnet' or 'nb201', got '${(req as { task: unknown }).task}'`);
}


/** Run the job to completion, reporting through `emit`; resolves with the result (also emitted as 'done'). */
export async function runJob(req: JobRequest, emit: (e: JobEvent) => void): Promise<JobResult> {
  try {
    check(req);
    const t0 = performance.now();
    setBackend(req.backend ?? 'auto');
    resetBackendStats();
    const b = await load(req, emit);
    const constraints = req.constraint === null || req.constraint.trim() === '' ? [] : [parseConstraint(req.constraint)];
    const traj: TrajectoryPoint[] = [];
    let best: ProgressEvent['best'] | null = null;
    const title = `${req.task === 'nb201' ? `NB-201 ${b.dataset}` : req.task === 'mnist-regnet' ? 'live MNIST RegNet-style CNNs' : 'live MNIST'} — ${req.algo}, seed ${req.seed}`;
    const xLabel = req.task === 'nb201' ? 'queries (table look-ups)' : 'queries (candidates trained)';
    emit({ type: 'status', text: 'searching…' });
    const observed = observeOracle(b.oracle, (arch, r) => {
      const p = { query: traj.length + 1, arch: b.space.toString(arch), val: r.val, test: r.test };
      traj.push(p);
      if (best === null || p.val > best.val) best = { arch: p.arch, val: p.val, test: p.test };
      emit({ type: 'progress', query: p.query, budget: req.budget, arch: p.arch, val: p.val, test: p.test, best, svg: liveCurveSvg(traj, title, undefined, xLabel) });
    });
    const run = runOne({ oracle: observed, space: b.space, dataset: b.dataset, algorithms: [req.algo], budget: req.budget, seeds: [req.seed], constraints }, req.algo, req.seed);
    const top = bestPoint(run.trajectory);
    if (top === null) throw new Error(`${req.algo} proposed no architecture (is the constraint satisfiable?)`);
    const result: JobResult = {
      schema: RESULT_SCHEMA,
      task: req.task, dataset: b.dataset, algo: req.algo, seed: req.seed, budget: req.budget,
      constraints: constraints.map(formatConstraint),
      protocol: 'A',
      best: { arch: top.arch, val: top.val, test: top.test, query: top.query, ...(b.describe ? { network: b.describe(top.arch) } : {}) },
      queries: run.trajectory.length,
      seconds: (performance.now() - t0) / 1000,
      settings: b.settings,
      kernels: { selection: currentBackend(), matmuls: backendStats(), unavailable: unavailableBackends() },
      trajectory: run.trajectory,
    };
    emit({ type: 'done', result });
    return result;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    emit({ type: 'error', message });
    throw e instanceof Error ? e : new Error(message);
  }
}
