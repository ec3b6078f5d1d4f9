/**
 * When may `setBackend('auto')` route a product to gpu.js? Measured on the running machine, never
 * assumed: square Float32 products of growing size, each timed on gpu.js and on the backend `auto`
 * picks without it (wasm or js), median of a few runs after a warm-up (which also compiles
 * gpu.js's kernel for that shape). gpu.js gets a finite `autoMinFlops` only from the smallest size
 * from which it was faster at that size and every larger one measured; otherwise it stays out of
 * `auto`. One-off: the result is a plain JSON object keyed by what gpu.js runs on (engine, kernel
 * class, runtime), which the caller keeps (a file, localStorage) and hands back to skip the
 * measurement next time. No Node built-ins.
 */
import type { MatmulSpec } from '../backend.js';
import { backendFor } from '../registry.js';
import type { GpuJsBackend } from './index.js';

export interface CalibrationPoint {
  readonly size: number;
  readonly flops: number;
  readonly gpujsMs: number;
  readonly otherMs: number;
  /** The backend `auto` picks for this product without gpu.js. */
  readonly other: string;
}

export interface GpuJsCalibration {
  readonly key: string;
  readonly points: readonly CalibrationPoint[];
  /** The crossover given to gpu.js, or null: never (JSON has no Infinity). */
  readonly autoMinFlops: number | null;
  /** One line: what `auto` will do with gpu.js, and why. */
  readonly summary: string;
}

export interface CalibrateOptions {
  /** Square sizes n (n×n·n×n products), ascending. */
  readonly sizes?: readonly number[];
  /** Timed runs per size and backend (median). */
  readonly reps?: number;
  /** A calibration kept from before: used as it is when its key matches this machine's. */
  readonly cached?: GpuJsCalibration;
}

function square(n: number, seed: number): MatmulSpec {
  const a = Float32Array.from({ length: n * n }, (_, i) => Math.sin(i + seed));
  const b = Float32Array.from({ length: n * n }, (_, i) => Math.cos(i - seed));
  return { a, b, out: new Float32Array(n * n), m: n, n, k: n, transA: false, transB: false, batch: 1, aOffsets: Int32Array.of(0), bOffsets: Int32Array.of(0) };
}

function medianMs(run: () => void, reps: number): number {
  run(); // warm-up: compiles, fills caches
  const t: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    run();
    t.push(performance.now() - t0);
  }
  t.sort((x, y) => x - y);
  return t[Math.floor(t.length / 2)]!;
}

/** What gpu.js runs on here (after at least one product): the calibration's cache key. */
export function calibrationKey(be: GpuJsBackend): string {
  const d = be.describe!();
  const runtime = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent ?? 'unknown runtime';
  return `${d['engine'] ?? d['mode']}/${d['kernel'] ?? '?'}/${runtime}`;
}

/** Measure (or take the matching cached result), set `be.autoMinFlops`, and say what was picked. */
export function calibrateGpuJs(be: GpuJsBackend, opts: CalibrateOptions = {}): GpuJsCalibration {
  const sizes = opts.sizes ?? [16, 64, 128, 256];
  const reps = opts.reps ?? 5;
  if (sizes.length === 0 || sizes.some((n, i) => !(Number.isInteger(n) && n >= 1) || (i > 0 && n <= sizes[i - 1]!))) {
    throw new Error(`calibrateGpuJs: sizes must be ascending positive integers, got [${sizes.join(', ')}]`);
  }
  if (!(Number.isInteger(reps) && reps >= 1)) throw new Error(`calibrateGpuJs: reps must be a positive integer, got ${reps}`);
  // Out of auto while measuring, so that backendFor names the backend gpu.js must beat.
  be.autoMinFlops = Infinity;
  be.matmul(square(2, 0)); // one product, so that describe() names the kernel class
  const key = calibrationKey(be);
  if (opts.cached !== undefined && opts.cached.key === key) {
    be.autoMinFlops = opts.cached.autoMinFlops ?? Infinity;
    return opts.cached;
  }
  const points: CalibrationPoint[] = sizes.map((n) => {
    const spec = square(n, n);
    const other = backendFor(spec, 'float32', 'auto');
    return { size: n, flops: 2 * n * n * n, gpujsMs: medianMs(() => be.matmul(spec), reps), otherMs: medianMs(() => other.matmul(spec), reps), other: other.name };
  });
  let from: number | null = null;
  for (let i = points.length - 1; i >= 0 && points[i]!.gpujsMs < points[i]!.otherMs; i--) from = points[i]!.flops;
  be.autoMinFlops = from ?? Infinity;
  const at = points.map((p) => `${p.size}³ ${p.gpujsMs.toFixed(2)} vs ${p.other} ${p.otherMs.toFixed(2)} ms`).join(', ');
  const everywhere = points.every((p) => p.gpujsMs >= p.otherMs);
  const summary = from === null
    ? `auto keeps gpu.js (${key.split('/').slice(0, 2).join(', ')}) off: slower ${everywhere ? 'at every size' : 'at the largest size'} measured (${at})`
    : `auto routes products of ≥ ${from} flops to gpu.js (${key.split('/').slice(0, 2).join(', ')}): faster from there on (${at})`;
  return { key, points, autoMinFlops: from, summary };
}
