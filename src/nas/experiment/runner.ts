/**
 * The benchmark driver: runs algorithms × seeds against an oracle at a fixed query budget and
 * summarises them the way the field reports (protocol and query semantics always labelled).
 * Core code: no files, no threads; the Node edge adds parallel workers and writing results.
 */
import { Rng } from '../../autograd/random.js';
import type { Oracle, Protocol, QueryResult } from '../oracle.js';
import type { SearchSpace } from '../space.js';
import type { AlgorithmOptions } from '../search/registry.js';
import type { SearchAlgorithm } from '../search/algorithm.js';
import { isPredNasVariant, makeAlgorithm } from '../search/registry.js';
import { PredictorGuidedSearch } from '../search/predictor-guided.js';
import { costFunction, formatConstraint, feasibility, type Constraint } from './constraint.js';
import { mean, quantile, std } from './stats.js';
import type { Screening } from './screening.js';
import { currentBackend } from '../../kernels/registry.js';

export const RESULTS_SCHEMA = 'prednas.results/1';
export const DEFAULT_CHECKPOINTS = [10, 20, 50, 100, 150];

export interface TrajectoryPoint {
  /**
   * Budget spent once this query is done, in full-fidelity queries: its position in the
   * trajectory, plus a screening stage's cost where the run had one (see screening.ts).
   */
  readonly query: number;
  readonly arch: string;
  readonly val: number;
  readonly test: number | null;
  /**
   * Where a predictor-guided search's proposal came from (CandidateSource: 'initial', 'ascent',
   * 'pool', 'neighbour', 'swap', 'repair', 'mutant', 'random'), or 'screened' for a cell promoted
   * from a screening stage; absent for the other algorithms.
   */
  readonly source?: string;
}

export interface RunResult {
  readonly algo: string;
  readonly seed: number;
  readonly trajectory: TrajectoryPoint[];
  /** Milliseconds: total, and for predictor-guided searches the fit/propose split. */
  readonly timeMs: { total: number; fit?: number; propose?: number; rounds?: number };
  /** Kernel backend selection the run ran under ('js', 'wasm', 'auto'): backends round differently. */
  readonly kernels?: string;
  /** A screened run's cheap-fidelity queries, in order (val at that fidelity); see screening.ts. */
  readonly screening?: { arch: string; val: number }[];
  /**
   * Live tasks: how the run's queries were answered. `trained`: queries that trained their network;
   * `reused`: queries answered from an earlier result (this process, or the evaluation cache);
   * `trainSeconds`: the training time of every query's network as measured when it was trained,
   * hits included, i.e. what the run's queries cost without any cache (timeMs.total is the wall
   * time this run actually took).
   */
  readonly evaluations?: { trained: number; reused: number; trainSeconds: number };
}

/** How a screened experiment spent its budget, for the results' labels. */
export interface ScreeningLabel {
  readonly fidelity: string;
  readonly queries: number;
  readonly promote: number;
  /** Cost of one screening query as a fraction of a full-fidelity one. */
  readonly costPerQuery: number;
  /** Full-fidelity queries' worth of budget the screening used: the first full query is offset + 1. */
  readonly offset: number;
}

export interface CheckpointSummary {
  readonly mean: number;
  readonly std: number;
  readonly median: number;
  readonly q25: number;
  readonly q75: number;
  /** Fraction of runs that queried the optimum's architecture within n queries. */
  readonly foundOptimum: number;
  readonly runs: number;
}

export interface AlgoSummary {
  readonly checkpoints: Record<string, CheckpointSummary>;
  /** Mean queries until the optimum's architecture was queried, over the runs that did (null: none). */
  readonly meanQueriesToOptimum: number | null;
  readonly foundOptimumRuns: number;
  readonly meanTimeMs: number;
}

