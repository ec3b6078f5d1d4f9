/**
 * BatchNorm2d: batch statistics in training mode (updating the running ones), running statistics
 * in evaluation mode (`model.eval()`). The running mean and variance are buffers: saved and
 * loaded by stateDict/loadStateDict, never handed to an optimiser.
 */
import { batchNorm2d } from '../conv-ops.js';
import { allocate, type DType } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { Module } from './module.js';

export interface BatchNormLayerOptions {
  readonly eps?: number;
  /** Weight of the new batch in the running averages (PyTorch's convention), default 0.1. */
  readonly momentum?: number;
  readonly dtype?: DType;
}

export class BatchNorm2d extends Module {
  readonly gamma: Tensor;
  readonly beta: Tensor;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
  readonly eps: number;
  readonly momentum: number;

  constructor(readonly features: number, opts: BatchNormLayerOptions = {}) {
    super();
    const dtype = opts.dtype ?? 'float32';
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum ?? 0.1;
    this.gamma = new Tensor(allocate(dtype, features).fill(1), [features], true);
    this.beta = new Tensor(allocate(dtype, features), [features], true);
    this.runningMean = new Tensor(allocate(dtype, features), [features]);
    this.runningVar = new Tensor(allocate(dtype, features).fill(1), [features]);
  }

  protected override bufferFields(): readonly string[] {
    return ['runningMean', 'runningVar'];
  }

  forward(x: Tensor): Tensor {
    return batchNorm2d(x, {
      gamma: this.gamma, beta: this.beta, runningMean: this.runningMean, runningVar: this.runningVar,
      training: this.training, momentum: this.momentum, eps: this.eps,
    });
  }
}
