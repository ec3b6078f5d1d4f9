/** Linear scales and "nice" axis ticks (1, 2, 5 × 10^k steps) for the report plots. */

export interface LinearScale {
  (v: number): number;
  readonly domain: readonly [number, number];
  readonly ticks: readonly number[];
}

/** Tick step of about `range / target` rounded to 1, 2 or 5 × 10^k. */
export function niceStep(range: number, target = 5): number {
  if (!(range > 0) || !Number.isFinite(range)) return 1;
  const raw = range / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

/** Domain of finite values, widened to nice tick boundaries; a degenerate range gets ±1 (or ±1 %). */
export function niceDomain(values: Iterable<number>, target = 5): { domain: [number, number]; ticks: number[] } {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) { lo = 0; hi = 1; }
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.01;
    lo -= pad; hi += pad;
  }
  const step = niceStep(hi - lo, target);
  const a = Math.floor(lo / step) * step, b = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  // Index-based ticks avoid accumulating float error (0.1 + 0.2 ...).
  for (let i = 0; a + i * step <= b + step * 1e-9; i++) ticks.push(Number((a + i * step).toPrecision(12)));
  return { domain: [a, b], ticks };
}

/** Map [d0, d1] onto pixel range [r0, r1]. */
export function linearScale(domain: readonly [number, number], range: readonly [number, number], ticks: readonly number[] = []): LinearScale {
  const [d0, d1] = domain, [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  const f = ((v: number) => r0 + (v - d0) * k) as LinearScale;
  Object.defineProperty(f, 'domain', { value: domain });
  Object.defineProperty(f, 'ticks', { value: ticks });
  return f;
}

/** Short tick label: integers as is, otherwise up to 3 significant decimals, no trailing zeros. */
export function tickLabel(v: number, step: number): string {
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step > 0 ? step : 1))));
  return v.toFixed(decimals);
}

/**
 * Domain and ticks of a log axis covering the positive finite values: whole decades, with 2 and 5
 * between them when the values span fewer than three decades (so a short range still gets ticks).
 */
export function logDomain(values: Iterable<number>): { domain: [number, number]; ticks: number[] } {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (!(v > 0) || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) { lo = 1; hi = 10; }
  const a = Math.floor(Math.log10(lo) + 1e-9), b = Math.max(a + 1, Math.ceil(Math.log10(hi) - 1e-9));
  const steps = b - a < 3 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let e = a; e <= b; e++) for (const m of steps) if (e < b || m === 1) ticks.push(Number((m * 10 ** e).toPrecision(6)));
  return { domain: [10 ** a, 10 ** b], ticks };
}

/** Map [d0, d1] (both > 0) onto [r0, r1] logarithmically; values at or below d0 (zero included) map to r0. */
export function logScale(domain: readonly [number, number], range: readonly [number, number], ticks: readonly number[] = []): LinearScale {
  const [d0, d1] = domain, [r0, r1] = range;
  const l0 = Math.log10(d0), k = (r1 - r0) / (Math.log10(d1) - l0);
  const f = ((v: number) => r0 + (Math.log10(Math.max(v, d0)) - l0) * k) as LinearScale;
  Object.defineProperty(f, 'domain', { value: domain });
  Object.defineProperty(f, 'ticks', { value: ticks });
  return f;
}

/** Tick label of a log axis: the value with up to 6 significant digits, no exponent below 1e-6. */
export function logTickLabel(v: number): string {
  return String(Number(v.toPrecision(6)));
}
