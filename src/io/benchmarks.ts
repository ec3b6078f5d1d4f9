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
import { fidelityEpochs, makeScreening, type Screening, type ScreeningSpec } from '../nas/experiment/screening.js';

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

/** Full-fidelity training epochs of the benchmarks that offer a cheaper fidelity (the default --fidelity). */
const FULL_EPOCHS: Readonly<Record<string, number>> = { nb201: 200, nb101: 108 };

/**
 * The screening stage of a multi-fidelity experiment: the same benchmark at the cheaper fidelity,
 * costed by the ratio of training epochs to the fidelity searched in full (--fidelity or the
 * benchmark's default).
 */
export function loadScreening(req: BenchmarkRequest, spec: ScreeningSpec): Screening<unknown> {
  const full = FULL_EPOCHS[req.space];
  if (full === undefined) throw new Error(`--screen: only ${Object.keys(FULL_EPOCHS).join(' and ')} have a cheaper fidelity to screen with, got --space ${req.space}`);
  const highEpochs = req.fidelity !== undefined ? fidelityEpochs(req.fidelity) : full;
  const lowEpochs = fidelityEpochs(spec.fidelity);
  if (!(lowEpochs < highEpochs)) throw new Error(`--screen: ${spec.fidelity} is not cheaper than the fidelity searched (${highEpochs}ep)`);
  const { oracle } = loadBenchmark({ ...req, fidelity: spec.fidelity });
  return makeScreening(spec, oracle, lowEpochs, highEpochs);
}
