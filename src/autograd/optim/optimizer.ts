/**
 * Optimisers update parameters in place from their `.grad`. Zeroing is explicit (`zeroGrad()`),
 * and forgetting it cannot go unnoticed: step() marks each updated parameter, and the next
 * backward into a marked, non-zeroed gradient throws (see engine.accumulateLeaf). A known bug in
 * a popular NAS library's GCN predictor is exactly a missing zero_grad between batches.
 */
import type { AdamState, AdamStep } from '../../kernels/backend.js';
import { elementwiseBackend } from '../../kernels/registry.js';
import { fmtShape } from '../shape.js';
import type { Tensor } from '../tensor.js';

export abstract class Optimizer {
  lr: number;
  readonly params: readonly Tensor[];

  constructor(params: readonly Tensor[], lr: number) {
    if (params.length === 0) throw new Error(`${this.constructor.name}: no parameters to optimise`);
    if (!(lr > 0) || !Number.isFinite(lr)) throw new Error(`${this.constructor.name}: learning rate must be a positive number, got ${lr}`);
    for (const p of params) {
      if (!p.requiresGrad || p.node !== null) throw new Error(`${this.constructor.name}: ${p.toString()} is not a trainable leaf (requiresGrad leaf expected)`);
    }
    this.params = params;
    this.lr = lr;
  }

  zeroGrad(): void {
    for (const p of this.params) {
      p.grad = null;
      p.gradApplied = false;
    }
  }

  step(): void {
    this.params.forEach((p, i) => {
      if (p.grad === null) return; // a parameter unused in this step's loss is left alone
      if (p.grad.size !== p.size) throw new Error(`${this.constructor.name}: grad ${fmtShape(p.grad.shape)} does not match parameter ${fmtShape(p.shape)}`);
      this.update(i, p.data, p.grad.data);
      // A graph recorded before this step saved the old weights; its backward must now throw.
      p.bumpVersion();
      p.gradApplied = true;
    });
    this.afterStep();
  }

  protected afterStep(): void {}

  /** Update parameter i in place from its gradient. */
  protected abstract update(i: number, w: Float32Array | Float64Array, g: Float32Array | Float64Array): void;
}

export interface SGDOptions {
  readonly lr: number;
  readonly momentum?: number;
  readonly weightDecay?: number;
  readonly nesterov?: boolean;
}

export class SGD extends Optimizer {
  readonly momentum: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  private readonly velocity: Float64Array[];

  constructor(params: readonly Tensor[], opts: SGDOptions) {
    super(params, opts.lr);
    this.momentum = opts.momentum ?? 0;
    this.weightDecay = opts.weightDecay ?? 0;
    this.nesterov = opts.nesterov ?? false;
    this.velocity = params.map((p) => new Float64Array(p.size));
  }

  protected update(i: number, w: Float32Array | Float64Array, g: Float32Array | Float64Array): void {
    const v = this.velocity[i]!, mu = this.momentum, wd = this.weightDecay, lr = this.lr;
    for (let k = 0; k < w.length; k++) {
      const gk = g[k]! + wd * w[k]!;
      if (mu === 0) {
        w[k]! -= lr * gk;
        continue;
      }
      v[k] = mu * v[k]! + gk;
      w[k]! -= lr * (this.nesterov ? gk + mu * v[k]! : v[k]!);
    }
  }
}

export interface AdamOptions {
  readonly lr: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  /** Adam: L2 penalty added to the gradient; AdamW: decoupled decay of the weights. */
  readonly weightDecay?: number;
}

/** Adam (Kingma & Ba 2015) with bias correction; moments kept in Float64. */
export class Adam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  protected readonly decoupled: boolean = false;
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  private t = 0;
  /**
   * The moments in a backend's memory (the wasm backend's f64x2 update: two divisions and a square
   * root per parameter are most of a small network's step), or null: in m and v. Where they live
   * follows the backend selection step by step, and they move with it.
   */
  private held: AdamState | null = null;
  /** This step's coefficients, which the JS loop and a backend's update both read. */
  private k: AdamStep | null = null;
  private readonly total: number;
  private readonly allF32: boolean;

  constructor(params: readonly Tensor[], opts: AdamOptions) {
    super(params, opts.lr);
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
    this.m = params.map((p) => new Float64Array(p.size));
    this.v = params.map((p) => new Float64Array(p.size));
    this.total = params.reduce((s, p) => s + p.size, 0);
    this.allF32 = params.every((p) => p.dtype === 'float32');
  }

  override step(): void {
    this.t++;
    this.place();
    const b1 = this.beta1, b2 = this.beta2, lr = this.lr, wd = this.weightDecay;
    this.k = {
      b1, b2, a1: 1 - b1, a2: 1 - b2, l2: this.decoupled ? 0 : wd, decay: this.decoupled ? 1 - lr * wd : 1,
      step: lr / (1 - Math.pow(b1, this.t)), c2: 1 - Math.pow(b2, this.t), eps: this.eps,
    };
    super.step();
  }

  get stepCount(): number {
    return this.t;
  }

  /**
   * Hand back the backend memory holding the moments (they return to this optimiser's own arrays,
   * so it can still step). The engine's training loops call it when a fit ends; otherwise the
   * memory is reclaimed once the optimiser is garbage-collected.
   */
  dispose(): void {
    if (this.held === null) return;
    this.params.forEach((_, i) => this.held!.read(i, this.m[i]!, this.v[i]!));
    this.held.release();
    this.held = null;
  }

  /** Move the moments to where this step's backend selection updates them. */
  private place(): void {
    const be = this.allF32 ? elementwiseBackend(this.total)?.adam ?? null : null;
    if (be === null) {
      this.dispose();
      return;
    }
    if (this.held !== null) return;
    this.held = be.state(this.params.map((p) => p.size));
    this.params.forEach((_, i) => this.held!.write(i, this.m[i]!, this.v[i]!));
  }

  protected update(i: number, w: Float32Array | Float64Array, g: Float32Array | Float64Array): void {
    if (this.held !== null) {
      this.held.update(i, w as Float32Array, g as Float32Array, this.k!); // allF32: every w and g is Float32
      return;
    }
    const m = this.m[i]!, v = this.v[i]!;
    const { b1, b2, a1, a2, l2, decay, step, c2, eps } = this.k!;
    // Every loop-invariant read hoisted and each element read once: the same operations in the
    // same order (a1·gk is (1 − β1)·gk), so the same bits; this loop runs over every parameter
    // in every step of every predictor fit. A backend's update (AdamState) computes exactly this.
    for (let k = 0; k < w.length; k++) {
      const wk = w[k]!;
      const gk = g[k]! + l2 * wk;
      const mk = b1 * m[k]! + a1 * gk;
      const vk = b2 * v[k]! + a2 * gk * gk;
      m[k] = mk;
      v[k] = vk;
      w[k] = wk * decay - (step * mk) / (Math.sqrt(vk / c2) + eps);
    }
  }
}

/** AdamW (Loshchilov & Hutter 2019): weight decay applied to the weights, not the gradient. */
export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;

  constructor(params: readonly Tensor[], opts: AdamOptions) {
    super(params, { ...opts, weightDecay: opts.weightDecay ?? 0.01 });
  }
}
