/** Small, strict helpers for CLI flags: every bad value names the flag and what was expected. */
import { UsageError } from './context.js';

export function parseSeeds(text: string, flag = 'seeds'): number[] {
  const range = /^(\d+)\.\.(\d+)$/.exec(text.trim());
  if (range) {
    const lo = Number(range[1]), hi = Number(range[2]);
    if (hi < lo) throw new UsageError(`--${flag}: empty range '${text}' (expected LO..HI with LO <= HI)`);
    return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  }
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length === 0 || parts.some((p) => !/^\d+$/.test(p))) throw new UsageError(`--${flag}: expected 'LO..HI' or a comma list of non-negative integers, got '${text}'`);
  return parts.map(Number);
}

export function parseIntList(name: string, text: string, min = 1): number[] {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p) || Number(p) < min)) throw new UsageError(`--${name}: expected a comma list of integers >= ${min}, got '${text}'`);
  return [...new Set(parts.map(Number))];
}

export function parseIntFlag(name: string, text: string | undefined, fallback: number, min = 1): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!/^\s*-?\d+\s*$/.test(text) || !Number.isSafeInteger(v) || v < min) throw new UsageError(`--${name}: expected an integer >= ${min}, got '${text}'`);
  return v;
}

export function parseNumberFlag(name: string, text: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) throw new UsageError(`--${name}: expected a finite number, got '${text}'`);
  return v;
}

export function parseChoice<T extends string>(name: string, text: string | undefined, choices: readonly T[], fallback: T): T {
  if (text === undefined) return fallback;
  if (!(choices as readonly string[]).includes(text)) throw new UsageError(`--${name}: expected one of ${choices.join(', ')}, got '${text}'`);
  return text as T;
}
