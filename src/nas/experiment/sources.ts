/**
 * Where an algorithm's queries came from, summed over runs: how many queries each candidate source
 * (initial design, ascent paths, pool, neighbours, swaps, top-ups; see CandidateSource) supplied,
 * their mean validation value, and how often the source supplied a run's final best-by-validation
 * cell. This is what says whether the ascent, rather than the candidates around it, finds the cells
 * that matter.
 */
import type { RunResult } from './runner.js';

export interface SourceShare {
  /** Queries from this source, over all runs. */
  readonly queries: number;
  /** Their mean validation metric. */
  readonly meanVal: number;
  /** Runs whose best-by-validation query came from this source. */
  readonly bestOfRun: number;
}

/** Per source (queries without a recorded source count as 'unrecorded'). */
export function sourceBreakdown(runs: readonly RunResult[], algo: string): Record<string, SourceShare> {
  const acc = new Map<string, { n: number; sum: number; best: number }>();
  const slot = (k: string) => {
    let s = acc.get(k);
    if (s === undefined) acc.set(k, (s = { n: 0, sum: 0, best: 0 }));
    return s;
  };
  for (const r of runs) {
    if (r.algo !== algo || r.trajectory.length === 0) continue;
    let best = r.trajectory[0]!;
    for (const p of r.trajectory) {
      const s = slot(p.source ?? 'unrecorded');
      s.n++;
      s.sum += p.val;
      if (p.val > best.val) best = p;
    }
    slot(best.source ?? 'unrecorded').best++;
  }
  const out: Record<string, SourceShare> = {};
  for (const [k, s] of acc) out[k] = { queries: s.n, meanVal: s.n > 0 ? s.sum / s.n : Number.NaN, bestOfRun: s.best };
  return out;
}
