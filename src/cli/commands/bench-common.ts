/** Flag handling shared by the benchmark commands (search, compare, predictor-eval, info). */
import { resolveDataDir } from '../../io/data-dir.js';
import { EVAL_CACHE_ENV, type EvalCacheRequest, type EvalCacheStats } from '../../io/eval-cache.js';
import type { RunResult } from '../../nas/experiment/runner.js';
import { packageVersion } from './version.js';
import type { BenchmarkRequest } from '../../io/benchmarks.js';
import { isLiveTask, LIVE_TASKS } from '../../io/mnist-task.js';
import { parseConstraint } from '../../nas/experiment/constraint.js';
import { parseScreening, type ScreeningSpec } from '../../nas/experiment/screening.js';
import type { AlgorithmOptions } from '../../nas/search/registry.js';
import { PREDICTOR_DEFAULTS, PREDICTOR_GUIDED_DEFAULTS, PREDNAS_DEFAULTS } from '../../nas/defaults.js';
import type { PredNasOptions } from '../../nas/search/prednas.js';
import type { PredictorOptions } from '../../nas/predictors/predictor.js';
import type { Oracle, QueryResult } from '../../nas/oracle.js';
import { parseChoice, parseIntFlag, parseNumberFlag } from '../args.js';
import { observeOracle } from '../../nas/observe-oracle.js';
import { setBackend } from '../../kernels/registry.js';
import { list, need, str, UsageError, type Values } from '../context.js';

export const BENCH_FLAGS = {
  space: { type: 'string' }, dataset: { type: 'string' }, fidelity: { type: 'string' }, data: { type: 'string' },
  encoding: { type: 'string' },
} as const;

/** `--task T` (a live task instead of --space) and its `--cache FILE`: accepted by search and compare. */
export const TASK_FLAG = { task: { type: 'string' }, cache: { type: 'string' } } as const;

export const CACHE_HELP = `  --cache FILE       live tasks: a persistent evaluation cache (JSON lines, created if missing;
                     default $${EVAL_CACHE_ENV}): a network trained once under the same task
                     settings, data, engine and prednas version is read, not trained again; safe
                     for concurrent runs on one machine; FILE.gz is read only (README "Evaluation
                     cache")
`;

/**
 * A live task's cost line: training time per query as measured when each network was trained (a
 * reused result counts what its training cost, so the number is what the queries cost without a
 * cache), the wall time per query these runs took, and how many queries trained or reused.
 */
export function evaluationsLine(runs: readonly RunResult[], cache: EvalCacheStats | null): string {
  let q = 0, trained = 0, reused = 0, train = 0, wall = 0;
  for (const r of runs) {
    if (r.evaluations === undefined) continue;
    q += r.trajectory.length;
    trained += r.evaluations.trained;
    reused += r.evaluations.reused;
    train += r.evaluations.trainSeconds;
    wall += r.timeMs.total / 1000;
  }
  const per = (x: number) => `${(x / Math.max(1, q)).toFixed(2)} s`;
  const c = cache === null ? '' : `; evaluation cache ${cache.file}${cache.readOnly ? ' (read only)' : ''}: ${cache.hits} hit${cache.hits === 1 ? '' : 's'}, ${cache.written} new record${cache.written === 1 ? '' : 's'}, ${cache.entries} in all`;
  return `time per query: training ${per(train)} (as measured when each network was trained, reused results included), wall ${per(wall)}; ${trained} of ${q} queries trained a network, ${reused} reused a result${c}`;
}

/** --cache FILE, else $PREDNAS_EVAL_CACHE, for a live task (a table benchmark trains nothing). */
function cacheRequest(v: Values, task: string | undefined): EvalCacheRequest | undefined {
  const flag = str(v, 'cache');
  if (flag !== undefined && task === undefined) throw new UsageError(`--cache: only live tasks (--task ${LIVE_TASKS.join('|')}) train networks, so only they have an evaluation cache; got --space ${str(v, 'space') ?? '(none)'}`);
  if (task === undefined) return undefined;
  const env = process.env[EVAL_CACHE_ENV];
  const file = flag ?? (env !== undefined && env !== '' ? env : undefined);
  if (file === undefined) return undefined;
  if (file.trim() === '') throw new UsageError(`--cache: expected a file name, got ''`);
  return { file, prednas: packageVersion() };
}

export function benchmarkRequest(v: Values): BenchmarkRequest {
  const dataset = str(v, 'dataset'), fidelity = str(v, 'fidelity'), encoding = str(v, 'encoding');
  // --task names a live task (each query trains the candidate); it stands in for --space.
  const task = str(v, 'task');
  if (task !== undefined && str(v, 'space') !== undefined) throw new UsageError(`give --space or --task, not both (got --space ${str(v, 'space')} and --task ${task})`);
  if (task !== undefined && !isLiveTask(task)) throw new UsageError(`--task: expected one of ${LIVE_TASKS.join(', ')}, got '${task}'`);
  const cache = cacheRequest(v, task);
  return {
    space: task ?? need(v, 'space', 'nb201, nb101, nbmacro, tnb101-macro, a JSON space spec file, or --task mnist-mlp'),
    dataDir: resolveDataDir(str(v, 'data')),
    ...(dataset !== undefined ? { dataset } : {}),
    ...(fidelity !== undefined ? { fidelity } : {}),
    ...(encoding !== undefined ? { encoding } : {}),
    ...(cache !== undefined ? { cache } : {}),
  };
}

