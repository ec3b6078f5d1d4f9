/** Small, strict helpers for CLI flags: every bad value names the flag and what was expected. */
export function parseSeeds(text: string): number[] {
  const range = /^(\d+)\.\.(\d+)$/.exec(text.trim());
  if (range) {
    const lo = Number(range[1]), hi = Number(range[2]);
    if (hi < lo) throw new Error(`--seeds: empty range '${text}' (expected LO..HI with LO <= HI)`);
    return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  }
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length === 0 || parts.some((p) => !/^\d+$/.test(p))) throw new Error(`--seeds: expected 'LO..HI' or a comma list of non-negative integers, got '${text}'`);
  return parts.map(Number);
}

export function parseIntFlag(name: string, text: string | undefined, fallback: number, min = 1): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!Number.isInteger(v) || v < min) throw new Error(`--${name}: expected an integer >= ${min}, got '${text}'`);
  return v;
}

export function parseChoice<T extends string>(name: string, text: string | undefined, choices: readonly T[], fallback: T): T {
  if (text === undefined) return fallback;
  if (!(choices as readonly string[]).includes(text)) throw new Error(`--${name}: expected one of ${choices.join(', ')}, got '${text}'`);
  return text as T;
}

export function asList(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}