export interface ExperimentResults {
  readonly schema: typeof RESULTS_SCHEMA;
  readonly space: string;
  readonly benchmark: string;
  readonly pool: boolean;
  readonly dataset: string;
  readonly protocol: Protocol;
  readonly semantics: string;
  /** What `val` and the reported metric are, in words, for the table caption. */
  readonly metricNote: string;
  readonly budget: number;
  readonly seeds: number[];
  readonly constraints: string[];
  /** Present when every run screened at a cheaper fidelity first; budget and n then count full trainings. */
  readonly screening?: ScreeningLabel;
  readonly optimum: { value: number; arch: string };
  readonly summary: Record<string, Record<string, CheckpointSummary>>;
  readonly details: Record<string, AlgoSummary>;
  readonly runs: RunResult[];
}

export interface ExperimentConfig<A> {
  readonly oracle: Oracle<A>;
  /** Space to search (defaults to the oracle's; e.g. a dataset-specific cost model). */
  readonly space?: SearchSpace<A>;
  readonly dataset: string;
  readonly algorithms: readonly string[];
  readonly budget: number;
  readonly seeds: readonly number[];
  readonly protocol?: Protocol;
  readonly constraints?: readonly Constraint[];
  readonly algorithmOptions?: AlgorithmOptions;
  readonly checkpoints?: readonly number[];
  /** Screen at a cheaper fidelity first (multi-fidelity; see screening.ts). */
  readonly screening?: Screening<A>;
  /** Called after each finished run (progress reporting). */
  readonly onRun?: (run: RunResult, done: number, total: number) => void;
}

/**
 * One algorithm, one seed, until the budget is spent or nothing fresh is left. With screening, the
 * algorithm first searches the cheap fidelity, then a fresh instance of it is told the full-fidelity
 * results of the best screened cells and goes on from there (screening.ts says why).
 */
export function runOne<A>(cfg: ExperimentConfig<A>, algo: string, seed: number): RunResult {
  const space = cfg.space ?? cfg.oracle.space;
  const dataset = cfg.oracle.dataset(cfg.dataset);
  const feasible = feasibility(cfg.constraints ?? [], space, cfg.oracle, dataset);
  const costs = Object.fromEntries((cfg.constraints ?? []).map((c) => [c.metric, costFunction(c.metric, space, cfg.oracle, dataset)]));
  const ctxFor = (s: number) => (feasible === undefined ? { space, seed: s } : { space, seed: s, feasible, costs });
  const opts = withPenalty(cfg, algo);
  // A separate stream for the oracle (repeat drawn per query under 'sample' semantics).
  const queryRng = new Rng(seed * 7919 + 17);
  const trajectory: TrajectoryPoint[] = [];
  // Live tasks only (their results say whether they trained): counts for RunResult.evaluations.
  const evals = { trained: 0, reused: 0, trainSeconds: 0 };
  let live = false;
  const t0 = performance.now();
  const scr = cfg.screening;
  const pre = scr && makeAlgorithm(algo, ctxFor(seed), opts);
  const screened = pre && scr.screen(pre, dataset, queryRng);
  const offset = scr?.cost ?? 0;
  const search = makeAlgorithm(algo, ctxFor(scr ? scr.fullSeed(seed) : seed), opts);
  const sourceOf = search instanceof PredictorGuidedSearch ? (a: A) => (search as PredictorGuidedSearch<A>).sourceOf(a) : () => undefined;
  const full = (arch: A, source: string | undefined): void => {
    const r: QueryResult = cfg.oracle.query(arch, { dataset, rng: queryRng });
    if (r.trained !== undefined) {
      live = true;
      if (r.trained) evals.trained++;
      else evals.reused++;
      evals.trainSeconds += r.trainTime ?? 0;
    }
    search.tell(arch, r.val);
    trajectory.push({ query: offset + trajectory.length + 1, arch: space.toString(arch), val: r.val, test: r.test, ...(source !== undefined ? { source } : {}) });
  };
  // Best screened first; ties keep screening order (a stable sort), so the choice is seeded.
  if (screened) [...screened].sort((x, y) => y.val - x.val).slice(0, Math.min(scr.promote, cfg.budget - offset)).forEach((o) => full(o.arch, 'screened'));
  while (offset + trajectory.length < cfg.budget) {
    const [arch] = search.ask(1);
    if (arch === undefined) break;
    full(arch, sourceOf(arch));
  }
  const total = performance.now() - t0;
  const guided = [pre, search].filter((s): s is PredictorGuidedSearch<A> => s instanceof PredictorGuidedSearch);
  const sumOf = (f: (s: PredictorGuidedSearch<A>) => number) => guided.reduce((acc, s) => acc + f(s), 0);
  const timeMs = guided.length > 0 ? { total, fit: sumOf((s) => s.times.fit), propose: sumOf((s) => s.times.propose), rounds: sumOf((s) => s.rounds) } : { total };
  return {
    algo, seed, trajectory, timeMs, kernels: currentBackend(),
    ...(screened ? { screening: screened.map((o) => ({ arch: space.toString(o.arch), val: o.val })) } : {}),
    ...(live ? { evaluations: evals } : {}),
  };
}

