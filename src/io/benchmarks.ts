/**
 * Benchmarks by name for the CLI and scripts (Node: reads tables from the data directory).
 */
import type { Oracle } from '../nas/oracle.js';
import type { SearchSpace } from '../nas/space.js';
import { nb201Encoding, nb201Space, type Nb201Encoding } from '../nas/spaces/nb201.js';
import { loadNb201Oracle } from './load-nb201.js';
import { loadNb101Oracle } from './load-nb101.js';
import { loadNbMacroOracle } from './load-nbmacro.js';
import { loadTnb101MacroOracle } from './load-tnb101.js';
import { TNB101_TASK_NAMES } from '../nas/benchmarks/tnb101-table.js';
import { isSpecPath, specBenchmark } from './run-space.js';
import { NB101_EPOCHS, type Nb101Epochs } from '../nas/benchmarks/nb101.js';
import { isLiveTask, loadLiveBenchmark } from './mnist-task.js';
import type { EvalCacheRequest } from './eval-cache.js';
import { fidelityEpochs, makeScreening, type Screening, type ScreeningSpec } from '../nas/experiment/screening.js';
import { Nb201Oracle } from '../nas/benchmarks/nb201.js';
import { Nb101Oracle } from '../nas/benchmarks/nb101.js';

export interface LoadedBenchmark {
  readonly oracle: Oracle<unknown>;
  /** The space to search (may differ from oracle.space in its cost model, e.g. per dataset). */
  readonly space: SearchSpace<unknown>;
  readonly dataset: string;
}

export interface BenchmarkRequest {
  readonly space: string;
  readonly dataset?: string;
  readonly dataDir: string;
  /** NB-201: validation fidelity '200ep' (default) or '12ep'. */
  readonly fidelity?: string;
  /** NB-201: the MLP predictor's flat encoding, 'onehot' (default) or 'paths'. */
  readonly encoding?: string;
  /** Live tasks: a persistent evaluation cache (src/io/eval-cache.ts); it never changes a result. */
  readonly cache?: EvalCacheRequest;
}

export const BENCHMARKS = ['nb201', 'nb101', 'nbmacro', 'tnb101-macro'] as const;

export function loadBenchmark(req: BenchmarkRequest): LoadedBenchmark {
  // A JSON space spec has no table: it is scored by a seeded synthetic objective (see run-space.ts).
  if (isSpecPath(req.space)) return specBenchmark(req.space, req.dataset);
  // A live task (mnist-mlp) has no table: each query trains the architecture (src/nas/tasks).
  if (isLiveTask(req.space)) return loadLiveBenchmark(req);
  if (req.encoding !== undefined && req.space !== 'nb201') throw new Error(`--encoding: only nb201 offers a choice of encodings, got --encoding ${req.encoding} with space '${req.space}'`);
  switch (req.space) {
    case 'nb201': {
      // Checked before the table is read, so a typo costs no load time.
      let encoding: Nb201Encoding | undefined;
      try {
        encoding = req.encoding === undefined ? undefined : nb201Encoding(req.encoding);
      } catch (e) {
        throw new Error(`--encoding: ${(e as Error).message}`);
      }
      if (req.fidelity !== undefined && req.fidelity !== '200ep' && req.fidelity !== '12ep') {
        throw new Error(`--fidelity: expected 200ep or 12ep for nb201, got '${req.fidelity}'`);
      }
      const oracle = loadNb201Oracle({ dataDir: req.dataDir, ...(req.fidelity ? { fidelity: req.fidelity as '200ep' | '12ep' } : {}) });
      const dataset = oracle.dataset(req.dataset ?? 'cifar10');
      const space = nb201Space({ dataset: dataset as 'cifar10', ...(encoding !== undefined ? { encoding } : {}) });
      return { oracle: oracle as Oracle<unknown>, space: space as SearchSpace<unknown>, dataset };
    }
    case 'nb101': {
      // The 20,001-cell subset with results: a pool benchmark, validation accuracy only.
      let fidelity: Nb101Epochs | undefined;
      if (req.fidelity !== undefined) {
        const e = Number(req.fidelity.replace(/ep$/, ''));
        if (!(NB101_EPOCHS as readonly number[]).includes(e)) throw new Error(`--fidelity: expected one of ${NB101_EPOCHS.map((x) => `${x}ep`).join(', ')} for nb101, got '${req.fidelity}'`);
        fidelity = e as Nb101Epochs;
      }
      const oracle = loadNb101Oracle({ dataDir: req.dataDir, ...(fidelity !== undefined ? { fidelity } : {}) });
      const dataset = oracle.dataset(req.dataset ?? 'cifar10');
      return { oracle: oracle as Oracle<unknown>, space: oracle.space as SearchSpace<unknown>, dataset };
    }
    case 'nbmacro': {
      // NAS-Bench-Macro: CIFAR-10 only, no validation split (val = one drawn run, test = 3-run mean).
      if (req.fidelity !== undefined) throw new Error(`--fidelity: nbmacro has a single fidelity (best over 50 epochs), got '${req.fidelity}'`);
      const oracle = loadNbMacroOracle({ dataDir: req.dataDir });
      const dataset = oracle.dataset(req.dataset ?? 'cifar10');
      return { oracle: oracle as Oracle<unknown>, space: oracle.space as SearchSpace<unknown>, dataset };
    }
    case 'tnb101-macro': {
      // TransNAS-Bench-101 macro: one oracle per task; every task is searched with the same settings.
      if (req.fidelity !== undefined) throw new Error(`--fidelity: tnb101-macro has a single fidelity (final epoch), got '${req.fidelity}'`);
      if (req.dataset === undefined) throw new Error(`--dataset: tnb101-macro needs a task: ${TNB101_TASK_NAMES.join(', ')}`);
      const oracle = loadTnb101MacroOracle(req.dataset, { dataDir: req.dataDir });
      return { oracle: oracle as Oracle<unknown>, space: oracle.space as SearchSpace<unknown>, dataset: oracle.task };
    }
    default:
      throw new Error(`unknown space '${req.space}'; available: ${BENCHMARKS.join(', ')}, or a JSON space spec file (path ending in .json)`);
  }
}

/**
 * The screening stage of a multi-fidelity experiment: the loaded benchmark's own table at the
 * cheaper fidelity (derived in memory, not read again), costed by the ratio of its training epochs
 * to those of the fidelity searched in full.
 */
export function loadScreening(b: LoadedBenchmark, spec: ScreeningSpec): Screening<unknown> {
  const o = b.oracle;
  const lowEpochs = fidelityEpochs(spec.fidelity);
  if (o instanceof Nb201Oracle) {
    if (spec.fidelity !== '12ep') throw new Error(`--screen: nb201's cheaper fidelity is 12ep, got '${spec.fidelity}'`);
    return makeScreening(spec, o.withFidelity('12ep') as Oracle<unknown>, lowEpochs, fidelityEpochs(o.fidelity));
  }
  if (o instanceof Nb101Oracle) {
    if (!(NB101_EPOCHS as readonly number[]).includes(lowEpochs)) throw new Error(`--screen: expected one of ${NB101_EPOCHS.map((x) => `${x}ep`).join(', ')} for nb101, got '${spec.fidelity}'`);
    return makeScreening(spec, o.withFidelity(lowEpochs as Nb101Epochs) as Oracle<unknown>, lowEpochs, o.fidelity);
  }
  throw new Error(`--screen: only nb201 and nb101 have a cheaper fidelity to screen with, got benchmark ${o.benchmark}`);
}
