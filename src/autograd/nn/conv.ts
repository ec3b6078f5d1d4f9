/** Convolution and pooling layers over NCHW feature maps (thin wrappers of conv-ops.ts). */
import { avgPool2d, conv2d, globalAvgPool2d, maxPool2d, type Conv2dOptions, type Pair, type Pool2dOptions } from '../conv-ops.js';
import { allocate } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { uniformParam, type LinearOptions } from './layers.js';
import { Module } from './module.js';

export interface Conv2dLayerOptions extends Conv2dOptions, LinearOptions {}

/**
 * y = conv2d(x, W) + b, W [out, in/groups, kh, kw]. Initialisation is uniform over the receptive
 * field: Glorot (default; fan_in = in/groups·kh·kw, fan_out = out·kh·kw/groups, as in
 * ../shared/peers/cnn_common) or Kaiming ('kaiming', √(6/fan_in), for ReLU stacks).
 */
export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  private readonly opts: Conv2dOptions;

  constructor(readonly inChannels: number, readonly outChannels: number, kernel: Pair, opts: Conv2dLayerOptions) {
    super();
    const groups = opts.groups ?? 1;
    const [kh, kw] = typeof kernel === 'number' ? [kernel, kernel] : kernel;
    if (!Number.isInteger(groups) || groups < 1 || inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new Error(`Conv2d(${inChannels}→${outChannels}): groups ${groups} must divide both channel counts`);
    }
    const dtype = opts.dtype ?? 'float32';
    const fanIn = (inChannels / groups) * kh * kw, fanOut = (outChannels / groups) * kh * kw;
    const limit = opts.init === 'kaiming' ? Math.sqrt(6 / fanIn) : Math.sqrt(6 / (fanIn + fanOut));
    this.weight = uniformParam([outChannels, inChannels / groups, kh, kw], limit, opts.rng, dtype);
    this.bias = opts.bias === false ? null : new Tensor(allocate(dtype, outChannels), [outChannels], true);
    this.opts = {
      ...(opts.stride !== undefined && { stride: opts.stride }), ...(opts.padding !== undefined && { padding: opts.padding }),
      ...(opts.dilation !== undefined && { dilation: opts.dilation }), groups,
    };
  }

  forward(x: Tensor): Tensor {
    const y = conv2d(x, this.weight, this.opts);
    return this.bias === null ? y : y.add(this.bias.reshape([1, this.outChannels, 1, 1]));
  }
}

export class MaxPool2d extends Module {
  constructor(readonly kernel: Pair, readonly opts: Pool2dOptions = {}) {
    super();
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernel, this.opts);
  }
}

export class AvgPool2d extends Module {
  constructor(readonly kernel: Pair, readonly opts: Pool2dOptions = {}) {
    super();
  }

  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernel, this.opts);
  }
}

/** [N, C, H, W] → [N, C]. */
export class GlobalAvgPool2d extends Module {
  forward(x: Tensor): Tensor {
    return globalAvgPool2d(x);
  }
}