/**
 * With an upper-bound constraint, PredNAS also gets the soft penalty unless told otherwise: on the
 * space's analytic FLOPs/params where it has them, else on a learned model of the constraint's
 * cost (measured latency). The first '<=' constraint is the one penalised.
 */
function withPenalty<A>(cfg: ExperimentConfig<A>, algo: string): AlgorithmOptions {
  const opts = cfg.algorithmOptions ?? {};
  if (!isPredNasVariant(algo) || opts.prednas?.penalty !== undefined) return opts;
  const c = (cfg.constraints ?? []).find((k) => k.op === '<=');
  if (c === undefined) return opts;
  return { ...opts, prednas: { ...opts.prednas, penalty: { cost: c.metric, target: c.value } } };
}

/**
 * The reported metric once n queries' worth of budget is spent (points with query <= n; -Infinity
 * before the first): protocol A = test of best-by-val, B = best test.
 */
export function reportedMetric(traj: readonly TrajectoryPoint[], n: number, protocol: Protocol): number {
  let best = -Infinity, bestVal = -Infinity;
  for (const p of traj) {
    if (p.query > n) break;
    const test = p.test ?? p.val;
    if (protocol === 'B') best = Math.max(best, test);
    else if (p.val > bestVal) {
      bestVal = p.val;
      best = test;
    }
  }
  return best;
}

/**
 * Summary statistics per checkpoint. "Found the optimum" means the optimum's architecture was
 * queried within n queries — not that the reported metric reached its value: under protocol A a
 * run that has not found the best-by-validation cell can report a higher test metric than the
 * optimum's (on NB-201 CIFAR-100 under flops<=40, 32 of REA's 100 runs report 68.04–68.48 against
 * an optimum of 67.83 without having queried it). `identity` maps an arch string to what makes two
 * architectures the same (assembleResults passes the space's hash, so an isomorphic form of the
 * optimum counts; default: the string itself). `offset` is the budget a screening stage spent
 * before the first full-fidelity query: checkpoints up to it have nothing to report and are left out.
 */
export function summarise(runs: readonly RunResult[], algo: string, protocol: Protocol, optimum: { readonly value: number; readonly arch: string }, checkpoints: readonly number[], budget: number, identity: (arch: string) => string = (a) => a, offset = 0): AlgoSummary {
  const mine = runs.filter((r) => r.algo === algo);
  const cps: Record<string, CheckpointSummary> = {};
  // Queries until the optimum's architecture was first queried (null: never).
  const target = identity(optimum.arch);
  const firstHit = (r: RunResult): number | null => {
    const p = r.trajectory.find((q) => identity(q.arch) === target);
    return p === undefined ? null : p.query;
  };
  const hits = mine.map(firstHit);
  for (const n of checkpoints.filter((c) => c <= budget && c > offset)) {
    const vals = mine.map((r) => reportedMetric(r.trajectory, n, protocol));
    cps[String(n)] = {
      mean: mean(vals), std: std(vals), median: quantile(vals, 0.5), q25: quantile(vals, 0.25), q75: quantile(vals, 0.75),
      foundOptimum: hits.filter((h) => h !== null && h <= n).length / Math.max(1, vals.length), runs: vals.length,
    };
  }
  const firsts = hits.filter((n): n is number => n !== null);
  return {
    checkpoints: cps,
    meanQueriesToOptimum: firsts.length > 0 ? mean(firsts) : null,
    foundOptimumRuns: firsts.length,
    meanTimeMs: mean(mine.map((r) => r.timeMs.total)),
  };
}

