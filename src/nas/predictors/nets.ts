/**
 * The predictor networks, M ensemble members at a time. GCN (Wen et al. 2020 style) for cell
 * spaces: directed graph convolutions over the (possibly relaxed) adjacency, mean-pooled over real
 * nodes, then an MLP head. MLP for flat encodings, with a smooth activation: ReLU would make the
 * input gradient piecewise constant, which the ascent cannot climb well.
 */
import { Module, normalizeAdjacency, activate, type Activation } from '../../autograd/nn/index.js';
import type { Rng } from '../../autograd/random.js';
import { allocate, type DType } from '../../autograd/dtype.js';
import { Tensor } from '../../autograd/tensor.js';
import { dropout } from '../../autograd/composites.js';
import { add, div, matmul, sum, mul } from '../../autograd/ops.js';
import type { RelaxedBatch } from '../space.js';

export interface NetOptions {
  readonly hidden: number;
  readonly layers: number;
  readonly dropout: number;
  readonly activation: Activation;
  readonly dtype: DType;
  /** One stream per member, in stacking order. */
  readonly rngs: readonly Rng[];
}

/**
 * M networks trained as one: every parameter is stacked on a leading member axis, so a step is
 * one graph of batched matmuls and one optimiser update instead of M of each. forward() returns
 * [M, B], row k for member k. Member k draws its initial weights from rngs[k] in the order a
 * network built alone from nn's Linear/MLP/DirectedGCNLayer/Dropout would (Glorot-uniform weights
 * layer by layer, zero biases, then a fork for dropout), so each row equals that network trained
 * alone (bench/lib/separate-ensemble.ts) up to float rounding; on this engine bit for bit, since
 * each product of a batched matmul is the same kernel call as the separate one.
 */
export interface EnsembleNet {
  readonly members: number;
  forward(batch: RelaxedBatch): Tensor;
  parameters(): Tensor[];
  train(on?: boolean): unknown;
}

/** Zeros of [M, ...shape], trainable. */
function stackedParam(members: number, shape: readonly number[], dtype: DType): Tensor {
  const size = members * shape.reduce((a, b) => a * b, 1);
  return new Tensor(allocate(dtype, size), [members, ...shape], true);
}

/** Member k's slice of a stacked parameter, uniform(-limit, limit) from rng (uniformParam's draws). */
function drawSlice(p: Tensor, k: number, limit: number, rng: Rng): void {
  const per = p.size / p.shape[0]!;
  const d = p.data;
  for (let i = 0, o = k * per; i < per; i++) d[o + i] = rng.uniform(-limit, limit);
}

/** Glorot-uniform limit (Linear's and DirectedGCNLayer's default). */
const xavier = (fanIn: number, fanOut: number) => Math.sqrt(6 / (fanIn + fanOut));

/** [M, R, in] (or a shared [R, in]) · W [M, in, out] + b [M, 1, out] → [M, R, out]. */
function stackedLinear(x: Tensor, w: Tensor, b: Tensor): Tensor {
  return add(matmul(x, w), b);
}

export class EnsembleMlp extends Module implements EnsembleNet {
  readonly members: number;
  readonly weights: Tensor[];
  readonly biases: Tensor[];
  /** Dropout's streams, one per member (null without dropout), and its rate. */
  readonly dropRngs: Rng[] | null;
  readonly p: number;
  readonly act: Activation;

  constructor(readonly features: number, opts: NetOptions) {
    super();
    const M = opts.rngs.length;
    this.members = M;
    const sizes = [features, ...Array.from({ length: opts.layers }, () => opts.hidden), 1];
    this.weights = sizes.slice(1).map((out, i) => stackedParam(M, [sizes[i]!, out], opts.dtype));
    this.biases = sizes.slice(1).map((out) => stackedParam(M, [1, out], opts.dtype));
    // MLP's order: every layer's weight, then the dropout fork (only when there is dropout).
    this.dropRngs = opts.dropout ? [] : null;
    opts.rngs.forEach((rng, k) => {
      this.weights.forEach((w, i) => drawSlice(w, k, xavier(sizes[i]!, sizes[i + 1]!), rng));
      this.dropRngs?.push(rng.fork());
    });
    this.p = opts.dropout;
    this.act = opts.activation;
  }

