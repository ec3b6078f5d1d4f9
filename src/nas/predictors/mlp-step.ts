/**
 * The stacked MLP ensemble's training step under the ranking loss, compiled: the forward pass,
 * the loss, the reverse sweep and the gradients written into buffers allocated once per fit, with
 * no tensors, graph, topological sort or allocator on the way. A fit runs this step sixty times
 * per round of every search, and on its small matrices the engine's bookkeeping per op cost about
 * as much as the kernels (bench/README, "The MLP predictor compiled").
 *
 * It computes what the engine computes, bit for bit: every pass is the engine's own function on
 * the same operands in the same order (the forward table's matmul plans and registry dispatch,
 * loops.ts's broadcast add, reductions and pair loops, fused.ts's silu and softplus passes,
 * dropout-mask.ts's mask), and each gradient is the one its backward rule (vjp.ts) forms:
 * add passes g on and sums it over the rows for the bias, matmul's rules take g·Wᵀ and hᵀ·g,
 * maskMul multiplies by the mask, pairDiff scatters. The 'auto' backend's choices depend only on
 * the sizes, so they are the same too. test/mlp-step.test.ts holds it to the engine's fit on every
 * parameter and loss, f32 and f64, js and auto. The optimiser is the fit's own Adam.
 */
import { dropoutMask } from '../../autograd/dropout-mask.js';
import { allocate, type FloatArray } from '../../autograd/dtype.js';
import { matmulPlan, type MatmulPlan } from '../../autograd/forward.js';
import { siluBackwardInto, siluInto, softplusBackwardInto, softplusInto, softplusSavedInto } from '../../autograd/fused.js';
import { Bin, binary, pairDiffAdjoint, pairDiffLoop, reduce } from '../../autograd/loops.js';
import type { Optimizer } from '../../autograd/optim/index.js';
import { Tensor } from '../../autograd/tensor.js';
import { runMatmul } from '../../kernels/registry.js';
import type { EnsembleMlp } from './nets.js';

/** Each step's ranking pairs: P per member, member k's at [k·P, (k+1)·P) of gi and gj (flat row indices). */
export interface PairDraws {
  readonly P: number;
  readonly gi: Int32Array;
  readonly gj: Int32Array;
  /** Draw this step's pairs into gi and gj. */
  draw(): void;
}

/** A stacked layer's plans and buffers for the forward pass and the input gradient (all the ascent needs). */
interface StackedLayer {
  readonly w: Tensor;
  readonly b: Tensor;
  /** Shapes of the layer's input and of its product ([M, rows, out]). */
  readonly inShape: number[];
  readonly outShape: number[];
  /** The product's plans: forward h·W, and the rule's g·Wᵀ (null where the input wants no gradient). */
  readonly fwd: MatmulPlan;
  readonly dIn: MatmulPlan | null;
  /** Product and pre-activation; on hidden layers the stored sigmoid and the activation. */
  readonly mm: FloatArray;
  readonly z: FloatArray;
  readonly s: FloatArray | null;
  readonly y: FloatArray | null;
  /** Gradients of the pre-activation and of the layer's input (null with dIn). */
  readonly gz: FloatArray;
  readonly gIn: FloatArray | null;
}

/** A layer of the training step: also the weight-gradient plan, dropout and the parameters' gradients. */
interface Layer extends StackedLayer {
  readonly dW: MatmulPlan;
  /** Dropout's mask and the layer's output (y masked, y, or z on the last layer). */
  readonly mask: FloatArray | null;
  readonly h: FloatArray;
  readonly gw: FloatArray;
  readonly gb: FloatArray;
  readonly gInMasked: FloatArray | null;
}

/** The stacked layers of `net` on `rows` rows; the first layer's input gradient only when `inputGrad`. */
function stackedLayers(net: EnsembleMlp, rows: number, inputGrad: boolean): StackedLayer[] {
  const M = net.members, L = net.weights.length, dt = net.weights[0]!.dtype;
  const layers: StackedLayer[] = [];
  let inShape = [rows, net.features];
  for (let i = 0; i < L; i++) {
    const w = net.weights[i]!, b = net.biases[i]!, [, fin, fout] = w.shape as [number, number, number];
    const outShape = [M, rows, fout], size = M * rows * fout, hidden = i < L - 1, wantIn = i > 0 || inputGrad;
    layers.push({
      w, b, inShape, outShape,
      fwd: matmulPlan(inShape, w.shape, false, false),
      dIn: wantIn ? matmulPlan(outShape, w.shape, false, true) : null,
      mm: allocate(dt, size), z: allocate(dt, size), s: hidden ? allocate(dt, size) : null, y: hidden ? allocate(dt, size) : null,
      gz: allocate(dt, size), gIn: wantIn ? allocate(dt, M * rows * fin) : null,
    });
    inShape = outShape;
  }
  return layers;
}

