/**
 * Cosine learning-rate schedule with optional linear warm-up: lr(t) for step t in [0, total).
 * Apply it by assigning `optimizer.lr = schedule(t)` before each step.
 */
export interface CosineOptions {
  readonly base: number;
  readonly total: number;
  readonly min?: number;
  readonly warmup?: number;
}

export function cosineSchedule(opts: CosineOptions): (step: number) => number {
  const { base, total } = opts;
  const min = opts.min ?? 0, warmup = opts.warmup ?? 0;
  if (!(total > 0) || !(warmup >= 0) || warmup >= total) throw new Error(`cosineSchedule: need 0 <= warmup < total, got warmup ${warmup}, total ${total}`);
  return (step) => {
    if (step < warmup) return (base * (step + 1)) / warmup;
    const t = Math.min(1, (step - warmup) / Math.max(1, total - warmup - 1));
    return min + 0.5 * (base - min) * (1 + Math.cos(Math.PI * t));
  };
}
