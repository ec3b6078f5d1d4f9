/**
 * Plots of an experiment's results: best-so-far reported metric vs queries (mean with a 95 %
 * confidence band of the mean from Student's t, per algorithm) and the distribution of the final metric.
 */
import { reportedMetric, type ExperimentResults } from '../experiment/runner.js';
import { mean, tHalfWidth } from '../experiment/stats.js';
import { distributionSvg, linePlotSvg, type BandSeries } from './plots.js';

function caption(res: ExperimentResults): string {
  return `${res.benchmark}${res.pool ? ' (pool)' : ''} · ${res.dataset} · protocol ${res.protocol}`;
}

/** Per algorithm, per query count n: the mean over seeds of the metric reported after n queries. */
export function bestSoFarSeries(res: ExperimentResults): BandSeries[] {
  const algos = Object.keys(res.summary);
  return algos.map((algo) => {
    const runs = res.runs.filter((r) => r.algo === algo);
    const x: number[] = [], y: number[] = [], lo: number[] = [], hi: number[] = [];
    // Points carry the budget spent (query), which a screened run starts past 1.
    const maxLen = Math.max(0, ...runs.map((r) => r.trajectory.at(-1)?.query ?? 0));
    for (let n = 1; n <= maxLen; n++) {
      // A run that exhausted its space early keeps its final value (it cannot improve further).
      const vals = runs.map((r) => reportedMetric(r.trajectory, n, res.protocol)).filter(Number.isFinite);
      if (vals.length === 0) continue;
      const m = mean(vals), half = tHalfWidth(vals);
      x.push(n); y.push(m); lo.push(m - half); hi.push(m + half);
    }
    return { name: algo, x, y, lo, hi };
  });
}

export function bestSoFarSvg(res: ExperimentResults): string {
  return linePlotSvg({
    title: `Best so far vs queries — ${caption(res)}`,
    xLabel: 'queries',
    yLabel: res.protocol === 'A' ? 'reported metric (test of best-by-val)' : 'best reported metric',
    series: bestSoFarSeries(res),
    reference: { value: res.optimum.value, label: `optimum ${res.optimum.value.toFixed(3)}` },
    note: `mean, 95 % CI (Student t), ${res.seeds.length} seed${res.seeds.length === 1 ? '' : 's'}`,
  });
}

export function finalDistributionSvg(res: ExperimentResults): string {
  const groups = Object.keys(res.summary).map((algo) => ({
    name: algo,
    values: res.runs.filter((r) => r.algo === algo).map((r) => reportedMetric(r.trajectory, res.budget, res.protocol)),
  }));
  return distributionSvg({ title: `Final metric after ${res.budget} queries — ${caption(res)}`, yLabel: 'reported metric', groups });
}
