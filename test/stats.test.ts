/**
 * Small-sample statistics of the reports against published table values (not against another
 * implementation): Student's t quantiles from the t table of the NIST/SEMATECH e-Handbook of
 * Statistical Methods (§1.3.6.7.2, "Critical values of the Student's t distribution", 3 decimals),
 * and the Wilcoxon signed-rank test from the standard table of critical values of W for a
 * two-sided test at α = 0.05 (Wilcoxon, Katti & Wilcox 1970; n = 6 → 0, 10 → 8, 15 → 25, 20 → 52).
 */
import { describe, expect, it } from 'vitest';
import { incompleteBeta, logGamma, studentTCdf, studentTQuantile, tHalfWidth, wilcoxonSignedRank, WILCOXON_EXACT_MAX } from '../src/nas/experiment/stats.js';

describe("Student's t", () => {
  it('quantiles match the NIST t table to its 3 decimals', () => {
    const table: [number, number, number][] = [
      [0.975, 1, 12.706], [0.975, 2, 4.303], [0.975, 3, 3.182], [0.975, 4, 2.776], [0.975, 9, 2.262],
      [0.975, 19, 2.093], [0.975, 30, 2.042], [0.975, 99, 1.984], [0.95, 5, 2.015], [0.995, 10, 3.169], [0.99, 20, 2.528],
    ];
    for (const [p, df, t] of table) expect(studentTQuantile(p, df), `t_{${p},${df}}`).toBeCloseTo(t, 3);
    // Symmetry, the median, and the normal limit (z_{0.975} = 1.960).
    expect(studentTQuantile(0.025, 4)).toBeCloseTo(-2.776, 3);
    expect(studentTQuantile(0.5, 7)).toBe(0);
    expect(studentTQuantile(0.975, 1e7)).toBeCloseTo(1.96, 3);
  });

  it('the CDF inverts the quantile and has the closed forms of df = 1 and 2', () => {
    for (const t of [-3, -0.5, 0, 0.7, 4]) {
      expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 12); // Cauchy
      expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 12);
    }
    for (const df of [1, 3, 8, 40]) for (const p of [0.6, 0.9, 0.999]) expect(studentTCdf(studentTQuantile(p, df), df)).toBeCloseTo(p, 10);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(incompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 12); // uniform
    expect(() => studentTQuantile(1, 3)).toThrow(/p must be in \(0, 1\), got 1/);
  });

  it('the 95 % interval of a mean uses t with n − 1 degrees of freedom', () => {
    // 1..5: s = √2.5, so the half-width is 2.776 · 1.5811 / √5 = 1.963 (1.96 would give 1.386).
    expect(tHalfWidth([1, 2, 3, 4, 5])).toBeCloseTo((studentTQuantile(0.975, 4) * Math.sqrt(2.5)) / Math.sqrt(5), 12);
    expect(tHalfWidth([1, 2, 3, 4, 5])).toBeCloseTo(1.963, 3);
    expect(tHalfWidth([7])).toBe(0);
  });
});

/** Differences with ranks 1..n and positive-rank sum exactly w (signs chosen greedily). */
function withWPlus(n: number, w: number): number[] {
  let left = w;
  return Array.from({ length: n }, (_, i) => n - i).map((r) => {
    if (r <= left) { left -= r; return r; }
    return -r;
  });
}

describe('Wilcoxon signed-rank test', () => {
  it('reproduces the table of two-sided 5 % critical values (exact distribution)', () => {
    for (const [n, crit] of [[6, 0], [10, 8], [15, 25], [20, 52]] as const) {
      const at = wilcoxonSignedRank(withWPlus(n, crit));
      const above = wilcoxonSignedRank(withWPlus(n, crit + 1));
      expect(at.wPlus).toBe(crit);
      expect(at.method).toBe('exact');
      expect(at.p, `n=${n}, W=${crit}`).toBeLessThanOrEqual(0.05);
      expect(above.p, `n=${n}, W=${crit + 1}`).toBeGreaterThan(0.05);
    }
  });

  it('gives the exact small-n p-values, drops zeros, and is symmetric in the sign', () => {
    // Five pairs all one way: 2 · (1/2)^5 = 0.0625, the smallest p that 5 pairs can reach.
    expect(wilcoxonSignedRank([0.3, 1, 2, 0.5, 4]).p).toBe(0.0625);
    expect(wilcoxonSignedRank([-0.3, -1, -2, -0.5, -4]).p).toBe(0.0625);
    expect(wilcoxonSignedRank([1, 2, 3, 4, 5, 6]).p).toBe(0.03125);
    expect(wilcoxonSignedRank([1, 2, 0, 3, 4, 5, 0, 6])).toMatchObject({ n: 6, p: 0.03125 });
    expect(wilcoxonSignedRank([0, 0, 0])).toMatchObject({ n: 0, p: 1 });
    // Ties: |d| = 1, 1, 2 share average ranks 1.5, 1.5, 3; W+ = 1.5 + 3 = 4.5 of 6. The 8 sign
    // patterns give 2W+ ∈ {0,3,3,6,6,9,9,12}; P(2W+ ≥ 9) = 3/8, so p = 2 · 3/8 = 0.75.
    expect(wilcoxonSignedRank([1, -1, 2])).toMatchObject({ n: 3, wPlus: 4.5, p: 0.75 });
  });

  it('switches to the normal approximation only for large n, where it agrees with the exact value', () => {
    const n = WILCOXON_EXACT_MAX;
    const d = withWPlus(n, Math.round((n * (n + 1)) / 4 - 1.96 * Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24)));
    const exact = wilcoxonSignedRank(d);
    const approx = wilcoxonSignedRank(d, { exactMax: n - 1 });
    expect(exact.method).toBe('exact');
    expect(approx.method).toBe('normal');
    expect(wilcoxonSignedRank([...d, n + 1]).method).toBe('normal');
    expect(exact.p).toBeCloseTo(0.05, 2);
    expect(Math.abs(approx.p - exact.p)).toBeLessThan(0.001);
  });
});

describe('paired tables (bench/paired-stats)', () => {
  it('print the t interval and the Wilcoxon p, and mark only p < 0.05 as significant', async () => {
    const { pairedDiff } = await import('../bench/paired-stats.js');
    // Five wins of five: p = 0.0625, not significant however large the mean.
    expect(pairedDiff([1, 2, 3, 4, 5])).toBe('+3.000 [+1.037, +4.963] (W/L 5/0, Wilcoxon p 0.063)');
    expect(pairedDiff([1, 2, 3, 4, 5, 6])).toMatch(/\(W\/L 6\/0, Wilcoxon p 0\.031 \*\)$/);
    expect(pairedDiff([0, 0, 0.5, -0.5])).toMatch(/W\/L 1\/1, Wilcoxon p 1\.0\)$/);
  });
});
