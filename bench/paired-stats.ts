/** Statistics for the paired-by-seed comparisons of the bench scripts (ablate-prednas, paired). */
import { mean, std, tHalfWidth, wilcoxonSignedRank } from '../src/nas/experiment/stats.js';

/** Mean, sample standard deviation and standard error of the mean. */
export function stats(xs: readonly number[]): { mean: number; sd: number; se: number } {
  const sd = std(xs);
  return { mean: mean(xs), sd, se: sd / Math.sqrt(xs.length) };
}

/** p-value as printed: 2 significant digits, or "< 0.001". */
export function formatP(p: number): string {
  return p < 0.001 ? '< 0.001' : p.toPrecision(2);
}

/**
 * Per-seed differences as `+mean [95 % CI] (W/L wins/losses, Wilcoxon p)`: the interval is
 * Student's t on the differences, the p-value the two-sided Wilcoxon signed-rank test (exact for
 * the seed counts used here), and "significant" is only ever claimed where that p is below 0.05.
 * |d| ≤ 1e-9 is a tie (dropped by the test).
 */
export function pairedDiff(d: readonly number[]): string {
  const m = mean(d), half = tHalfWidth(d);
  const w = wilcoxonSignedRank(d);
  const f = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(3)}`;
  return `${f(m)} [${f(m - half)}, ${f(m + half)}] (W/L ${d.filter((x) => x > 1e-9).length}/${d.filter((x) => x < -1e-9).length}, Wilcoxon p ${formatP(w.p)}${w.p < 0.05 ? ' *' : ''})`;
}
