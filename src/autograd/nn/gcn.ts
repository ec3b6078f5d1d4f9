/**
 * Directed graph convolution (Wen et al. 2020, "Neural Predictor for NAS"): information flows both
 * along and against the edges, H' = ½(Â·H·W₁ + Âᵀ·H·W₂) with Â = row-normalise(A + I).
 * Â is computed inside the graph from the (possibly relaxed) adjacency, so the gradient ascent
 * reaches the adjacency logits through it.
 */
import type { DType } from '../dtype.js';
import { add, div, matmul, mul, sum } from '../ops.js';
import { allocate } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { uniformParam, type LinearOptions } from './layers.js';
import { Module } from './module.js';

/** Â = rownorm(A + I) for A [..., n, n]; differentiable in A. */
export function normalizeAdjacency(adj: Tensor): Tensor {
  const n = adj.shape[adj.rank - 1]!;
  if (adj.rank < 2 || adj.shape[adj.rank - 2] !== n) throw new Error(`normalizeAdjacency: adjacency must be [..., n, n], got [${adj.shape.join(',')}]`);
  const eye = new Tensor(allocate(adj.dtype, n * n), [n, n]);
  for (let i = 0; i < n; i++) eye.data[i * n + i] = 1;
  const withSelf = add(adj, eye);
  return div(withSelf, sum(withSelf, -1, true));
}

export class DirectedGCNLayer extends Module {
  readonly forwardWeight: Tensor;
  readonly backwardWeight: Tensor;
  readonly bias: Tensor;

  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: LinearOptions) {
    super();
    const dtype: DType = opts.dtype ?? 'float32';
    const limit = Math.sqrt(6 / (inFeatures + outFeatures));
    this.forwardWeight = uniformParam([inFeatures, outFeatures], limit, opts.rng, dtype);
    this.backwardWeight = uniformParam([inFeatures, outFeatures], limit, opts.rng, dtype);
    this.bias = new Tensor(allocate(dtype, outFeatures), [outFeatures], true);
  }

  /** h [B, n, in], adjHat [B, n, n] (already normalised, see normalizeAdjacency) → [B, n, out]. */
  forward(h: Tensor, adjHat: Tensor): Tensor {
    if (h.shape[h.rank - 1] !== this.inFeatures) {
      throw new Error(`DirectedGCNLayer(${this.inFeatures}→${this.outFeatures}): node features have ${h.shape[h.rank - 1]} channels`);
    }
    const along = matmul(adjHat, matmul(h, this.forwardWeight));
    // Âᵀ via the transpose flag: no transposed copy of the adjacency is made.
    const against = matmul(adjHat, matmul(h, this.backwardWeight), { transA: true });
    return add(mul(add(along, against), 0.5), this.bias);
  }
}

