/** Summary statistics used by the experiment tables. */
export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation (n − 1); 0 for a single value. */
export function std(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

/** Linear-interpolation quantile (NumPy's default), q in [0, 1]. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/**
 * ln Γ(x) for x > 0: Lanczos approximation (g = 7, 9 coefficients; about 15 correct digits), with
 * the reflection formula below 0.5. Needed by the incomplete beta function.
 */
const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * Regularised incomplete beta I_x(a, b), by its continued fraction (modified Lentz), evaluated on
 * the side where it converges fast (x < (a+1)/(a+b+2), else through I_x(a,b) = 1 − I_{1−x}(b,a)).
 */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (!(x >= 0 && x <= 1)) throw new Error(`incompleteBeta: x must be in [0, 1], got ${x}`);
  if (x === 0 || x === 1) return x;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
  const tiny = 1e-300;
  let c = 1, d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let f = d;
  for (let m = 1; m <= 300; m++) {
    // Even step, then odd step of the continued fraction.
    let num = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    d = 1 + num * d; if (Math.abs(d) < tiny) d = tiny; d = 1 / d;
    c = 1 + num / c; if (Math.abs(c) < tiny) c = tiny;
    f *= d * c;
    num = (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 + num * d; if (Math.abs(d) < tiny) d = tiny; d = 1 / d;
    c = 1 + num / c; if (Math.abs(c) < tiny) c = tiny;
    const delta = d * c;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return (front * f) / a;
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom (df > 0, not necessarily an integer). */
export function studentTCdf(t: number, df: number): number {
  if (!(df > 0)) throw new Error(`studentTCdf: degrees of freedom must be > 0, got ${df}`);
  if (!Number.isFinite(t)) return t > 0 ? 1 : 0;
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/**
 * The p-quantile of Student's t with `df` degrees of freedom: bisection on the CDF to 1e-12 (the
 * CDF is monotone, so this cannot fail to converge). E.g. studentTQuantile(0.975, 4) = 2.776.
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`studentTQuantile: p must be in (0, 1), got ${p}`);
  if (!(df > 0)) throw new Error(`studentTQuantile: degrees of freedom must be > 0, got ${df}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let lo = 0, hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Half-width of the two-sided `level` confidence interval of the mean of `xs` (Student's t with
 * n − 1 degrees of freedom: with 3–10 seeds the normal 1.96 would be 15–55 % too narrow). 0 for
 * fewer than two values (no spread to estimate).
 */
export function tHalfWidth(xs: readonly number[], level = 0.95): number {
  if (xs.length < 2) return 0;
  return (studentTQuantile((1 + level) / 2, xs.length - 1) * std(xs)) / Math.sqrt(xs.length);
}

export interface WilcoxonResult {
  /** Non-zero differences (zeros are dropped, Wilcoxon's convention). */
  readonly n: number;
  /** Sum of the ranks of the positive differences (ties get average ranks). */
  readonly wPlus: number;
  /** Two-sided p-value. */
  readonly p: number;
  /** 'exact': the permutation distribution of W+ over all 2^n sign flips; 'normal': the tie-corrected normal approximation with continuity correction. */
  readonly method: 'exact' | 'normal';
}

/** Up to this many non-zero differences the p-value is exact (O(n³) work: 200 → ~8 M steps). */
export const WILCOXON_EXACT_MAX = 200;

/**
 * Wilcoxon signed-rank test of "the paired differences are symmetric about 0", two-sided. Exact
 * even with tied |d| (average ranks are multiples of ½, so the distribution of 2·W+ under random
 * signs is counted exactly over integers); the normal approximation only beyond WILCOXON_EXACT_MAX.
 * `zeroTol`: |d| at or below it counts as a tie with 0 (float noise in metrics that are equal);
 * `exactMax`: largest n computed exactly (tests lower it to compare the approximation).
 */
export function wilcoxonSignedRank(d: readonly number[], opts: { zeroTol?: number; exactMax?: number } = {}): WilcoxonResult {
  const zeroTol = opts.zeroTol ?? 1e-9;
  const nz = d.filter((x) => Number.isFinite(x) && Math.abs(x) > zeroTol);
  const n = nz.length;
  if (n === 0) return { n, wPlus: 0, p: 1, method: 'exact' };
  const order = nz.map((x, i) => [Math.abs(x), i] as const).sort((a, b) => a[0] - b[0]);
  // Doubled average ranks (integers): a tie group over positions i..j (1-based) gets i + j.
  const rank2 = new Array<number>(n);
  let tieTerm = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && Math.abs(order[j + 1]![0] - order[i]![0]) <= zeroTol) j++;
    for (let k = i; k <= j; k++) rank2[order[k]![1]] = i + 1 + j + 1;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  const w2 = nz.reduce((acc, x, i) => acc + (x > 0 ? rank2[i]! : 0), 0);
  const total2 = n * (n + 1);
  if (n <= (opts.exactMax ?? WILCOXON_EXACT_MAX)) {
    // dist[s] = P(2·W+ = s) when each rank's sign is + or − with probability ½ independently.
    let dist = new Float64Array(total2 + 1);
    dist[0] = 1;
    let reach = 0;
    for (const r of rank2) {
      const next = new Float64Array(total2 + 1);
      for (let s = 0; s <= reach; s++) {
        const q = dist[s]!;
        if (q === 0) continue;
        next[s] = next[s]! + q / 2;
        next[s + r] = next[s + r]! + q / 2;
      }
      reach += r;
      dist = next;
    }
    let lower = 0, upper = 0;
    for (let s = 0; s <= total2; s++) {
      if (s <= w2) lower += dist[s]!;
      if (s >= w2) upper += dist[s]!;
    }
    return { n, wPlus: w2 / 2, p: Math.min(1, 2 * Math.min(lower, upper)), method: 'exact' };
  }
  const mu = (n * (n + 1)) / 4;
  const sigma = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48);
  const z = sigma === 0 ? 0 : Math.max(0, Math.abs(w2 / 2 - mu) - 0.5) / sigma;
  return { n, wPlus: w2 / 2, p: Math.min(1, 2 * (1 - normalCdf(z))), method: 'normal' };
}

/** Standard normal CDF, from erf (only the large-n Wilcoxon approximation needs it). */
function normalCdf(z: number): number {
  // erf by its Taylor series for |x| < 3, else its asymptotic complement (both to ~1e-14).
  const x = Math.abs(z) / Math.SQRT2;
  let erf: number;
  if (x < 3) {
    let term = x, sum = x;
    for (let k = 1; k < 200; k++) {
      term *= (-x * x) / k;
      const add = term / (2 * k + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    erf = (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    // erfc(x) ≈ exp(−x²)/(x√π) · (1 − 1/(2x²) + 3/(4x⁴) − 15/(8x⁶))
    const x2 = x * x;
    erf = 1 - (Math.exp(-x2) / (x * Math.sqrt(Math.PI))) * (1 - 1 / (2 * x2) + 3 / (4 * x2 * x2) - 15 / (8 * x2 * x2 * x2));
  }
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}
