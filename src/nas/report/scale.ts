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
