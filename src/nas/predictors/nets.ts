/**
 * The two predictor networks. GCN (Wen et al. 2020 style) for cell spaces: directed graph
 * convolutions over the (possibly relaxed) adjacency, mean-pooled over real nodes, then an MLP
 * head. MLP for flat encodings, with a smooth activation: ReLU would make the input gradient
 * piecewise constant, which the ascent cannot climb well.
 */
import { Linear, MLP, DirectedGCNLayer, normalizeAdjacency, Module, Dropout, activate, type Activation } from '../../autograd/nn/index.js';
import type { Rng } from '../../autograd/random.js';
import type { DType } from '../../autograd/dtype.js';
import type { Tensor } from '../../autograd/tensor.js';
import { div, sum, mul } from '../../autograd/ops.js';
import type { RelaxedBatch } from '../space.js';
import type { ScoreNet } from './predictor.js';

export interface NetOptions {
  readonly hidden: number;
  readonly layers: number;
  readonly dropout: number;
  readonly activation: Activation;
  readonly rng: Rng;
  readonly dtype: DType;
}

export class GcnNet extends Module implements ScoreNet {
  readonly gcn: DirectedGCNLayer[];
  readonly fc: Linear;
  readonly out: Linear;
  readonly drop: Dropout;
  private readonly act: Activation;

  constructor(features: number, opts: NetOptions) {
    super();
    const { hidden, layers, rng, dtype } = opts;
    this.gcn = Array.from({ length: layers }, (_, i) => new DirectedGCNLayer(i === 0 ? features : hidden, hidden, { rng, dtype }));
    this.fc = new Linear(hidden, 128, { rng, dtype });
    this.out = new Linear(128, 1, { rng, dtype });
    this.drop = new Dropout(opts.dropout, rng.fork());
    this.act = opts.activation;
  }

  forward(batch: RelaxedBatch): Tensor {
    const { adj, nodes } = batch;
    if (adj === undefined || nodes === undefined) throw new Error('GcnNet: the space has no graph view (adj/nodes); use the MLP predictor');
    const aHat = normalizeAdjacency(adj);
    let h = nodes;
    for (const layer of this.gcn) h = this.drop.forward(activate(layer.forward(h, aHat), this.act));
    // Real nodes have one-hot (or softmax) feature rows summing to 1; padding rows are all zero.
    const mask = sum(nodes, -1, true);
    const pooled = div(sum(mul(h, mask), 1), sum(mask, 1));
    return this.out.forward(activate(this.fc.forward(pooled), this.act)).reshape([-1]);
  }
}

export class MlpNet extends Module implements ScoreNet {
  readonly mlp: MLP;

  constructor(features: number, opts: NetOptions) {
    super();
    const sizes = [features, ...Array.from({ length: opts.layers }, () => opts.hidden), 1];
    this.mlp = new MLP(sizes, { rng: opts.rng, activation: opts.activation, dropout: opts.dropout, dtype: opts.dtype });
  }

  forward(batch: RelaxedBatch): Tensor {
    return this.mlp.forward(batch.flat).reshape([-1]);
  }
}
