/**
 * Predictor evaluation the way the field reports it (NASLib-style): for each training-set size
 * and seed, fit the predictor on n architectures sampled from the table, predict a held-out test
 * set disjoint from every training set, and score the ranking (Kendall τ, Spearman, ...).
 */
import { Rng } from '../../autograd/random.js';
import type { Oracle } from '../oracle.js';
import type { SearchSpace } from '../space.js';
import { NeuralPredictor } from '../predictors/neural.js';
import { PRECISION_KS, predictorMetrics, type PredictorMetrics } from '../predictors/metrics.js';
import type { PredictorOptions } from '../predictors/predictor.js';
import { mean, std } from '../experiment/stats.js';

export const PREDICTOR_EVAL_SCHEMA = 'prednas.predictor-eval/1';

export interface PredictorEvalConfig<A> {
  readonly oracle: Oracle<A>;
  readonly space: SearchSpace<A>;
  readonly dataset: string;
  readonly trainSizes: readonly number[];
  readonly seeds: readonly number[];
  readonly testSize: number;
  readonly predictor: PredictorOptions;
  readonly onFit?: (done: number, total: number) => void;
}

export interface PredictorEvalRow {
  readonly trainSize: number;
  readonly seed: number;
  readonly metrics: PredictorMetrics;
  readonly fitMs: number;
}

export interface PredictorEvalResults {
  readonly schema: typeof PREDICTOR_EVAL_SCHEMA;
  readonly benchmark: string;
  readonly dataset: string;
  readonly predictor: PredictorOptions;
  readonly testSize: number;
  readonly trainSizes: number[];
  readonly seeds: number[];
  readonly rows: PredictorEvalRow[];
  /** Per train size: mean and std over seeds of every scalar metric. */
  readonly summary: Record<string, Record<string, { mean: number; std: number }>>;
  /** Predicted vs true values on the test set, for the first seed of each train size. */
  readonly scatter: { trainSize: number; seed: number; predicted: number[]; truth: number[]; kendall: number }[];
}