  forward(batch: RelaxedBatch): Tensor {
    let h = batch.flat;
    const L = this.weights.length;
    for (let i = 0; i < L; i++) {
      h = stackedLinear(h, this.weights[i]!, this.biases[i]!);
      if (i < L - 1) {
        h = activate(h, this.act);
        if (this.dropRngs !== null) h = dropout(h, this.p, this.dropRngs, this.training);
      }
    }
    return h.reshape([this.members, -1]);
  }
}

export class EnsembleGcn extends Module implements EnsembleNet {
  readonly members: number;
  readonly forwardWeights: Tensor[];
  readonly backwardWeights: Tensor[];
  readonly gcnBiases: Tensor[];
  readonly fcWeight: Tensor;
  readonly fcBias: Tensor;
  readonly outWeight: Tensor;
  readonly outBias: Tensor;
  private readonly dropRngs: Rng[] = [];
  private readonly p: number;
  private readonly act: Activation;

  constructor(readonly features: number, opts: NetOptions) {
    super();
    const M = opts.rngs.length;
    this.members = M;
    const { hidden, layers, dtype } = opts;
    const ins = Array.from({ length: layers }, (_, i) => (i === 0 ? features : hidden));
    this.forwardWeights = ins.map((f) => stackedParam(M, [f, hidden], dtype));
    this.backwardWeights = ins.map((f) => stackedParam(M, [f, hidden], dtype));
    this.gcnBiases = ins.map(() => stackedParam(M, [1, 1, hidden], dtype));
    this.fcWeight = stackedParam(M, [hidden, 128], dtype);
    this.fcBias = stackedParam(M, [1, 128], dtype);
    this.outWeight = stackedParam(M, [128, 1], dtype);
    this.outBias = stackedParam(M, [1, 1], dtype);
    // GcnNet's order: per layer its forward then backward weight, the head's two, the dropout fork.
    opts.rngs.forEach((rng, k) => {
      ins.forEach((f, i) => {
        drawSlice(this.forwardWeights[i]!, k, xavier(f, hidden), rng);
        drawSlice(this.backwardWeights[i]!, k, xavier(f, hidden), rng);
      });
      drawSlice(this.fcWeight, k, xavier(hidden, 128), rng);
      drawSlice(this.outWeight, k, xavier(128, 1), rng);
      this.dropRngs.push(rng.fork());
    });
    this.p = opts.dropout;
    this.act = opts.activation;
  }

  forward(batch: RelaxedBatch): Tensor {
    const { adj, nodes } = batch;
    if (adj === undefined || nodes === undefined) throw new Error('EnsembleGcn: the space has no graph view (adj/nodes); use the MLP predictor');
    const M = this.members;
    const [B, n, f] = nodes.shape as [number, number, number];
    // One normalised adjacency for all members (each separate net computed the same one).
    const aHat = normalizeAdjacency(adj);
    // Node rows of all graphs as one tall matrix: x·W is then one product per member.
    let rows = nodes.reshape([B * n, f]);
    let h: Tensor = nodes;
    this.forwardWeights.forEach((wf, i) => {
      const hw = (w: Tensor) => matmul(rows, w).reshape([M, B, n, -1]);
      const along = matmul(aHat, hw(wf));
      const against = matmul(aHat, hw(this.backwardWeights[i]!), { transA: true });
      h = add(mul(add(along, against), 0.5), this.gcnBiases[i]!);
      h = dropout(activate(h, this.act), this.p, this.dropRngs, this.training);
      rows = h.reshape([M, B * n, -1]);
    });
    // Real nodes have one-hot (or softmax) feature rows summing to 1; padding rows are all zero.
    const mask = sum(nodes, -1, true);
    // A constant mask of ones (no padding: every graph of the batch is full, and the features are
    // not being climbed) leaves h's bits, and its gradient's, unchanged: skip that pass both ways.
    const masked = !mask.requiresGrad && allOnes(mask.data) ? h : mul(h, mask);
    const pooled = div(sum(masked, 2), sum(mask, 1));
    const z = activate(stackedLinear(pooled, this.fcWeight, this.fcBias), this.act);
    return stackedLinear(z, this.outWeight, this.outBias).reshape([M, B]);
  }
}

function allOnes(d: ArrayLike<number>): boolean {
  for (let i = 0; i < d.length; i++) if (d[i] !== 1) return false;
  return true;
}
