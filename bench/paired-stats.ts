/** Statistics for the paired-by-seed comparisons of the bench scripts (ablate-prednas, paired). */

/** Mean, sample standard deviation and standard error of the mean. */
export function stats(xs: readonly number[]): { mean: number; sd: number; se: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return { mean, sd, se: sd / Math.sqrt(xs.length) };
}

/** Per-seed differences as `+mean ± se (W/L wins/losses)`; |d| ≤ 1e-9 is a tie. */
export function pairedDiff(d: readonly number[]): string {
  const { mean, se } = stats(d);
  return `${mean >= 0 ? '+' : ''}${mean.toFixed(3)} ± ${se.toFixed(3)} (W/L ${d.filter((x) => x > 1e-9).length}/${d.filter((x) => x < -1e-9).length})`;
}
