/**
 * Shared generators and the naive Float64 reference for the kernel tests (test/kernels*.test.ts).
 * Not a test file itself (no .test suffix); lives beside them because test/helpers belongs to
 * the autograd tests.
 */
import fc from 'fast-check';
import { Rng } from '../src/autograd/random.js';
import type { FloatArray, MatmulSpec } from '../src/kernels/backend.js';

export interface Case {
  m: number; n: number; k: number; batch: number;
  transA: boolean; transB: boolean;
  /** A (resp. B) is one matrix repeated for every batch (broadcast: all offsets equal). */
  shareA: boolean; shareB: boolean;
  /** Elements before the first operand, so offsets never start at 0 by accident. */
  pad: number;
  seed: number;
}

/** Random shapes biased towards the edges: 1×n, n×1, k = 1, sizes off the 4×4 tile. */
const dim = fc.oneof(fc.constantFrom(1, 2, 3, 4, 5, 7, 8, 9), fc.integer({ min: 1, max: 40 }));

export const caseArb: fc.Arbitrary<Case> = fc.record({
  m: dim, n: dim, k: dim,
  batch: fc.integer({ min: 1, max: 4 }),
  transA: fc.boolean(), transB: fc.boolean(), shareA: fc.boolean(), shareB: fc.boolean(),
  pad: fc.integer({ min: 0, max: 5 }),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
});

export interface Built { spec: MatmulSpec; a: Float64Array; b: Float64Array }

/** Operands for `c` in Float64 (the reference's exact input) plus a spec in the requested dtype. */
export function build(c: Case, dtype: 'float32' | 'float64'): Built {
  const rng = new Rng(c.seed);
  const sa = c.m * c.k, sb = c.k * c.n;
  const na = c.shareA ? 1 : c.batch, nb = c.shareB ? 1 : c.batch;
  const make = (len: number) => {
    const x = new Float64Array(len);
    for (let i = 0; i < len; i++) x[i] = dtype === 'float32' ? Math.fround(rng.normal()) : rng.normal();
    return x;
  };
  const a = make(c.pad + na * sa + 3), b = make(c.pad + nb * sb + 2);
  const aOffsets = Int32Array.from({ length: c.batch }, (_, t) => c.pad + (c.shareA ? 0 : t) * sa);
  const bOffsets = Int32Array.from({ length: c.batch }, (_, t) => c.pad + (c.shareB ? 0 : t) * sb);
  const cast = (x: Float64Array): FloatArray => (dtype === 'float32' ? Float32Array.from(x) : x.slice());
  const out = dtype === 'float32' ? new Float32Array(c.batch * c.m * c.n) : new Float64Array(c.batch * c.m * c.n);
  out.fill(NaN); // the kernel must overwrite every element
  const spec: MatmulSpec = {
    a: cast(a), b: cast(b), out, m: c.m, n: c.n, k: c.k, transA: c.transA, transB: c.transB,
    batch: c.batch, aOffsets, bOffsets,
  };
  return { spec, a, b };
}

/**
 * Naive Float64 reference, ascending depth order: value and Σ|a·b| per output (the scale that
 * bounds rounding error, since cancellation makes a relative bound on the value meaningless).
 */
export function reference(spec: MatmulSpec, a: Float64Array, b: Float64Array): { value: Float64Array; scale: Float64Array } {
  const { m, n, k, transA, transB, batch } = spec;
  const value = new Float64Array(batch * m * n), scale = new Float64Array(batch * m * n);
  for (let t = 0; t < batch; t++) {
    const ao = spec.aOffsets[t]!, bo = spec.bOffsets[t]!;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0, abs = 0;
        for (let p = 0; p < k; p++) {
          const x = a[ao + (transA ? p * m + i : i * k + p)]! * b[bo + (transB ? j * k + p : p * n + j)]!;
          s += x;
          abs += Math.abs(x);
        }
        value[(t * m + i) * n + j] = s;
        scale[(t * m + i) * n + j] = abs;
      }
    }
  }
  return { value, scale };
}

/**
 * Float32 reference of a kernel that accumulates each output in float32, in ascending depth
 * order, one rounded multiply and one rounded add per step (no FMA): what the wasm backend's
 * f32x4 lanes compute, so its results must equal this bit for bit.
 */
export function referenceF32(spec: MatmulSpec, a: Float64Array, b: Float64Array): Float32Array {
  const { m, n, k, transA, transB, batch } = spec;
  const out = new Float32Array(batch * m * n);
  const f = Math.fround;
  for (let t = 0; t < batch; t++) {
    const ao = spec.aOffsets[t]!, bo = spec.bOffsets[t]!;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s = f(s + f(a[ao + (transA ? p * m + i : i * k + p)]! * b[bo + (transB ? j * k + p : p * n + j)]!));
        out[(t * m + i) * n + j] = s;
      }
    }
  }
  return out;
}

/** Largest |out − ref| / (Σ|a·b| + tiny) over all outputs; Infinity if an output is not finite. */
export function worstError(out: FloatArray, ref: { value: Float64Array; scale: Float64Array }): number {
  let worst = 0;
  for (let i = 0; i < ref.value.length; i++) {
    const got = out[i]!;
    if (!Number.isFinite(got)) return Infinity;
    worst = Math.max(worst, Math.abs(got - ref.value[i]!) / (ref.scale[i]! + 1e-300));
  }
  return worst;
}

export const describeCase = (c: Case): string =>
  `${c.batch}×[${c.m}×${c.k}]${c.transA ? 'ᵀ' : ''}·[${c.k}×${c.n}]${c.transB ? 'ᵀ' : ''}` +
  `${c.shareA ? ' A shared' : ''}${c.shareB ? ' B shared' : ''} pad ${c.pad}`;
