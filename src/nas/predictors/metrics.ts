/**
 * Predictor-quality metrics as the field reports them (NASLib's predictor evaluator set):
 * MAE, RMSE, Pearson, Spearman, Kendall τ-b and precision@k.
 */
export interface PredictorMetrics {
  readonly mae: number;
  readonly rmse: number;
  readonly pearson: number;
  readonly spearman: number;
  readonly kendall: number;
  /** Fraction of the true top-k that the predicted top-k recovers, per k. */
  readonly precisionAtK: Readonly<Record<number, number>>;
}

function check(pred: ArrayLike<number>, truth: ArrayLike<number>): void {
  if (pred.length !== truth.length) throw new Error(`metrics: ${pred.length} predictions but ${truth.length} true values`);
  if (pred.length < 2) throw new Error('metrics: need at least 2 points');
}

export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  check(x, y);
  const n = x.length;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) { mx += x[i]!; my += y[i]!; }
  mx /= n; my /= n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx, dy = y[i]! - my;
    sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? 0 : sxy / Math.sqrt(sxx * syy);
}

/** Average ranks (ties share the mean rank), 1-based. */
export function ranks(x: ArrayLike<number>): Float64Array {
  const idx = Array.from({ length: x.length }, (_, i) => i).sort((a, b) => x[a]! - x[b]!);
  const r = new Float64Array(x.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && x[idx[j + 1]!] === x[idx[i]!]) j++;
    const avg = (i + j) / 2 + 1;
    for (let q = i; q <= j; q++) r[idx[q]!] = avg;
    i = j + 1;
  }
  return r;
}

export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  check(x, y);
  return pearson(ranks(x), ranks(y));
}

/** Kendall τ-b (tie-corrected), O(n log n) via merge-sort inversion counting (Knight 1966). */
export function kendallTau(x: ArrayLike<number>, y: ArrayLike<number>): number {
  check(x, y);
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a]! - x[b]! || y[a]! - y[b]!);
  const n0 = (n * (n - 1)) / 2;
  // Pairs tied in x (n1), tied in both (n3).
  let n1 = 0, n3 = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && x[order[j + 1]!] === x[order[i]!]) j++;
    const t = j - i + 1;
    n1 += (t * (t - 1)) / 2;
    for (let a = i; a <= j; ) {
      let b = a;
      while (b + 1 <= j && y[order[b + 1]!] === y[order[a]!]) b++;
      const u = b - a + 1;
      n3 += (u * (u - 1)) / 2;
      a = b + 1;
    }
    i = j + 1;
  }
  // Sort by y counting swaps = discordant pairs.
  const ys = Float64Array.from(order, (i) => y[i]!);
  const buf = new Float64Array(n);
  let swaps = 0;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n), hi = Math.min(lo + 2 * width, n);
      let i = lo, j = mid, k = lo;
      while (i < mid && j < hi) {
        if (ys[j]! < ys[i]!) { buf[k++] = ys[j++]!; swaps += mid - i; } else buf[k++] = ys[i++]!;
      }
      while (i < mid) buf[k++] = ys[i++]!;
      while (j < hi) buf[k++] = ys[j++]!;
    }
    ys.set(buf);
  }
  let n2 = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && ys[j + 1] === ys[i]) j++;
    const t = j - i + 1;
    n2 += (t * (t - 1)) / 2;
    i = j + 1;
  }
  const concordantMinusDiscordant = n0 - n1 - n2 + n3 - 2 * swaps;
  const denom = Math.sqrt((n0 - n1) * (n0 - n2));
  return denom === 0 ? 0 : concordantMinusDiscordant / denom;
}

export function precisionAtK(pred: ArrayLike<number>, truth: ArrayLike<number>, k: number): number {
  check(pred, truth);
  const kk = Math.min(k, pred.length);
  const top = (v: ArrayLike<number>) => new Set(Array.from({ length: v.length }, (_, i) => i).sort((a, b) => v[b]! - v[a]! || a - b).slice(0, kk));
  const p = top(pred), t = top(truth);
  let hit = 0;
  for (const i of p) if (t.has(i)) hit++;
  return hit / kk;
}

/** The k of precision@k reported by default (predictor-eval's columns). */
export const PRECISION_KS = [10, 50, 100] as const;

export function predictorMetrics(pred: ArrayLike<number>, truth: ArrayLike<number>, ks: readonly number[] = PRECISION_KS): PredictorMetrics {
  check(pred, truth);
  let ae = 0, se = 0;
  for (let i = 0; i < pred.length; i++) {
    const d = pred[i]! - truth[i]!;
    ae += Math.abs(d);
    se += d * d;
  }
  return {
    mae: ae / pred.length,
    rmse: Math.sqrt(se / pred.length),
    pearson: pearson(pred, truth),
    spearman: spearman(pred, truth),
    kendall: kendallTau(pred, truth),
    precisionAtK: Object.fromEntries(ks.map((k) => [k, precisionAtK(pred, truth, k)])),
  };
}