export function evaluatePredictor<A>(cfg: PredictorEvalConfig<A>): PredictorEvalResults {
  const all = cfg.oracle.archs();
  const sizes = [...cfg.trainSizes].sort((a, b) => a - b);
  const maxTrain = sizes[sizes.length - 1] ?? 0;
  if (sizes.length === 0 || sizes[0]! < 2) throw new Error(`predictor-eval: train sizes must be integers >= 2, got [${cfg.trainSizes.join(', ')}]`);
  if (cfg.seeds.length === 0) throw new Error('predictor-eval: at least one seed is needed');
  if (cfg.testSize < 2) throw new Error(`predictor-eval: test size must be >= 2, got ${cfg.testSize}`);
  if (maxTrain + cfg.testSize > all.length) {
    throw new Error(`predictor-eval: ${cfg.oracle.benchmark} has ${all.length} architectures with results, fewer than the largest train size (${maxTrain}) + test size (${cfg.testSize}); lower --train-sizes or --test-size`);
  }
  const dataset = cfg.oracle.dataset(cfg.dataset);
  const val = (a: A) => cfg.oracle.peek(a, { dataset }).val;
  const rows: PredictorEvalRow[] = [];
  const scatter: PredictorEvalResults['scatter'] = [];
  const total = sizes.length * cfg.seeds.length;
  for (const seed of cfg.seeds) {
    // One shuffle per seed: the test set is the same for every train size, and each train set is a
    // prefix of the next, so the sizes differ only in how much data the predictor sees.
    const order = new Rng(seed).shuffle(Array.from({ length: all.length }, (_, i) => i));
    const test = order.slice(0, cfg.testSize).map((i) => all[i]!);
    const truth = test.map(val);
    const pool = order.slice(cfg.testSize, cfg.testSize + maxTrain).map((i) => all[i]!);
    for (const n of sizes) {
      const train = pool.slice(0, n);
      const p = new NeuralPredictor(cfg.space, { ...cfg.predictor, seed });
      const t0 = performance.now();
      p.fit(train, train.map(val));
      const fitMs = performance.now() - t0;
      // The default ranking loss learns an order, not a scale: MAE/RMSE are reported after a
      // least-squares affine calibration fitted on the training set only (ranks are unchanged).
      const ys = train.map(val);
      const cal = affineFit(Array.from(p.predict(train).mean), ys);
      const predicted = Array.from(p.predict(test).mean, (v) => cal.a * v + cal.b);
      const metrics = predictorMetrics(predicted, truth);
      rows.push({ trainSize: n, seed, metrics, fitMs });
      if (seed === cfg.seeds[0]) scatter.push({ trainSize: n, seed, predicted, truth, kendall: metrics.kendall });
      cfg.onFit?.(rows.length, total);
    }
  }
  const summary: PredictorEvalResults['summary'] = {};
  for (const n of sizes) {
    const mine = rows.filter((r) => r.trainSize === n);
    const pick = (f: (r: PredictorEvalRow) => number) => {
      const xs = mine.map(f);
      return { mean: mean(xs), std: std(xs) };
    };
    summary[String(n)] = {
      kendall: pick((r) => r.metrics.kendall), spearman: pick((r) => r.metrics.spearman), pearson: pick((r) => r.metrics.pearson),
      mae: pick((r) => r.metrics.mae), rmse: pick((r) => r.metrics.rmse), fitMs: pick((r) => r.fitMs),
      // precision@k: the share of the test set's true top k that the predictor also puts in its top k.
      ...Object.fromEntries(PRECISION_KS.map((k) => [`precisionAt${k}`, pick((r) => r.metrics.precisionAtK[k]!)])),
    };
  }
  return {
    schema: PREDICTOR_EVAL_SCHEMA, benchmark: cfg.oracle.benchmark, dataset, predictor: cfg.predictor, testSize: cfg.testSize,
    trainSizes: sizes, seeds: [...cfg.seeds], rows, summary, scatter,
  };
}

/** Least-squares y ≈ a·x + b; identity when x is constant or the fit would flip the order (a ≤ 0). */
export function affineFit(x: readonly number[], y: readonly number[]): { a: number; b: number } {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n, my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
  }
  const a = sxx > 0 ? sxy / sxx : 0;
  return a > 0 ? { a, b: my - a * mx } : { a: 1, b: 0 };
}

export function predictorEvalTable(res: PredictorEvalResults): string {
  const f = (s: { mean: number; std: number } | undefined, d = 3) => (s ? `${s.mean.toFixed(d)} ± ${s.std.toFixed(d)}` : '–');
  const lines = [
    `### Predictor ${res.predictor.kind ?? 'mlp'} · ${res.benchmark} · ${res.dataset}`,
    '',
    `Test set: ${res.testSize} architectures disjoint from every training set; mean ± std over ${res.seeds.length} seed${res.seeds.length === 1 ? '' : 's'}; target: validation metric; MAE/RMSE after an affine calibration fitted on the training set; precision@k: share of the test set's true top k that the predictor also ranks in its top k (all of it when the test set is smaller than k).`,
    '',
    `| train size | Kendall τ | Spearman ρ | Pearson r | MAE | RMSE | ${PRECISION_KS.map((k) => `P@${k}`).join(' | ')} | fit time (ms) |`,
    `|---|---|---|---|---|---|${PRECISION_KS.map(() => '---|').join('')}---|`,
  ];
  for (const n of res.trainSizes) {
    const s = res.summary[String(n)]!;
    const prec = PRECISION_KS.map((k) => f(s[`precisionAt${k}`], 2)).join(' | ');
    lines.push(`| ${n} | ${f(s['kendall'])} | ${f(s['spearman'])} | ${f(s['pearson'])} | ${f(s['mae'], 2)} | ${f(s['rmse'], 2)} | ${prec} | ${f(s['fitMs'], 0)} |`);
  }
  return lines.join('\n') + '\n';
}