/** The forward table's bias-added product and, on hidden layers, silu: the layer's activation (before dropout). */
function linearSilu(l: StackedLayer, h: FloatArray, dtype: 'float32' | 'float64'): FloatArray {
  matmulInto(h, l.w.data, l.mm, l.fwd, false, false, dtype);
  binary(Bin.Add, l.mm, l.outShape, l.b.data, l.b.shape, l.z, l.outShape);
  if (l.y === null) return l.z;
  siluInto(l.z, l.s!, l.y);
  return l.y;
}

export class MlpRankingStep {
  private readonly layers: Layer[];
  private readonly dtype: 'float32' | 'float64';
  private readonly M: number;
  private readonly margins: FloatArray;
  private readonly e: FloatArray;
  private readonly sp: FloatArray;
  private readonly gMargins: FloatArray;
  private readonly gSp: FloatArray;
  private readonly sums: FloatArray;
  private readonly losses: FloatArray;
  private readonly inv: FloatArray;
  private readonly scatter: FloatArray;
  private readonly grads: Map<Tensor, Tensor>;

  /**
   * For `net` (training mode) on the rows `x` ([n, F], no gradient), its parameters updated by
   * `opt`, the pairs from `pairs`.
   */
  constructor(private readonly net: EnsembleMlp, private readonly x: Tensor, private readonly pairs: PairDraws, private readonly opt: Optimizer) {
    if (net.act !== 'silu') throw new Error(`MlpRankingStep: compiled for silu, the network uses ${net.act}`);
    if (x.rank !== 2 || x.shape[1] !== net.features) throw new Error(`MlpRankingStep: rows must be [n, ${net.features}], got [${x.shape.join(', ')}]`);
    const M = net.members, n = x.shape[0]!, dt = x.dtype;
    this.M = M;
    this.dtype = dt;
    this.layers = stackedLayers(net, n, false).map((l, i): Layer => {
      const drop = l.y !== null && net.dropRngs !== null;
      return {
        ...l,
        dW: matmulPlan(l.inShape, l.outShape, true, false),
        mask: drop ? allocate(dt, l.z.length) : null,
        h: drop ? allocate(dt, l.z.length) : l.y ?? l.z,
        gw: allocate(dt, l.w.size), gb: allocate(dt, l.b.size),
        // Every layer below another is hidden: its dropout's mask applies to this layer's input gradient.
        gInMasked: i > 0 && net.dropRngs !== null ? allocate(dt, l.gIn!.length) : null,
      };
    });
    const P = pairs.P;
    this.margins = allocate(dt, M * P);
    this.e = allocate(dt, M * P);
    this.sp = allocate(dt, M * P);
    this.gSp = allocate(dt, M * P);
    this.gMargins = allocate(dt, M * P);
    this.sums = allocate(dt, M);
    this.losses = allocate(dt, M);
    // mul(·, 1/P)'s scalar, stored in the dtype as ops.ts promotes it.
    this.inv = allocate(dt, 1);
    this.inv[0] = 1 / P;
    this.scatter = allocate(dt, M * n);
    this.grads = new Map(this.layers.flatMap((l) => [[l.w, new Tensor(l.gw, l.w.shape)], [l.b, new Tensor(l.gb, l.b.shape)]] as [Tensor, Tensor][]));
    for (const p of opt.params) if (!this.grads.has(p)) throw new Error(`MlpRankingStep: the optimiser holds ${p.toString()}, which is not one of the network's weights or biases`);
  }