export function metricNote<A>(oracle: Oracle<A>, protocol: Protocol): string {
  const hasTest = oracle.archs().length > 0 && oracle.peek(oracle.archs()[0]!, { dataset: oracle.datasets[0]! }).test !== null;
  const reported = hasTest ? 'test' : 'validation (the table has no test metric)';
  const note = protocol === 'A'
    ? `protocol A: ${reported} metric of the best-by-validation architecture among those queried`
    : `protocol B: best ${reported} metric among those queried`;
  return oracle.signalIsTest === undefined ? note : `${note} (caution: ${oracle.signalIsTest})`;
}

/** Assemble results from finished runs (used by the serial runner and the worker pool alike). */
export function assembleResults<A>(cfg: ExperimentConfig<A>, runs: RunResult[]): ExperimentResults {
  const protocol = cfg.protocol ?? 'A';
  const space = cfg.space ?? cfg.oracle.space;
  const dataset = cfg.oracle.dataset(cfg.dataset);
  const feasible = feasibility(cfg.constraints ?? [], space, cfg.oracle, dataset);
  const opt = cfg.oracle.optimum(dataset, protocol, feasible);
  const checkpoints = cfg.checkpoints ?? DEFAULT_CHECKPOINTS;
  const details: Record<string, AlgoSummary> = {};
  const summary: Record<string, Record<string, CheckpointSummary>> = {};
  const optimum = { value: opt.value, arch: space.toString(opt.arch) };
  for (const a of cfg.algorithms) {
    details[a] = summarise(runs, a, protocol, optimum, checkpoints, cfg.budget, (arch) => space.hash(space.parse(arch)), cfg.screening?.cost ?? 0);
    summary[a] = details[a]!.checkpoints;
  }
  return {
    schema: RESULTS_SCHEMA,
    space: space.name,
    benchmark: cfg.oracle.benchmark,
    pool: cfg.oracle.isPool,
    dataset,
    protocol,
    semantics: cfg.oracle.semantics,
    metricNote: metricNote(cfg.oracle, protocol),
    budget: cfg.budget,
    seeds: [...cfg.seeds],
    constraints: (cfg.constraints ?? []).map(formatConstraint),
    ...(cfg.screening !== undefined ? { screening: screeningLabel(cfg.screening) } : {}),
    optimum,
    summary,
    details,
    runs,
  };
}

function screeningLabel(s: Screening<unknown>): ScreeningLabel {
  return { fidelity: s.fidelity, queries: s.queries, promote: s.promote, costPerQuery: s.lowEpochs / s.highEpochs, offset: s.cost };
}

export function validateConfig<A>(cfg: ExperimentConfig<A>): void {
  if (!Number.isInteger(cfg.budget) || cfg.budget < 1) throw new Error(`experiment: budget must be a positive integer, got ${cfg.budget}`);
  if (cfg.seeds.length === 0) throw new Error('experiment: at least one seed is needed');
  if (cfg.algorithms.length === 0) throw new Error('experiment: at least one algorithm is needed');
  cfg.oracle.dataset(cfg.dataset);
  cfg.screening?.check(cfg.budget);
}

/** Serial runner: every algorithm on every seed. */
export function runExperiment<A>(cfg: ExperimentConfig<A>): ExperimentResults {
  validateConfig(cfg);
  const runs: RunResult[] = [];
  const total = cfg.algorithms.length * cfg.seeds.length;
  for (const seed of cfg.seeds) {
    for (const algo of cfg.algorithms) {
      const r = runOne(cfg, algo, seed);
      runs.push(r);
      cfg.onRun?.(r, runs.length, total);
    }
  }
  return assembleResults(cfg, runs);
}
