/** Tensor constructors. Random ones take an explicit seeded Rng: there is no hidden global seed. */
import { allocate, isDType, type DType, type FloatArray } from './dtype.js';
import type { Rng } from './random.js';
import { checkShape, fmtShape, sizeOf, type Shape } from './shape.js';
import { Tensor } from './tensor.js';

export interface CreateOptions {
  readonly dtype?: DType;
  readonly requiresGrad?: boolean;
}

type Nested = number | readonly Nested[];

function dtypeFrom(opts: CreateOptions, fallback: DType): DType {
  const d = opts.dtype ?? fallback;
  if (!isDType(d)) throw new Error(`dtype must be 'float32' or 'float64', got '${String(d)}'`);
  return d;
}

function inferShape(data: Nested, path: string): number[] {
  if (typeof data === 'number') return [];
  if (!Array.isArray(data)) throw new Error(`tensor: expected a number or an array at ${path}, got ${typeof data}`);
  if (data.length === 0) return [0];
  return [data.length, ...inferShape(data[0] as Nested, `${path}[0]`)];
}

function flatten(data: Nested, shape: readonly number[], dim: number, out: number[], path: string): void {
  if (dim === shape.length) {
    if (typeof data !== 'number') throw new Error(`tensor: ragged nested array: expected a number at ${path}`);
    out.push(data);
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[dim]) {
    throw new Error(`tensor: ragged nested array at ${path}: expected length ${shape[dim]}, got ${Array.isArray(data) ? data.length : typeof data}`);
  }
  data.forEach((d: Nested, i: number) => flatten(d, shape, dim + 1, out, `${path}[${i}]`));
}

/**
 * Build a tensor from a number, nested arrays, a flat array or a typed array. With a flat source
 * and no shape, the result is 1-D. Data is always copied.
 */
export function tensor(data: Nested | ArrayLike<number>, shape?: Shape, opts: CreateOptions = {}): Tensor {
  const isTyped = ArrayBuffer.isView(data);
  const dtype = dtypeFrom(opts, data instanceof Float64Array ? 'float64' : 'float32');
  let flat: ArrayLike<number>;
  let inferred: number[];
  if (isTyped) {
    flat = data as ArrayLike<number>;
    inferred = [flat.length];
  } else {
    inferred = inferShape(data as Nested, 'data');
    const out: number[] = [];
    flatten(data as Nested, inferred, 0, out, 'data');
    flat = out;
  }
  const finalShape = shape ?? inferred;
  checkShape(finalShape, 'tensor');
  if (sizeOf(finalShape) !== flat.length) {
    throw new Error(`tensor: ${flat.length} values cannot fill shape ${fmtShape(finalShape)} (${sizeOf(finalShape)} needed)`);
  }
  const buf: FloatArray = allocate(dtype, flat.length);
  for (let i = 0; i < flat.length; i++) buf[i] = flat[i]!;
  return new Tensor(buf, finalShape, opts.requiresGrad ?? false);
}

export function full(shape: Shape, value: number, opts: CreateOptions = {}): Tensor {
  checkShape(shape, 'full');
  const buf = allocate(dtypeFrom(opts, 'float32'), sizeOf(shape));
  if (value !== 0) buf.fill(value);
  return new Tensor(buf, shape, opts.requiresGrad ?? false);
}

export const zeros = (shape: Shape, opts: CreateOptions = {}): Tensor => full(shape, 0, opts);
export const ones = (shape: Shape, opts: CreateOptions = {}): Tensor => full(shape, 1, opts);

/** 0, 1, ..., n-1 (or start, start+step, ... below stop). */
export function arange(start: number, stop?: number, step = 1, opts: CreateOptions = {}): Tensor {
  const [lo, hi] = stop === undefined ? [0, start] : [start, stop];
  if (step === 0 || !Number.isFinite(step)) throw new Error(`arange: step must be a non-zero finite number, got ${step}`);
  const n = Math.max(0, Math.ceil((hi - lo) / step));
  const buf = allocate(dtypeFrom(opts, 'float32'), n);
  for (let i = 0; i < n; i++) buf[i] = lo + i * step;
  return new Tensor(buf, [n], opts.requiresGrad ?? false);
}

export function randn(shape: Shape, rng: Rng, opts: CreateOptions & { readonly std?: number; readonly mean?: number } = {}): Tensor {
  checkShape(shape, 'randn');
  const buf = allocate(dtypeFrom(opts, 'float32'), sizeOf(shape));
  const std = opts.std ?? 1, mean = opts.mean ?? 0;
  for (let i = 0; i < buf.length; i++) buf[i] = mean + std * rng.normal();
  return new Tensor(buf, shape, opts.requiresGrad ?? false);
}

export function rand(shape: Shape, rng: Rng, opts: CreateOptions & { readonly lo?: number; readonly hi?: number } = {}): Tensor {
  checkShape(shape, 'rand');
  const buf = allocate(dtypeFrom(opts, 'float32'), sizeOf(shape));
  const lo = opts.lo ?? 0, hi = opts.hi ?? 1;
  for (let i = 0; i < buf.length; i++) buf[i] = rng.uniform(lo, hi);
  return new Tensor(buf, shape, opts.requiresGrad ?? false);
}