function predictorKind(v: Values): 'mlp' | 'gcn' {
  return parseChoice('predictor', str(v, 'predictor'), ['mlp', 'gcn'] as const, 'mlp');
}

/**
 * --backend: the kernel backend for the predictor's products. 'js' (default) sums in double;
 * 'wasm'/'auto' (the NB-201 tables in results/ were made with auto) (SIMD, sums in float32) are ~1.8× faster on a
 * PredNAS run but round differently, so the same seed gives a different (equally valid) run.
 */
export function kernelBackend(v: Values): string {
  const b = parseChoice('backend', str(v, 'backend'), ['js', 'wasm', 'auto'] as const, 'js');
  try {
    setBackend(b);
  } catch (e) {
    throw new UsageError(`--backend ${b}: ${(e as Error).message}`);
  }
  return b;
}

/** --predictor, --epochs and --ensemble as predictor options (unset flags keep the predictor's defaults). */
export function predictorOptions(v: Values): PredictorOptions & { kind: 'mlp' | 'gcn' } {
  const e = str(v, 'epochs'), m = str(v, 'ensemble'), cal = str(v, 'calibrate');
  return {
    kind: predictorKind(v),
    ...(cal !== undefined ? { calibrate: parseChoice('calibrate', cal, ['on', 'off'] as const, 'on') === 'on' } : {}),
    ...(e !== undefined ? { epochs: parseIntFlag('epochs', e, PREDICTOR_DEFAULTS.epochs) } : {}),
    ...(m !== undefined ? { ensemble: parseIntFlag('ensemble', m, PREDICTOR_DEFAULTS.ensemble) } : {}),
  };
}

export function algorithmOptions(v: Values): AlgorithmOptions {
  const predictor = predictorOptions(v);
  // Round size and neighbour candidates apply to PredNAS and the Wen control alike, so the
  // comparison between them keeps isolating the ascent.
  const k = str(v, 'per-round'), nb = str(v, 'neighbours'), r = str(v, 'radius'), sw = str(v, 'swaps');
  const kappa = str(v, 'kappa'), rep = str(v, 'swap-repair');
  const shared = {
    predictor,
    ...(k !== undefined ? { perRound: parseIntFlag('per-round', k, PREDICTOR_GUIDED_DEFAULTS.perRound) } : {}),
    ...(nb !== undefined ? { neighbourCandidates: parseIntFlag('neighbours', nb, PREDICTOR_GUIDED_DEFAULTS.neighbourCandidates, 0) } : {}),
    ...(r !== undefined ? { neighbourRadius: parseIntFlag('radius', r, PREDICTOR_GUIDED_DEFAULTS.neighbourRadius) } : {}),
    ...(sw !== undefined ? { neighbourSwaps: parseChoice('swaps', sw, ['on', 'off'] as const, 'on') === 'on' } : {}),
    ...(rep !== undefined ? { swapRepair: parseChoice('swap-repair', rep, ['on', 'off'] as const, 'on') === 'on' } : {}),
    ...(kappa !== undefined ? { ucbKappa: parseNumberFlag('kappa', kappa) } : {}),
  };
  return { prednas: { ...shared, ...ascentOptions(v) }, wen: shared };
}

/** A number flag that must be > 0 (or >= 0 with `zeroOk`). */
function positiveFlag(name: string, text: string, zeroOk = false): number {
  const x = parseNumberFlag(name, text);
  if (zeroOk ? x < 0 : x <= 0) throw new UsageError(`--${name}: expected a number ${zeroOk ? '>= 0' : '> 0'}, got '${text}'`);
  return x;
}

/** The ascent's flags (PredNAS and its variants only; unset flags keep PREDNAS_DEFAULTS). */
function ascentOptions(v: Values): PredNasOptions {
  const f = (k: string) => str(v, k);
  const steps = f('steps'), lr = f('ascent-lr'), c = f('logit-scale'), tau = f('tau'), top = f('top-starts'), rnd = f('random-starts'), lambda = f('lambda');
  return {
    ...(steps !== undefined ? { steps: parseIntFlag('steps', steps, PREDNAS_DEFAULTS.steps, 0) } : {}),
    ...(lr !== undefined ? { lr: positiveFlag('ascent-lr', lr) } : {}),
    ...(c !== undefined ? { logitScale: positiveFlag('logit-scale', c) } : {}),
    ...(tau !== undefined ? { tau: positiveFlag('tau', tau) } : {}),
    ...(top !== undefined ? { topStarts: parseIntFlag('top-starts', top, PREDNAS_DEFAULTS.topStarts, 0) } : {}),
    ...(rnd !== undefined ? { randomStarts: parseIntFlag('random-starts', rnd, PREDNAS_DEFAULTS.randomStarts, 0) } : {}),
    ...(lambda !== undefined ? { lambda: positiveFlag('lambda', lambda, true) } : {}),
  };
}

