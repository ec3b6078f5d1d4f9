/**
 * A learned, differentiable cost for constraints that have no formula (METHOD.md, "Constraints":
 * measured latency). Costs are metadata, not evaluations — a latency table or a device profiler
 * answers them without training anything — so the model is fitted once per search on a seeded
 * random sample of the space, and the ascent penalises its prediction on the relaxed encoding.
 *
 * The model is ridge regression on the flat encoding. Linear is deliberate: on a one-hot encoding
 * it is a per-choice additive cost (a lookup-table latency model, as used for mobile NAS), it is
 * exact on the relaxation's vertices' convex hull, and its gradient is the same everywhere, so
 * the penalty pushes consistently instead of chasing a network's extrapolation errors. The hard
 * filter still checks the true cost of every proposal; this model only steers the ascent.
 */
import { add, matmul, reshape } from '../../autograd/ops.js';
import { Rng } from '../../autograd/random.js';
import { Tensor } from '../../autograd/tensor.js';
import type { SearchSpace } from '../space.js';

export interface FittedCostModel {
  /** Differentiable cost of relaxed logits [B, logitDim] → [B]. */
  relaxed(z: Tensor, tau: number): Tensor;
  /** Coefficient of determination on the fitting sample (1 = exact). */
  readonly r2: number;
  readonly samples: number;
}

/** Solve the symmetric positive definite system M x = r in place (Cholesky); throws if not SPD. */
export function solveSpd(M: Float64Array, r: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = M[i * n + j]!;
      for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
      if (i === j) {
        if (!(s > 0)) throw new Error(`solveSpd: matrix is not positive definite (pivot ${i} = ${s})`);
        L[i * n + i] = Math.sqrt(s);
      } else L[i * n + j] = s / L[j * n + j]!;
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = r[i]!;
    for (let k = 0; k < i; k++) s -= L[i * n + k]! * y[k]!;
    y[i] = s / L[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < n; k++) s -= L[k * n + i]! * x[k]!;
    x[i] = s / L[i * n + i]!;
  }
  return x;
}

/**
 * Ridge fit y ≈ X w + b (intercept unpenalised, features centred) on `samples` random valid
 * architectures of `space`, with `cost` their true cost.
 */
export function fitLinearCost<A>(space: SearchSpace<A>, cost: (arch: A) => number, opts: { seed: number; samples?: number; ridge?: number; dtype?: 'float32' | 'float64' }): FittedCostModel {
  const rng = new Rng(opts.seed);
  const want = opts.samples ?? 512;
  const D = space.flatDim;
  const rows: Float64Array[] = [], ys: number[] = [];
  const seen = new Set<string>();
  for (let t = 0; rows.length < want && t < 20 * want; t++) {
    const a = space.sample(rng);
    const h = space.hash(a);
    if (seen.has(h) || !space.isValid(a)) continue;
    seen.add(h);
    const y = cost(a);
    if (!Number.isFinite(y)) throw new Error(`fitLinearCost: cost of ${space.toString(a)} is ${y}; costs must be finite`);
    rows.push(Float64Array.from(space.encode(a).flat));
    ys.push(y);
  }
  const n = rows.length;
  if (n < 2) throw new Error(`fitLinearCost: space '${space.name}' gave ${n} distinct valid samples; need at least 2`);
  const xm = new Float64Array(D);
  for (const r of rows) for (let j = 0; j < D; j++) xm[j]! += r[j]! / n;
  const ym = ys.reduce((a, b) => a + b, 0) / n;
  const M = new Float64Array(D * D), rhs = new Float64Array(D);
  for (let i = 0; i < n; i++) {
    const r = rows[i]!, dy = ys[i]! - ym;
    for (let j = 0; j < D; j++) {
      const xj = r[j]! - xm[j]!;
      rhs[j]! += xj * dy;
      for (let k = 0; k <= j; k++) M[j * D + k]! += xj * (r[k]! - xm[k]!);
    }
  }
  // Ridge scaled to the data so that constant (always-on) features and one-hot collinearity
  // keep the system well posed without shrinking the informative coefficients noticeably.
  let trace = 0;
  for (let j = 0; j < D; j++) trace += M[j * D + j]!;
  const lam = (opts.ridge ?? 1e-7) * Math.max(trace / D, 1e-12) + 1e-12;
  for (let j = 0; j < D; j++) {
    for (let k = 0; k < j; k++) M[k * D + j] = M[j * D + k]!;
    M[j * D + j]! += lam;
  }
  const w = solveSpd(M, rhs, D);
  let b = ym;
  for (let j = 0; j < D; j++) b -= w[j]! * xm[j]!;
  let ssr = 0, sst = 0;
  rows.forEach((r, i) => {
    let p = b;
    for (let j = 0; j < D; j++) p += w[j]! * r[j]!;
    ssr += (ys[i]! - p) ** 2;
    sst += (ys[i]! - ym) ** 2;
  });
  const dtype = opts.dtype ?? 'float32';
  const W = new Tensor(dtype === 'float64' ? Float64Array.from(w) : Float32Array.from(w), [D, 1]);
  return {
    r2: sst > 0 ? 1 - ssr / sst : 1,
    samples: n,
    relaxed: (z, tau) => {
      const flat = space.relax(z, { tau }).flat;
      return add(reshape(matmul(flat, W), [flat.shape[0]!]), b);
    },
  };
}
