/**
 * Batch normalisation, fused: y = (x − μ_c)·σ̂_c⁻¹·γ_c + β_c over channel axis 1 of [N, C, ...],
 * with the statistics of the batch (batchNorm, training mode) or the running ones as constants
 * (batchNormEval: the same forward, and a backward without the statistics' terms). One primitive instead of a composite of ~8
 * broadcast ops: the forward is one pass after the statistics, the backward two
 * (dx = γσ̂⁻¹·(g − mean(g) − x̂·mean(g·x̂)), dγ = Σ g·x̂, dβ = Σ g). Statistics are computed once, by
 * `batchStats` in Float64 (two passes: mean, then centred squares), and travel as the op's
 * attributes, so the backward reuses them. No engine state here.
 *
 * Float32 passes run on the selected backend's `batchNorm` kernels when it has them and takes
 * elementwise ops of this size (the wasm backend): the same loops in the same order, equal bit for
 * bit; the per-channel formulas stay here.
 */
import type { Backend } from '../kernels/backend.js';
import { elementwiseBackend } from '../kernels/registry.js';
import { allocate } from './dtype.js';
import { sizeOf } from './shape.js';
import { Tensor } from './tensor.js';

export interface BatchNormAttrs {
  readonly eps: number;
  /** Per-channel batch mean and 1/√(biased variance + eps), Float64. */
  readonly mean: Float64Array;
  readonly invStd: Float64Array;
}

/** The backend's batch-norm kernels for a Float32 tensor of this size, or null for the JS loops. */
function kernels(x: Tensor): NonNullable<Backend['batchNorm']> | null {
  return x.dtype === 'float32' ? elementwiseBackend(x.size)?.batchNorm ?? null : null;
}

/** Per-channel mean and biased variance of x over every axis but 1. */
export function batchStats(x: Tensor): { mean: Float64Array; variance: Float64Array; count: number } {
  const N = x.shape[0]!, C = x.shape[1]!, S = sizeOf(x.shape.slice(2));
  const count = N * S;
  const be = kernels(x);
  if (be !== null) return { ...be.stats(x.data as Float32Array, N, C, S), count };
  const d = x.data, mean = new Float64Array(C), variance = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let n = 0; n < N; n++) for (let i = (n * C + c) * S, e = i + S; i < e; i++) s += d[i]!;
    const m = s / count;
    let q = 0;
    for (let n = 0; n < N; n++) for (let i = (n * C + c) * S, e = i + S; i < e; i++) { const v = d[i]! - m; q += v * v; }
    mean[c] = m;
    variance[c] = q / count;
  }
  return { mean, variance, count };
}

export function batchNormForward(x: Tensor, gamma: Tensor, beta: Tensor, a: BatchNormAttrs): Tensor {
  const N = x.shape[0]!, C = x.shape[1]!, S = sizeOf(x.shape.slice(2));
  const coef = new Float64Array(2 * C);
  for (let c = 0; c < C; c++) {
    const scale = a.invStd[c]! * gamma.data[c]!;
    coef[2 * c] = scale;
    coef[2 * c + 1] = beta.data[c]! - a.mean[c]! * scale;
  }
  const be = kernels(x);
  if (be !== null) return new Tensor(be.forward(x.data as Float32Array, N, C, S, coef), x.shape);
  const d = x.data, out = allocate(x.dtype, x.size);
  for (let c = 0; c < C; c++) {
    const scale = coef[2 * c]!, shift = coef[2 * c + 1]!;
    for (let n = 0; n < N; n++) for (let i = (n * C + c) * S, e = i + S; i < e; i++) out[i] = d[i]! * scale + shift;
  }
  return new Tensor(out, x.shape);
}

/**
 * Gradients of batchNorm (`fixed` false: μ and σ̂ are the batch's, functions of x) or of
 * batchNormEval (`fixed` true: running statistics, constants, so dx = γσ̂⁻¹·g). Both go through
 * the same passes, the fixed case with the two mean terms set to zero.
 */
export function batchNormBackward(g: Tensor, x: Tensor, gamma: Tensor, a: BatchNormAttrs, needs: readonly boolean[], fixed = false): (Tensor | null)[] {
  const N = x.shape[0]!, C = x.shape[1]!, S = sizeOf(x.shape.slice(2));
  const gd = g.data, xd = x.data, M = N * S;
  const dx = needs[0] ? allocate(x.dtype, x.size) : null;
  const dgamma = allocate(x.dtype, C), dbeta = allocate(x.dtype, C);
  const be = kernels(x);
  if (be !== null) {
    // The same per-channel formulas as the loop below, around the backend's two passes.
    const r = be.backward(gd as Float32Array, xd as Float32Array, N, C, S, a.mean, (sums) => {
      const coef = needs[0] ? new Float64Array(4 * C) : null;
      for (let c = 0; c < C; c++) {
        const is = a.invStd[c]!, sg = sums[2 * c]!, sgx = sums[2 * c + 1]! * is;
        dbeta[c] = sg;
        dgamma[c] = sgx;
        if (coef !== null) coef.set([gamma.data[c]! * is, fixed ? 0 : sg / M, a.mean[c]!, fixed ? 0 : (sgx / M) * is], 4 * c);
      }
      return coef;
    });
    return [r.dx === null ? null : new Tensor(r.dx, x.shape), needs[1] ? new Tensor(dgamma, gamma.shape) : null, needs[2] ? new Tensor(dbeta, gamma.shape) : null];
  }
  for (let c = 0; c < C; c++) {
    const mu = a.mean[c]!, is = a.invStd[c]!;
    let sg = 0, sgx = 0;
    for (let n = 0; n < N; n++) {
      for (let i = (n * C + c) * S, e = i + S; i < e; i++) { const gv = gd[i]!; sg += gv; sgx += gv * (xd[i]! - mu); }
    }
    sgx *= is; // Σ g·x̂
    dbeta[c] = sg;
    dgamma[c] = sgx;
    if (dx !== null) {
      const k = gamma.data[c]! * is, mg = fixed ? 0 : sg / M, mgx = fixed ? 0 : (sgx / M) * is;
      // dx = k·(g − mean(g) − x̂·mean(g·x̂)), with x̂·mean(g·x̂) = (x − μ)·mgx.
      for (let n = 0; n < N; n++) {
        for (let i = (n * C + c) * S, e = i + S; i < e; i++) dx[i] = k * (gd[i]! - mg - (xd[i]! - mu) * mgx);
      }
    }
  }
  return [
    dx === null ? null : new Tensor(dx, x.shape),
    needs[1] ? new Tensor(dgamma, gamma.shape) : null,
    needs[2] ? new Tensor(dbeta, gamma.shape) : null,
  ];
}