/** The round flags of search and compare (both predictor-guided algorithms read them). */
export const ROUND_FLAGS = {
  'per-round': { type: 'string' }, neighbours: { type: 'string' }, radius: { type: 'string' }, swaps: { type: 'string' },
  'swap-repair': { type: 'string' }, kappa: { type: 'string' }, ensemble: { type: 'string' },
  calibrate: { type: 'string' }, steps: { type: 'string' }, 'ascent-lr': { type: 'string' }, 'logit-scale': { type: 'string' }, tau: { type: 'string' },
  'top-starts': { type: 'string' }, 'random-starts': { type: 'string' }, lambda: { type: 'string' },
} as const;

export const ROUND_FLAGS_HELP = `  --per-round K      candidates evaluated per predictor round, PredNAS and wen (default ${PREDICTOR_GUIDED_DEFAULTS.perRound})
  --neighbours N     also rank the unseen neighbours of the N best so far, PredNAS and wen
                     (default ${PREDICTOR_GUIDED_DEFAULTS.neighbourCandidates}; 0 = off, the setting of the tables made before it existed)
  --radius R         those neighbours lie up to R edits away (default ${PREDICTOR_GUIDED_DEFAULTS.neighbourRadius})
  --swaps on|off     also rank their swaps: two edges exchange ops, same FLOPs (default ${PREDICTOR_GUIDED_DEFAULTS.neighbourSwaps ? 'on' : 'off'};
                     off = the setting of the tables made before it existed)
  --swap-repair on|off  under a constraint, a swap over budget offers its feasible one-edit
                     repairs instead (default ${PREDICTOR_GUIDED_DEFAULTS.swapRepair ? 'on' : 'off'})
  --kappa K          rank candidates by ensemble mean + K·std (default ${PREDICTOR_GUIDED_DEFAULTS.ucbKappa}: a lower
                     confidence bound; 0 = the mean)
  --ensemble M       predictor ensemble members (default ${PREDICTOR_DEFAULTS.ensemble})
                     tables made before these defaults: --ensemble 3 --epochs 100 --kappa 0 --swap-repair off
  --calibrate on|off map each member onto the targets' scale before combining them
                     (default ${PREDICTOR_DEFAULTS.calibrate ? 'on' : 'off'}; results/ablations.md, session 8)
  The ascent (prednas, prednas-noascent, prednas-paper):
  --steps T          Adam ascent steps per round (default ${PREDNAS_DEFAULTS.steps}; 0 = no ascent, = prednas-noascent)
  --ascent-lr R      the ascent's Adam learning rate, in logit units (default ${PREDNAS_DEFAULTS.lr})
  --logit-scale C    logits of a discrete start: C·one-hot (default ${PREDNAS_DEFAULTS.logitScale})
  --tau T            softmax temperature of the relaxation (default ${PREDNAS_DEFAULTS.tau})
  --top-starts K     climb from the K best evaluated cells (default ${PREDNAS_DEFAULTS.topStarts})
  --random-starts R  and from R random evaluated ones (default ${PREDNAS_DEFAULTS.randomStarts})
  --lambda L         strength of the cost penalty on the ascent, in standardised target units
                     (default ${PREDNAS_DEFAULTS.lambda}; applies under a '<=' constraint)
`;

/** --screen F:Q:P, parsed (the benchmark-specific checks come when the tables load). */
export function screeningFlag(v: Values): ScreeningSpec | undefined {
  const text = str(v, 'screen');
  if (text === undefined) return undefined;
  try {
    return parseScreening(text);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export const SCREEN_HELP = `  --screen F:Q:P     multi-fidelity: each run first makes Q queries at the cheaper fidelity F
                     (nb201 12ep; nb101 4ep, 12ep, 36ep), then trains its P best in full and goes
                     on in full; the budget counts full trainings (a 12ep query is 12/200 of one)
`;

/** Constraint strings, each validated (the parse error names the bad one). */
export function constraintFlags(v: Values): string[] {
  return list(v, 'constraint').map((c) => {
    try {
      parseConstraint(c);
    } catch (e) {
      throw new UsageError(`--constraint: ${(e as Error).message}`);
    }
    return c;
  });
}

/**
 * Wrap an oracle so every counted query also reports progress (the search loops are synchronous
 * core code without hooks; the oracle is the one place every query passes through).
 */
export function observedOracle<A>(o: Oracle<A>, onQuery: (n: number, result: QueryResult, arch: A) => void): Oracle<A> {
  let n = 0;
  return observeOracle(o, (arch, r) => onQuery(++n, r, arch));
}
