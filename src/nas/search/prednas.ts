/**
 * PredNAS (Yuan et al. 2022; our design in ../shared/METHOD.md): treat the trained predictor as a
 * differentiable function of relaxed architecture logits and climb it with Adam from the best
 * (and a few random) evaluated architectures. Every point along every path is projected back to a
 * discrete architecture; fresh, feasible projections become candidates, and the round evaluates
 * the K best by predicted score. Proposing along the whole path (not only the end points) matters:
 * the end points of different starts collapse onto the same predictor optimum.
 */
import type { FloatArray } from '../../autograd/dtype.js';
import { backward, graphMark, releaseGraph, valueAndGrad } from '../../autograd/engine.js';
import { mul, relu, sub, sum } from '../../autograd/ops.js';
import { Tensor } from '../../autograd/tensor.js';
import type { MlpScoreGrad } from '../predictors/mlp-step.js';
import type { SearchContext } from './algorithm.js';
import { fitLinearCost, type FittedCostModel } from './cost-model.js';
import { PredictorGuidedSearch, type PredictorGuidedOptions } from './predictor-guided.js';
import { PREDNAS_DEFAULTS } from '../defaults.js';

export interface CostPenalty {
  /**
   * Which cost to penalise: 'flops'/'params' use the space's analytic relaxedCost; any other name
   * (e.g. 'latency:pixel3') must be one of the search context's `costs`, and is modelled by a
   * linear cost model fitted on a random sample of the space (see cost-model.ts).
   */
  readonly cost: string;
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
  /** λ of the cost penalty, where the penalty does not set its own (in standardised target units). */
  readonly lambda?: number;
  readonly penalty?: CostPenalty;
}

export { PREDNAS_DEFAULTS } from '../defaults.js';

/** Checks of the ascent's options: [name, ok, what it must be]. */
const ASCENT_CHECKS: [keyof typeof PREDNAS_DEFAULTS, (v: number) => boolean, string][] = [
  ['topStarts', (v) => Number.isInteger(v) && v >= 0, 'an integer >= 0'],
  ['randomStarts', (v) => Number.isInteger(v) && v >= 0, 'an integer >= 0'],
  ['steps', (v) => Number.isInteger(v) && v >= 0, 'an integer >= 0 (0: no ascent)'],
  ['lr', (v) => Number.isFinite(v) && v > 0, 'a positive number'],
  ['logitScale', (v) => Number.isFinite(v) && v > 0, 'a positive number'],
  ['tau', (v) => Number.isFinite(v) && v > 0, 'a positive number'],
  ['lambda', (v) => Number.isFinite(v) && v >= 0, 'a number >= 0'],
];

export class PredNas<A> extends PredictorGuidedSearch<A> {
  readonly name: string = 'prednas';
  protected readonly ownSource = 'ascent';
  readonly cfg: typeof PREDNAS_DEFAULTS;
  readonly penalty: CostPenalty | undefined;
  /** Per round: candidates found along the ascent paths (diagnostics). */
  readonly pathCandidates: number[] = [];
  /** The learned cost model of a penalty without a formula (null: analytic or no penalty). */
  readonly costModel: FittedCostModel | null = null;

  constructor(ctx: SearchContext<A>, opts: PredNasOptions = {}) {
    super(ctx, opts);
    const defined = Object.fromEntries(Object.entries(opts).filter(([k, v]) => v !== undefined && k in PREDNAS_DEFAULTS));
    this.cfg = { ...PREDNAS_DEFAULTS, ...defined };
    for (const [k, ok, what] of ASCENT_CHECKS) {
      if (!ok(this.cfg[k])) throw new Error(`prednas: ${k} must be ${what}, got ${this.cfg[k]}`);
    }
    if (this.cfg.steps > 0 && this.cfg.topStarts + this.cfg.randomStarts === 0) throw new Error('prednas: an ascent needs at least one start (topStarts + randomStarts >= 1), got 0');
    this.penalty = opts.penalty;
    const p = this.penalty;
    if (p !== undefined) {
      if (!(p.target > 0)) throw new Error(`prednas: penalty target must be positive, got ${p.target}`);
      const analytic = (p.cost === 'flops' || p.cost === 'params') && this.space.relaxedCost !== undefined;
      if (!analytic) {
        const f = ctx.costs?.[p.cost];
        if (f === undefined) {
          throw new Error(`prednas: no way to penalise '${p.cost}': space '${this.space.name}' has no relaxed ${p.cost} formula and the search context has no '${p.cost}' cost function (known: ${Object.keys(ctx.costs ?? {}).join(', ') || 'none'}); use the hard filter alone`);
        }
        // Its own stream: fitting the cost model must not shift the search's random choices.
        this.costModel = fitLinearCost(this.space, f, { seed: ctx.seed * 104729 + 7, dtype: this.predictor.opts.dtype });
      }
    }
  }

  private starts(): A[] {
    const ranked = this.ranked();
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
      const cost = this.costModel !== null ? this.costModel.relaxed(z, tau) : this.space.relaxedCost!(z, { tau })[p.cost as 'flops' | 'params'];
      if (cost === undefined) throw new Error(`prednas: space '${this.space.name}' gives no relaxed '${p.cost}' cost`);
      const over = relu(sub(mul(cost, 1 / p.target), 1));
      j = sub(j, mul(sum(mul(over, over)), p.lambda ?? this.cfg.lambda));
    }
    return j;
  }

  /** dJ/dz for J = Σ score(relax(z)): the score's gradient from `compiled`, then relax's rules (engine). */
  private relaxGrad(z: FloatArray, S: number, D: number, compiled: MlpScoreGrad): FloatArray {
    const zt = new Tensor(z, [S, D], true);
    const mark = graphMark();
    const flat = this.space.relax(zt, { tau: this.cfg.tau }).flat;
    backward(flat, new Tensor(compiled.inputGrad(flat.data), flat.shape));
    const g = zt.grad!.data;
    releaseGraph(flat, mark);
    return g;
  }

  protected candidates(): A[] {
    if (this.cfg.steps === 0) {
      this.pathCandidates.push(0);
      return [];
    }
    const starts = this.starts();
    const S = starts.length, D = this.space.logitDim;
    const z = this.predictor.opts.dtype === 'float64' ? new Float64Array(S * D) : new Float32Array(S * D);
    starts.forEach((a, i) => z.set(this.space.logits(a, this.cfg.logitScale), i * D));
    const m = new Float64Array(S * D), v = new Float64Array(S * D);
    const b1 = 0.9, b2 = 0.999, eps = 1e-8, lr = this.cfg.lr;
    // The objective keeps none of its tensors: each step's graph serves the next step's buffers.
    const gradJ = valueAndGrad((zz) => this.objective(zz), 0, { release: true });
    // Without a penalty, J is Σ score(relax(z)): the predictor's compiled gradient where it has
    // one, carried back through relax by the engine (the same sweep, so the same bits).
    const compiled = this.penalty === undefined ? this.predictor.compiledScoreGrad(S) : null;
    const out: A[] = [];
    const found = new Set<string>();
    for (let t = 1; t <= this.cfg.steps; t++) {
      const g = compiled !== null ? this.relaxGrad(z, S, D, compiled) : gradJ(new Tensor(z, [S, D])).grads[0]!.data;
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
