/**
 * Reporting one live search (core, shared by the CLI demo and the browser page): the best-so-far
 * curves and the final best architecture, from the run's trajectory alone.
 */
import type { TrajectoryPoint } from '../experiment/runner.js';
import { linePlotSvg } from '../report/plots.js';

export interface BestSoFar {
  readonly queries: number[];
  /** Best validation accuracy among the first n queries. */
  readonly val: number[];
  /** Test accuracy of that best-by-validation architecture (protocol A). */
  readonly test: number[];
}

export function bestSoFar(traj: readonly TrajectoryPoint[]): BestSoFar {
  const out: BestSoFar = { queries: [], val: [], test: [] };
  let best: TrajectoryPoint | null = null;
  for (const p of traj) {
    if (best === null || p.val > best.val) best = p;
    out.queries.push(p.query);
    out.val.push(best.val);
    out.test.push(best.test ?? best.val);
  }
  return out;
}

/** The best-by-validation point (first one on ties), or null for an empty trajectory. */
export function bestPoint(traj: readonly TrajectoryPoint[]): TrajectoryPoint | null {
  let best: TrajectoryPoint | null = null;
  for (const p of traj) if (best === null || p.val > best.val) best = p;
  return best;
}

export function liveCurveSvg(traj: readonly TrajectoryPoint[], title: string, note?: string, xLabel = 'queries (candidates trained)'): string {
  const c = bestSoFar(traj);
  return linePlotSvg({
    title,
    xLabel,
    yLabel: 'accuracy (%)',
    series: [
      { name: 'best val so far', x: c.queries, y: c.val, lo: c.val, hi: c.val },
      { name: 'its test accuracy', x: c.queries, y: c.test, lo: c.test, hi: c.test },
    ],
    ...(note !== undefined ? { note } : {}),
  });
}
