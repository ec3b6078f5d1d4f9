/** Dense layers: Linear, MLP, LayerNorm, Dropout. Initialisation is seeded and explicit. */
import { dropout, gelu, layerNorm, silu } from '../composites.js';
import type { DType } from '../dtype.js';
import { matmul, relu, tanh } from '../ops.js';
import type { Rng } from '../random.js';
import { allocate } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { Module } from './module.js';

export type Activation = 'relu' | 'silu' | 'gelu' | 'tanh' | 'identity';

export function activate(x: Tensor, act: Activation): Tensor {
  switch (act) {
    case 'relu': return relu(x);
    case 'silu': return silu(x);
    case 'gelu': return gelu(x);
    case 'tanh': return tanh(x);
    case 'identity': return x;
  }
}

/** A parameter tensor with uniform(-limit, limit) values. */
export function uniformParam(shape: readonly number[], limit: number, rng: Rng, dtype: DType): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = allocate(dtype, n);
  for (let i = 0; i < n; i++) d[i] = rng.uniform(-limit, limit);
  return new Tensor(d, shape, true);
}

export interface LinearOptions {
  readonly rng: Rng;
  readonly bias?: boolean;
  readonly dtype?: DType;
  /** 'xavier' (Glorot uniform, default) or 'kaiming' (He uniform, for ReLU stacks). */
  readonly init?: 'xavier' | 'kaiming';
}

/** y = x·W + b with W stored [in, out], applied over the last axis of x. */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: LinearOptions) {
    super();
    const dtype = opts.dtype ?? 'float32';
    const limit = opts.init === 'kaiming' ? Math.sqrt(6 / inFeatures) : Math.sqrt(6 / (inFeatures + outFeatures));
    this.weight = uniformParam([inFeatures, outFeatures], limit, opts.rng, dtype);
    this.bias = opts.bias === false ? null : new Tensor(allocate(dtype, outFeatures), [outFeatures], true);
  }

  forward(x: Tensor): Tensor {
    if (x.shape[x.rank - 1] !== this.inFeatures) {
      throw new Error(`Linear(${this.inFeatures}→${this.outFeatures}): input last dim is ${x.shape[x.rank - 1]}, expected ${this.inFeatures}`);
    }
    const y = x.rank === 1 ? matmul(x.reshape([1, -1]), this.weight).reshape([-1]) : matmul(x, this.weight);
    return this.bias === null ? y : y.add(this.bias);
  }
}

export class Dropout extends Module {
  constructor(readonly p: number, private readonly rng: Rng) {
    super();
    if (!(p >= 0 && p < 1)) throw new Error(`Dropout: p must be in [0, 1), got ${p}`);
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.rng, this.training);
  }
}

export class LayerNorm extends Module {
  readonly gamma: Tensor;
  readonly beta: Tensor;

  constructor(readonly features: number, readonly eps = 1e-5, dtype: DType = 'float32') {
    super();
    this.gamma = new Tensor(allocate(dtype, features).fill(1), [features], true);
    this.beta = new Tensor(allocate(dtype, features), [features], true);
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.gamma, this.beta, this.eps);
  }
}

export interface MLPOptions extends LinearOptions {
  readonly activation?: Activation;
  readonly dropout?: number;
}

/** sizes = [in, hidden..., out]; activation (and dropout) between layers, none after the last. */
export class MLP extends Module {
  readonly layers: Linear[];
  readonly drop: Dropout | null;
  readonly activation: Activation;

  constructor(sizes: readonly number[], opts: MLPOptions) {
    super();
    if (sizes.length < 2) throw new Error(`MLP: needs at least [in, out] sizes, got [${sizes.join(',')}]`);
    this.activation = opts.activation ?? 'relu';
    this.layers = sizes.slice(1).map((out, i) => new Linear(sizes[i]!, out, opts));
    this.drop = opts.dropout ? new Dropout(opts.dropout, opts.rng.fork()) : null;
  }

  forward(x: Tensor): Tensor {
    let h = x;
    this.layers.forEach((layer, i) => {
      h = layer.forward(h);
      if (i < this.layers.length - 1) {
        h = activate(h, this.activation);
        if (this.drop !== null) h = this.drop.forward(h);
      }
    });
    return h;
  }
}
