/**
 * PredNAS (Yuan et al. 2022; our design in ../shared/METHOD.md): treat the trained predictor as a
 * differentiable function of relaxed architecture logits and climb it with Adam from the best
 * (and a few random) evaluated architectures. Every point along every path is projected back to a
 * discrete architecture; fresh, feasible projections become candidates, and the round evaluates
 * the K best by predicted score. Proposing along the whole path (not only the end points) matters:
 * the end points of different starts collapse onto the same predictor optimum.
 */
import { valueAndGrad } from '../../autograd/engine.js';
import { mul, relu, sub, sum } from '../../autograd/ops.js';
import { Tensor } from '../../autograd/tensor.js';
import type { SearchContext } from './algorithm.js';
import { PredictorGuidedSearch, type PredictorGuidedOptions } from './predictor-guided.js';

export interface CostPenalty {
  /** Which differentiable cost of the space (space.relaxedCost) to penalise. */
  readonly cost: 'flops' | 'params';
  /** Budget in the space's cost units. */
  readonly target: number;
  /** λ in J = f(x) − λ·relu(cost(x)/target − 1)². */
  readonly lambda?: number;
}

export interface PredNasOptions extends PredictorGuidedOptions {
  /** Top-k evaluated architectures used as starts. */
  readonly topStarts?: number;
  /** Additional random evaluated architectures used as starts. */
  readonly randomStarts?: number;
  /** Ascent steps T per round. */
  readonly steps?: number;
  /** Adam learning rate of the ascent, in logit units. */
  readonly lr?: number;
  /** Logit scale c of a discrete start (c·one-hot / ±c). */
  readonly logitScale?: number;
  /** Softmax temperature τ of the relaxation. */
  readonly tau?: number;
  readonly penalty?: CostPenalty;
}

export const PREDNAS_DEFAULTS = { topStarts: 5, randomStarts: 2, steps: 100, lr: 0.05, logitScale: 3, tau: 1 };

export class PredNas<A> extends PredictorGuidedSearch<A> {
  readonly name = 'prednas';
  readonly cfg: typeof PREDNAS_DEFAULTS;
  readonly penalty: CostPenalty | undefined;
  /** Per round: candidates found along the ascent paths (diagnostics). */
  readonly pathCandidates: number[] = [];

  constructor(ctx: SearchContext<A>, opts: PredNasOptions = {}) {
    super(ctx, opts);
    const defined = Object.fromEntries(Object.entries(opts).filter(([k, v]) => v !== undefined && k in PREDNAS_DEFAULTS));
    this.cfg = { ...PREDNAS_DEFAULTS, ...defined };
    this.penalty = opts.penalty;
    if (this.penalty !== undefined) {
      if (this.space.relaxedCost === undefined) throw new Error(`prednas: space '${this.space.name}' has no relaxedCost, so a '${this.penalty.cost}' penalty cannot be applied (use the hard filter alone)`);
      if (!(this.penalty.target > 0)) throw new Error(`prednas: penalty target must be positive, got ${this.penalty.target}`);
    }
  }

  private starts(): A[] {
    const ranked = [...this.history].sort((a, b) => b.val - a.val);
    const top = ranked.slice(0, this.cfg.topStarts);
    const rest = this.rng.shuffle(ranked.slice(this.cfg.topStarts)).slice(0, this.cfg.randomStarts);
    return [...top, ...rest].map((o) => o.arch);
  }

  /** J(z) summed over the batch of starts (rows are independent, so ∇ of the sum is per row). */
  private objective(z: Tensor): Tensor {
    const tau = this.cfg.tau;
    let j = sum(this.predictor.score(this.space.relax(z, { tau })));
    const p = this.penalty;
    if (p !== undefined) {
      const cost = this.space.relaxedCost!(z, { tau })[p.cost];
      if (cost === undefined) throw new Error(`prednas: space '${this.space.name}' gives no relaxed '${p.cost}' cost`);
      const over = relu(sub(mul(cost, 1 / p.target), 1));
      j = sub(j, mul(sum(mul(over, over)), p.lambda ?? 10));
    }
    return j;
  }

  protected candidates(): A[] {
    const starts = this.starts();
    const S = starts.length, D = this.space.logitDim;
    const z = this.predictor.opts.dtype === 'float64' ? new Float64Array(S * D) : new Float32Array(S * D);
    starts.forEach((a, i) => z.set(this.space.logits(a, this.cfg.logitScale), i * D));
    const m = new Float64Array(S * D), v = new Float64Array(S * D);
    const b1 = 0.9, b2 = 0.999, eps = 1e-8, lr = this.cfg.lr;
    const gradJ = valueAndGrad((zz) => this.objective(zz));
    const out: A[] = [];
    const found = new Set<string>();
    for (let t = 1; t <= this.cfg.steps; t++) {
      const { grads } = gradJ(new Tensor(z, [S, D]));
      const g = grads[0]!.data;
      const c1 = 1 - Math.pow(b1, t), c2 = 1 - Math.pow(b2, t);
      for (let i = 0; i < z.length; i++) {
        // Ascent: move along +∇J.
        m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
        v[i] = b2 * v[i]! + (1 - b2) * g[i]! * g[i]!;
        z[i]! += (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + eps);
      }
      for (let s = 0; s < S; s++) {
        const proj = this.space.project(z.subarray(s * D, (s + 1) * D));
        if (!proj.ok) continue;
        const h = this.space.hash(proj.arch);
        if (found.has(h) || !this.isFresh(proj.arch)) continue;
        found.add(h);
        out.push(proj.arch);
      }
    }
    this.pathCandidates.push(out.length);
    return out;
  }
}
