/**
 * Semantics of the convolutional layers and ops beyond the generated numerics of
 * autograd-primitives: batch norm's running statistics and evaluation mode, buffers in
 * stateDict, pooling tie rules, option handling, one-line errors, and a small CNN that trains.
 */
import { describe, expect, it } from 'vitest';
import {
  Adam, BatchNorm2d, Conv2d, GlobalAvgPool2d, Linear, MaxPool2d, Rng, avgPool2d, batchNorm2d, checkGrads, conv2d, crossEntropy,
  globalAvgPool2d, maxPool2d, randn, tensor, type Tensor,
} from '../src/autograd/index.js';
import { Module } from '../src/autograd/nn/index.js';
import { withBackend } from '../src/kernels/registry.js';

const f64 = (shape: number[], seed: number): Tensor => randn(shape, new Rng(seed), { dtype: 'float64' });

class SmallCnn extends Module {
  c1: Conv2d; b1: BatchNorm2d; pool = new MaxPool2d(2); c2: Conv2d; b2: BatchNorm2d; gap = new GlobalAvgPool2d(); head: Linear;
  constructor(rng: Rng) {
    super();
    this.c1 = new Conv2d(1, 8, 3, { rng, padding: 1, bias: false });
    this.b1 = new BatchNorm2d(8);
    this.c2 = new Conv2d(8, 8, 3, { rng, stride: 2, padding: 1, groups: 8, bias: false }); // depthwise
    this.b2 = new BatchNorm2d(8);
    this.head = new Linear(8, 2, { rng });
  }
  forward(x: Tensor): Tensor {
    const h = this.pool.forward(this.b1.forward(this.c1.forward(x)).relu());
    return this.head.forward(this.gap.forward(this.b2.forward(this.c2.forward(h)).relu()));
  }
}

/** Images whose class is whether the bright blob sits in the left or the right half. */
function blobs(n: number, seed: number): { x: Tensor; y: number[] } {
  const rng = new Rng(seed), d = new Float32Array(n * 64), y: number[] = [];
  for (let i = 0; i < n; i++) {
    const cls = i % 2, cx = cls === 0 ? 1 + rng.int(2) : 5 + rng.int(2), cy = 1 + rng.int(6);
    for (let p = 0; p < 64; p++) d[i * 64 + p] = 0.2 * rng.normal() + (Math.abs((p >> 3) - cy) <= 1 && Math.abs((p & 7) - cx) <= 1 ? 1 : 0);
    y.push(cls);
  }
  return { x: tensor(d, [n, 1, 8, 8]), y };
}

describe('a small CNN', () => {
  it.each(['js', 'wasm'])('learns a toy task on the %s backend (conv, depthwise conv, BN, max pool, GAP)', (backend) => {
    withBackend(backend, () => {
      const model = new SmallCnn(new Rng(1));
      const opt = new Adam(model.parameters(), { lr: 0.05 });
      const { x, y } = blobs(32, 2);
      let first = 0, last = 0;
      for (let step = 0; step < 40; step++) {
        opt.zeroGrad();
        const loss = crossEntropy(model.forward(x), y);
        loss.backward();
        opt.step();
        if (step === 0) first = loss.item();
        last = loss.item();
      }
      expect(first).toBeGreaterThan(0.5);
      expect(last).toBeLessThan(0.2 * first);
      const test = blobs(32, 3);
      model.eval();
      const pred = model.forward(test.x).toNested() as number[][];
      const acc = pred.filter((p, i) => (p[1]! > p[0]! ? 1 : 0) === test.y[i]).length / 32;
      expect(acc).toBeGreaterThanOrEqual(0.9);
    });
  });
});

