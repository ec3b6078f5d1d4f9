/**
 * Public gradient checker, in the manner of JAX's check_grads: compare the engine's reverse-mode
 * vector-Jacobian product with central finite differences along a seeded random direction,
 * ⟨v, J u⟩ both ways, in Float64. A full-Jacobian mode compares every entry for tiny inputs.
 * Users can run it on their own functions.
 */
import { allocate, type DType } from './dtype.js';
import { backwardImpl, noGrad } from './engine.js';
import { Rng } from './random.js';
import { fmtShape } from './shape.js';
import { Tensor } from './tensor.js';

export interface CheckGradsOptions {
  /** Seed of the random directions. */
  readonly seed?: number;
  /** Number of random directions to test. */
  readonly directions?: number;
  /** Finite-difference step; default per dtype. */
  readonly eps?: number;
  readonly atol?: number;
  readonly rtol?: number;
  /** Compare the full Jacobian entry by entry (for tiny inputs). */
  readonly mode?: 'vjp' | 'jacobian';
  /** Throw on mismatch (default) or only report. */
  readonly throwOnFail?: boolean;
}

export interface CheckGradsMismatch {
  readonly what: string;
  readonly analytic: number;
  readonly numeric: number;
}

export interface CheckGradsReport {
  readonly ok: boolean;
  readonly checks: number;
  readonly mismatches: readonly CheckGradsMismatch[];
}

/** Tolerances per dtype: Float32 is accepted for convenience but checked far more loosely. */
export const GRAD_TOLERANCE: Record<DType, { eps: number; atol: number; rtol: number }> = {
  float64: { eps: 1e-6, atol: 1e-6, rtol: 1e-5 },
  float32: { eps: 1e-2, atol: 1e-2, rtol: 5e-2 },
};

/** a ≈ b within atol + rtol·|b|; NaN matches only NaN, ±Inf only the same infinity. */
export function allclose(a: number, b: number, atol: number, rtol: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= atol + rtol * Math.abs(b);
}

function randomLike(t: Tensor, rng: Rng): Tensor {
  const d = allocate(t.dtype, t.size);
  for (let i = 0; i < d.length; i++) d[i] = rng.normal();
  return new Tensor(d, t.shape);
}

function dot(a: Tensor, b: Tensor): number {
  let s = 0;
  for (let i = 0; i < a.size; i++) s += a.data[i]! * b.data[i]!;
  return s;
}

/** inputs + h·dirs, as fresh constant tensors. */
function shifted(inputs: readonly Tensor[], dirs: readonly (Tensor | null)[], h: number): Tensor[] {
  return inputs.map((x, i) => {
    const u = dirs[i];
    const d = allocate(x.dtype, x.size);
    for (let k = 0; k < d.length; k++) d[k] = x.data[k]! + (u ? h * u.data[k]! : 0);
    return new Tensor(d, x.shape);
  });
}

export function checkGrads(f: (...xs: Tensor[]) => Tensor, inputs: readonly Tensor[], opts: CheckGradsOptions = {}): CheckGradsReport {
  if (inputs.length === 0) throw new Error('checkGrads: needs at least one input');
  const dtype = inputs[0]!.dtype;
  if (inputs.some((x) => x.dtype !== dtype)) throw new Error('checkGrads: all inputs must share one dtype');
  const tol = GRAD_TOLERANCE[dtype];
  const eps = opts.eps ?? tol.eps, atol = opts.atol ?? tol.atol, rtol = opts.rtol ?? tol.rtol;
  const rng = new Rng(opts.seed ?? 0);
  const leaves = inputs.map((x) => new Tensor(x.data, x.shape, true));
  const out = f(...leaves);
  if (!(out instanceof Tensor)) throw new Error('checkGrads: f must return a Tensor');
  const mismatches: CheckGradsMismatch[] = [];
  let checks = 0;
  const evalAt = (h: number, dirs: (Tensor | null)[]) => noGrad(() => f(...shifted(inputs, dirs, h)));
  const grads = (seed: Tensor): Tensor[] => {
    if (!out.requiresGrad) return leaves.map((l) => new Tensor(allocate(l.dtype, l.size), l.shape));
    const m = backwardImpl(out, seed, leaves);
    return leaves.map((l) => m.get(l) ?? new Tensor(allocate(l.dtype, l.size), l.shape));
  };
  const compare = (what: string, analytic: number, numeric: number) => {
    checks++;
    if (!allclose(analytic, numeric, atol, rtol)) mismatches.push({ what, analytic, numeric });
  };

  if ((opts.mode ?? 'vjp') === 'vjp') {
    const n = opts.directions ?? 3;
    for (let r = 0; r < n; r++) {
      const v = randomLike(out, rng);
      const us = leaves.map((l) => randomLike(l, rng));
      const g = grads(v);
      const analytic = g.reduce((acc, gi, i) => acc + dot(gi, us[i]!), 0);
      const numeric = (dot(v, evalAt(eps, us)) - dot(v, evalAt(-eps, us))) / (2 * eps);
      compare(`direction ${r}: <v, J u>`, analytic, numeric);
    }
  } else {
    // Row by row: seed e_j on the output, compare with the finite-difference column entries.
    const cols = leaves.map((l) => Array.from({ length: l.size }, (_, k) => {
      const e = new Tensor(allocate(l.dtype, l.size), l.shape);
      e.data[k] = 1;
      return e;
    }));
    const fd = cols.map((cs, i) => cs.map((e) => {
      const dirs = leaves.map((_, q) => (q === i ? e : null));
      const hi = evalAt(eps, dirs), lo = evalAt(-eps, dirs);
      return Array.from(hi.data, (val, j) => (val - lo.data[j]!) / (2 * eps));
    }));
    for (let j = 0; j < out.size; j++) {
      const seed = new Tensor(allocate(out.dtype, out.size), out.shape);
      seed.data[j] = 1;
      const g = grads(seed);
      g.forEach((gi, i) => {
        for (let k = 0; k < gi.size; k++) compare(`d out[${j}] / d input${i}[${k}]`, gi.data[k]!, fd[i]![k]![j]!);
      });
    }
  }
  const report = { ok: mismatches.length === 0, checks, mismatches };
  if (!report.ok && (opts.throwOnFail ?? true)) {
    const first = mismatches.slice(0, 5).map((m) => `  ${m.what}: analytic ${m.analytic}, numeric ${m.numeric}`).join('\n');
    throw new Error(
      `checkGrads: ${mismatches.length} of ${checks} checks failed (inputs ${inputs.map((x) => fmtShape(x.shape)).join(', ')}, ` +
        `atol ${atol}, rtol ${rtol}, eps ${eps}):\n${first}`,
    );
  }
  return report;
}
