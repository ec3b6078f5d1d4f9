/**
 * Plots of an experiment's results: best-so-far vs queries (mean with a 95 % confidence band of the
 * mean from Student's t, per algorithm) and the distribution of the final metric.
 *
 * When the optimum is known (a benchmark table), best-so-far is drawn as the regret, optimum −
 * reported, on a log axis: the convention of NAS papers, and the only view in which curves that
 * all end within a point of the optimum can be told apart. A live task has no known optimum: its
 * curves are drawn as the metric itself on an axis fitted to where they are after the first
 * queries (the first random draws would otherwise squash the rest into a strip).
 */
import { reportedMetric, type ExperimentResults } from '../experiment/runner.js';
import { mean, tHalfWidth } from '../experiment/stats.js';
import { distributionSvg, linePlotSvg, type BandSeries } from './plots.js';

function caption(res: ExperimentResults): string {
  return `${res.benchmark}${res.pool ? ' (pool)' : ''} · ${res.dataset} · protocol ${res.protocol}`;
}

/**
 * Per algorithm, per query count n: the mean over seeds of the metric reported after n queries
 * ('metric'), or of the regret optimum − metric ('regret'), with the 95 % t interval of that mean.
 * `label` names the series (default: the algorithm).
 */
export function bestSoFarSeries(res: ExperimentResults, mode: 'metric' | 'regret' = 'metric', label: (algo: string) => string = (a) => a): BandSeries[] {
  const algos = Object.keys(res.summary);
  return algos.map((algo) => {
    const runs = res.runs.filter((r) => r.algo === algo);
    const x: number[] = [], y: number[] = [], lo: number[] = [], hi: number[] = [];
    // Points carry the budget spent (query), which a screened run starts past 1.
    const maxLen = Math.max(0, ...runs.map((r) => r.trajectory.at(-1)?.query ?? 0));
    for (let n = 1; n <= maxLen; n++) {
      // A run that exhausted its space early keeps its final value (it cannot improve further).
      const vals = runs.map((r) => reportedMetric(r.trajectory, n, res.protocol)).filter(Number.isFinite)
        .map((v) => (mode === 'regret' ? res.optimum.value - v : v));
      if (vals.length === 0) continue;
      const m = mean(vals), half = tHalfWidth(vals);
      x.push(n); y.push(m); lo.push(m - half); hi.push(m + half);
    }
    return { name: label(algo), x, y, lo, hi };
  });
}

export interface BestSoFarOptions {
  /** False for a live task, whose "optimum" is only the best any run found (default true). */
  readonly optimumKnown?: boolean;
}

/** The first 10 % of the budget (at least one query) is left out when fitting a zoomed axis. */
export function zoomFrom(budget: number): number {
  return Math.max(2, Math.ceil(budget / 10) + 1);
}

export function bestSoFarSvg(res: ExperimentResults, opts: BestSoFarOptions = {}): string {
  const seeds = `${res.seeds.length} seed${res.seeds.length === 1 ? '' : 's'}`;
  if (opts.optimumKnown === false) {
    return linePlotSvg({
      title: `Best so far vs queries — ${caption(res)}`,
      xLabel: 'queries',
      yLabel: res.protocol === 'A' ? 'reported metric (test of best-by-val)' : 'best reported metric',
      series: bestSoFarSeries(res),
      yFitFromX: zoomFrom(res.budget),
      note: `mean, 95 % CI (t); ${seeds}; axis fitted from n=${zoomFrom(res.budget)}`,
    });
  }
  return linePlotSvg({
    title: `Regret vs queries — ${caption(res)}`,
    xLabel: 'queries',
    yLabel: `regret: optimum ${res.optimum.value.toFixed(3)} − reported (log)`,
    series: bestSoFarSeries(res, 'regret'),
    yScale: 'log',
    note: `mean, 95 % CI (t); ${seeds}; regret ≤ 0 at the bottom`,
  });
}

export function finalDistributionSvg(res: ExperimentResults): string {
  const groups = Object.keys(res.summary).map((algo) => ({
    name: algo,
    values: res.runs.filter((r) => r.algo === algo).map((r) => reportedMetric(r.trajectory, res.budget, res.protocol)),
  }));
  return distributionSvg({ title: `Final metric after ${res.budget} queries — ${caption(res)}`, yLabel: 'reported metric', groups });
}
