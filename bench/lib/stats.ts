import { performance } from 'node:perf_hooks';

export const now = (): number => performance.now();

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 === 1 ? s[(n - 1) >> 1]! : 0.5 * (s[n / 2 - 1]! + s[n / 2]!);
}

/** Run `fn` repeatedly for at least `minMs` (and `minReps` times); mean ms per call. */
export function timeIt(fn: () => void, minMs: number, minReps = 1): number {
  let reps = 0;
  const t0 = now();
  let t = 0;
  do {
    fn();
    reps++;
    t = now() - t0;
  } while (t < minMs || reps < minReps);
  return t / reps;
}

/** Machine facts printed with every result, since absolute numbers only mean something with them. */
export async function machine(): Promise<Record<string, string | number>> {
  const os = await import('node:os');
  const cpus = os.cpus();
  return { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, node: process.version, loadavg: os.loadavg().map((x) => x.toFixed(2)).join(' '), date: new Date().toISOString() };
}