describe('BatchNorm2d', () => {
  it('updates running statistics with the unbiased batch variance and uses them in eval mode', () => {
    const bn = new BatchNorm2d(2, { momentum: 0.25, dtype: 'float64' });
    const x = f64([3, 2, 2, 2], 4);
    bn.forward(x);
    const xs = x.toNested() as number[][][][];
    for (let c = 0; c < 2; c++) {
      const v = xs.flatMap((img) => img[c]!.flat());
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      const unbiased = v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1);
      expect(bn.runningMean.data[c]).toBeCloseTo(0.25 * m, 12);
      expect(bn.runningVar.data[c]).toBeCloseTo(0.75 + 0.25 * unbiased, 12);
    }
    bn.gamma.data.set([2, -1]);
    bn.beta.data.set([0.5, 1]);
    bn.eval();
    const y = bn.forward(x).toNested() as number[][][][];
    const rm = Array.from(bn.runningMean.data), rv = Array.from(bn.runningVar.data);
    expect(y[1]![1]![0]![1]).toBeCloseTo(((xs[1]![1]![0]![1]! - rm[1]!) / Math.sqrt(rv[1]! + 1e-5)) * -1 + 1, 12);
    // Eval mode leaves the running statistics alone.
    bn.forward(x);
    expect(Array.from(bn.runningMean.data)).toEqual(rm);
  });

  it('eval mode is differentiable in x, gamma and beta (central differences)', () => {
    const rm = f64([3], 1), rv = tensor(Float64Array.from([0.5, 1.5, 2]), [3], { dtype: 'float64' });
    checkGrads((x, g, b) => batchNorm2d(x, { gamma: g, beta: b, runningMean: rm, runningVar: rv, training: false }).pow(2).sum(), [f64([2, 3, 2, 3], 2), f64([3], 3), f64([3], 4)]);
  });

  it('stateDict carries the running statistics as buffers, which parameters() leaves out', () => {
    const a = new SmallCnn(new Rng(5));
    a.forward(blobs(4, 1).x);
    const state = a.stateDict();
    expect(Object.keys(state)).toContain('b1.runningMean');
    expect(Object.keys(state)).toContain('b2.runningVar');
    expect(a.namedParameters().map(([n]) => n)).not.toContain('b1.runningMean');
    const b = new SmallCnn(new Rng(6));
    b.loadStateDict(JSON.parse(JSON.stringify(state)));
    expect(Array.from(b.b1.runningVar.data)).toEqual(Array.from(a.b1.runningVar.data));
    const x = blobs(4, 9).x;
    expect(b.eval().forward(x).toArray()).toEqual(a.eval().forward(x).toArray());
    const { ['b2.runningMean']: _dropped, ...partial } = state;
    expect(() => b.loadStateDict(partial)).toThrow(/missing parameter 'b2.runningMean'/);
  });

  it('refuses one value per channel in training mode, as PyTorch does', () => {
    expect(() => batchNorm2d(f64([1, 2, 1, 1], 1))).toThrow(/more than one value per channel.*\[1,2,1,1\]/);
  });
});

describe('pooling and convolution semantics', () => {
  it('max pooling sends a tied window\'s gradient to its first maximum', () => {
    const x = tensor([[[[1, 3], [3, 2]]]], undefined, { requiresGrad: true });
    maxPool2d(x, 2).sum().backward();
    expect(x.grad!.toArray()).toEqual([0, 1, 0, 0]);
  });

  it('average pooling counts padded taps as zeros; global pooling is the mean over H, W', () => {
    const x = tensor([[[[4, 8], [12, 16]]]]);
    expect(avgPool2d(x, 2, { stride: 1, padding: 1 }).toArray()).toEqual([1, 3, 2, 4, 10, 6, 3, 7, 4]);
    expect(globalAvgPool2d(x).toNested()).toEqual([[10]]);
    expect(globalAvgPool2d(x, true).shape).toEqual([1, 1, 1, 1]);
  });

  it('accepts [h, w] pairs and keeps Float32', () => {
    const y = conv2d(randn([1, 2, 7, 6], new Rng(1)), randn([4, 1, 3, 2], new Rng(2)), { stride: [2, 1], padding: [1, 0], dilation: [1, 2], groups: 2 });
    expect(y.shape).toEqual([1, 4, 4, 4]);
    expect(y.dtype).toBe('float32');
  });

  it('errors are one line naming the op, the shapes and what was expected', () => {
    const x = randn([2, 4, 5, 5], new Rng(1));
    expect(() => conv2d(x, randn([6, 3, 3, 3], new Rng(1)), { groups: 2 })).toThrow(/^conv2d: weight \[6,3,3,3\] needs 2 input channels per group \(input \[2,4,5,5\], groups 2\), got 3$/);
    expect(() => conv2d(x, randn([6, 4, 3, 3], new Rng(1)), { groups: 3 })).toThrow(/^conv2d: groups 3 must divide input channels 4 and output channels 6$/);
    expect(() => conv2d(x, randn([6, 4, 7, 3], new Rng(1)))).toThrow(/^conv2d: kernel 7x3 .* does not fit input \[2,4,5,5\]/);
    expect(() => conv2d(randn([4, 5, 5], new Rng(1)), randn([6, 4, 3, 3], new Rng(1)))).toThrow(/^conv2d: input must be 4-D \(NCHW\), got \[4,5,5\]$/);
    expect(() => conv2d(x, randn([6, 4, 3, 3], new Rng(1)), { stride: 0 })).toThrow(/^conv2d: stride must be an integer >= 1/);
    expect(() => maxPool2d(x, 2, { padding: 2 })).toThrow(/^maxPool2d: padding 2x2 must be at most half the kernel 2x2$/);
    expect(() => batchNorm2d(x, { gamma: randn([3], new Rng(1)) })).toThrow(/^batchNorm2d: gamma must be a float32 tensor of shape \[4\]/);
    expect(() => batchNorm2d(x, { training: false })).toThrow(/^batchNorm2d: evaluation mode needs runningMean and runningVar$/);
  });
});
