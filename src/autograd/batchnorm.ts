/**
 * Batch normalisation in training mode, fused: y = (x − μ_c)·σ̂_c⁻¹·γ_c + β_c over channel axis 1
 * of [N, C, ...] with the statistics of the batch. One primitive instead of a composite of ~8
 * broadcast ops: the forward is one pass after the statistics, the backward two
 * (dx = γσ̂⁻¹·(g − mean(g) − x̂·mean(g·x̂)), dγ = Σ g·x̂, dβ = Σ g). Statistics are computed once, by
 * `batchStats` in Float64 (two passes: mean, then centred squares), and travel as the op's
 * attributes, so the backward reuses them. No engine state here.
 */
import { allocate } from './dtype.js';
import { sizeOf } from './shape.js';
import { Tensor } from './tensor.js';

export interface BatchNormAttrs {
  readonly eps: number;
  /** Per-channel batch mean and 1/√(biased variance + eps), Float64. */
  readonly mean: Float64Array;
  readonly invStd: Float64Array;
}

/** Per-channel mean and biased variance of x over every axis but 1. */
export function batchStats(x: Tensor): { mean: Float64Array; variance: Float64Array; count: number } {
  const N = x.shape[0]!, C = x.shape[1]!, S = sizeOf(x.shape.slice(2));
  const d = x.data, mean = new Float64Array(C), variance = new Float64Array(C);
  const count = N * S;
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
  const d = x.data, out = allocate(x.dtype, x.size);
  for (let c = 0; c < C; c++) {
    const scale = a.invStd[c]! * gamma.data[c]!, shift = beta.data[c]! - a.mean[c]! * scale;
    for (let n = 0; n < N; n++) for (let i = (n * C + c) * S, e = i + S; i < e; i++) out[i] = d[i]! * scale + shift;
  }
  return new Tensor(out, x.shape);
}

export function batchNormBackward(g: Tensor, x: Tensor, gamma: Tensor, a: BatchNormAttrs, needs: readonly boolean[]): (Tensor | null)[] {
  const N = x.shape[0]!, C = x.shape[1]!, S = sizeOf(x.shape.slice(2));
  const gd = g.data, xd = x.data, M = N * S;
  const dx = needs[0] ? allocate(x.dtype, x.size) : null;
  const dgamma = allocate(x.dtype, C), dbeta = allocate(x.dtype, C);
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
      const k = gamma.data[c]! * is, mg = sg / M, mgx = (sgx / M) * is;
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