  /** One training step (forward, backward, the optimiser's update); returns the members' losses [M], in row order. */
  step(): FloatArray {
    const { M, layers, dtype: dt } = this;
    const L = layers.length, P = this.pairs.P;
    let h = this.x.data;
    for (const l of layers) {
      const y = linearSilu(l, h, dt);
      if (l.mask !== null) {
        dropoutMask(l.mask, this.net.p, this.net.dropRngs!);
        binary(Bin.Mul, y, l.outShape, l.mask, l.outShape, l.h, l.outShape);
      }
      h = l.h;
    }
    // The loss: softplus(s_j − s_i) over each member's pairs, summed per member, times 1/P.
    const { gi, gj } = this.pairs;
    this.pairs.draw();
    pairDiffLoop(h, gj, gi, this.margins);
    softplusSavedInto(this.margins, this.e);
    softplusInto(this.margins, this.e, this.sp);
    this.sums.fill(0);
    reduce('sum', this.sp, [M, P], this.sums, [M, 1]);
    binary(Bin.Mul, this.sums, [M], this.inv, [], this.losses, [M]);
    // Backward. The seed 1 through sum's and mul's rules gives every pair 1·(1/P), exactly 1/P.
    this.gSp.fill(this.inv[0]!);
    softplusBackwardInto(this.gSp, this.margins, this.e, this.gMargins);
    const top = layers[L - 1]!;
    top.gz.fill(0);
    this.scatter.fill(0);
    pairDiffAdjoint(this.gMargins, gj, gi, top.gz, this.scatter);
    for (let i = L - 1; i >= 0; i--) {
      const l = layers[i]!, hIn = i === 0 ? this.x.data : layers[i - 1]!.h;
      l.gb.fill(0);
      reduce('sum', l.gz, l.outShape, l.gb, l.b.shape);
      matmulInto(hIn, l.gz, l.gw, l.dW, true, false, dt);
      if (i === 0) break;
      const below = layers[i - 1]!;
      matmulInto(l.gz, l.w.data, l.gIn!, l.dIn!, false, true, dt);
      let g = l.gIn!;
      if (below.mask !== null) {
        binary(Bin.Mul, g, below.outShape, below.mask, below.outShape, l.gInMasked!, below.outShape);
        g = l.gInMasked!;
      }
      siluBackwardInto(g, below.z, below.s!, below.gz);
    }
    for (const p of this.opt.params) p.grad = this.grads.get(p)!;
    this.opt.step();
    this.opt.zeroGrad();
    return this.losses;
  }
}

/** The forward table's matmul on the caller's buffers: the same spec, to the same dispatch. */
function matmulInto(a: FloatArray, b: FloatArray, out: FloatArray, plan: MatmulPlan, transA: boolean, transB: boolean, dtype: 'float32' | 'float64'): void {
  runMatmul({ a, b, out, m: plan.m, n: plan.n, k: plan.k, transA, transB, batch: plan.batch, aOffsets: plan.aOffsets, bOffsets: plan.bOffsets }, dtype);
}

/**
 * The ascent's half of the same idea: the gradient of Σ score(x) over a batch of rows x ([S, F]) for
 * the fitted stacked MLP (evaluation mode, uncalibrated: score = the members' mean), written into
 * buffers allocated once per ascent. The engine's sweep from score's sum to x makes these passes:
 * the seed through sum's and mul's rules gives every member output exactly 1/M, then per layer
 * matmul's g·Wᵀ and silu's rule, and on the first layer g·W₀ᵀ summed over the members (sumTo of the
 * shared input). test/mlp-step.test.ts holds it to valueAndGrad's gradient bit for bit.
 */
export class MlpScoreGrad {
  private readonly layers: StackedLayer[];
  private readonly dtype: 'float32' | 'float64';
  private readonly gx: FloatArray;
  private readonly inv: number;

  constructor(net: EnsembleMlp, readonly rows: number) {
    if (net.act !== 'silu') throw new Error(`MlpScoreGrad: compiled for silu, the network uses ${net.act}`);
    if (net.training) throw new Error('MlpScoreGrad: the network is in training mode (dropout on); the ascent climbs the fitted network in evaluation mode');
    this.dtype = net.weights[0]!.dtype;
    this.layers = stackedLayers(net, rows, true);
    this.gx = allocate(this.dtype, rows * net.features);
    // mul(·, 1/M)'s scalar as ops.ts promotes it: rounded to the dtype.
    this.inv = allocate(this.dtype, 1).fill(1 / net.members)[0]!;
  }

  /** d Σ score / dx for the rows x ([rows, F], row-major); the returned array is reused by the next call. */
  inputGrad(x: FloatArray): FloatArray {
    const { layers, dtype: dt } = this;
    const L = layers.length;
    let h = x;
    for (const l of layers) h = linearSilu(l, h, dt);
    layers[L - 1]!.gz.fill(this.inv);
    for (let i = L - 1; i >= 0; i--) {
      const l = layers[i]!;
      matmulInto(l.gz, l.w.data, l.gIn!, l.dIn!, false, true, dt);
      if (i > 0) {
        const below = layers[i - 1]!;
        siluBackwardInto(l.gIn!, below.z, below.s!, below.gz);
      }
    }
    // The first layer's input is shared by the members: its gradient summed over them (sumTo).
    const first = layers[0]!;
    this.gx.fill(0);
    reduce('sum', first.gIn!, [first.outShape[0]!, ...first.inShape], this.gx, [1, ...first.inShape]);
    return this.gx;
  }
}
