/**
 * A RegNet-style macro search space (Radosavovic et al. 2020): an architecture is one RegNet
 * design point (d, w0, wa, wm, g, b, SE ratio); the network it denotes is the quantised
 * four-stage network of ./regnet-cost.ts, with exact FLOPs/params for 224×224 ImageNet.
 *
 * Default variable ranges follow the paper's design space as restricted for RegNetX/Y (§3.3–§4:
 * w0, wa < 256; 12 ≤ d ≤ 28; wm ≥ 2 — the published RegNetX/Y use wm in [2.09, 2.65]), AnyNetX's
 * bottleneck ratios b ∈ {1, 2, 4} and group widths (extended with 24, which several published
 * models use), and SE ratio 0 (X) or 0.25 (Y). Grids: w0 in multiples of 8 on a geometric grid,
 * wa geometric with 24 points (2 decimals), wm in steps of 0.05. Every option is overridable.
 *
 * Validity: like the paper's sampler, only design points whose quantised widths form exactly
 * four stages are architectures of the space (the constraint of the underlying ChoiceSpace).
 *
 * Units: `cost().flops` is multiply-adds in millions (the "MF" of RegNetX-400MF), `params` in
 * millions.
 *
 * `relaxedCost` is a smooth *surrogate*, only for the soft constraint penalty: the quantisation
 * (round to stages, multiples of 8, group compatibility) is not differentiable, so it evaluates
 * the unquantised formula on the relaxed values — block j < d (a partial block for fractional
 * d) has width u_j = w0 + wa·j, bottleneck u_j/b, continuous stage index s_j = log(u_j/w0)/log wm
 * and spatial size 56·2^(−s_j) — and, by default, multiplies each row by a constant (no gradient)
 * calibration factor exact(a*)/surrogate(logits(a*)) where a* is the row's projection, so the
 * penalty equals the exact cost at every discrete architecture. Hard filtering always uses the
 * exact `cost`.
 */
import { full, noGrad, tensor, type Tensor } from '../../autograd/index.js';
import type { ArchCost } from '../space.js';
import { ChoiceSpace, type ChoiceArch, type RelaxedValues } from './choices.js';
import type { ChoiceVariable } from './choices-vars.js';
import { REGNET_IMAGENET, regnetComplexity, regnetStages, type RegNetNetwork, type RegNetParams } from './regnet-cost.js';

/**
 * Published RegNetX/Y configurations (pycls `configs/dds_baselines/regnet{x,y}/*.yaml`,
 * facebookresearch/pycls; BOT_MUL 1.0, SE_R 0.25 when SE_ON).
 */
export const REGNET_MODELS: Readonly<Record<string, RegNetParams>> = {
  'RegNetX-200MF': { depth: 13, w0: 24, wa: 36.44, wm: 2.49, groupWidth: 8, bottleneck: 1, se: 0 },
  'RegNetX-400MF': { depth: 22, w0: 24, wa: 24.48, wm: 2.54, groupWidth: 16, bottleneck: 1, se: 0 },
  'RegNetX-600MF': { depth: 16, w0: 48, wa: 36.97, wm: 2.24, groupWidth: 24, bottleneck: 1, se: 0 },
  'RegNetX-800MF': { depth: 16, w0: 56, wa: 35.73, wm: 2.28, groupWidth: 16, bottleneck: 1, se: 0 },
  'RegNetX-1.6GF': { depth: 18, w0: 80, wa: 34.01, wm: 2.25, groupWidth: 24, bottleneck: 1, se: 0 },
  'RegNetY-200MF': { depth: 13, w0: 24, wa: 36.44, wm: 2.49, groupWidth: 8, bottleneck: 1, se: 0.25 },
  'RegNetY-400MF': { depth: 16, w0: 48, wa: 27.89, wm: 2.09, groupWidth: 8, bottleneck: 1, se: 0.25 },
  'RegNetY-600MF': { depth: 15, w0: 48, wa: 32.54, wm: 2.32, groupWidth: 16, bottleneck: 1, se: 0.25 },
  'RegNetY-800MF': { depth: 14, w0: 56, wa: 38.84, wm: 2.4, groupWidth: 16, bottleneck: 1, se: 0.25 },
  'RegNetY-1.6GF': { depth: 27, w0: 48, wa: 20.71, wm: 2.65, groupWidth: 24, bottleneck: 1, se: 0.25 },
};

const round2 = (x: number): number => Math.round(x * 100) / 100;
const geometric = (lo: number, hi: number, n: number): number[] => Array.from({ length: n }, (_, k) => round2(lo * (hi / lo) ** (k / (n - 1))));
const arith = (lo: number, hi: number, step: number): number[] => Array.from({ length: Math.round((hi - lo) / step) + 1 }, (_, k) => round2(lo + k * step));

export interface RegNetSpaceOptions {
  readonly name?: string;
  readonly depth?: { readonly min: number; readonly max: number };
  readonly w0?: { readonly min: number; readonly max: number; readonly steps?: number };
  readonly wa?: readonly number[];
  readonly wm?: readonly number[];
  readonly groupWidth?: readonly number[];
  readonly bottleneck?: readonly number[];
  readonly se?: readonly number[];
  /** Number of stages the quantised widths must form (default 4, as in the paper). */
  readonly stages?: number;
  readonly network?: RegNetNetwork;
  /** Scale the surrogate to the exact cost at each row's projection (default true). */
  readonly calibrate?: boolean;
}

export function regnetVariables(o: RegNetSpaceOptions = {}): ChoiceVariable[] {
  return [
    { type: 'int', name: 'depth', min: o.depth?.min ?? 12, max: o.depth?.max ?? 28 },
    { type: 'log-int', name: 'w0', min: o.w0?.min ?? 8, max: o.w0?.max ?? 256, steps: o.w0?.steps ?? 16, multipleOf: 8 },
    { type: 'ordinal', name: 'wa', values: o.wa ?? geometric(8, 256, 24) },
    { type: 'ordinal', name: 'wm', values: o.wm ?? arith(2, 3, 0.05) },
    { type: 'ordinal', name: 'g', values: o.groupWidth ?? [1, 2, 4, 8, 16, 24, 32] },
    { type: 'ordinal', name: 'b', values: o.bottleneck ?? [1, 2, 4] },
    { type: 'ordinal', name: 'se', values: o.se ?? [0, 0.25] },
  ];
}

/** The RegNet design parameters an architecture of the space denotes. */
export function regnetParamsOf(arch: ChoiceArch): RegNetParams {
  const num = (k: string): number => {
    const v = arch[k];
    if (typeof v !== 'number') throw new Error(`regnet: architecture lacks numeric '${k}' (got ${JSON.stringify(v)})`);
    return v;
  };
  return { depth: num('depth'), w0: num('w0'), wa: num('wa'), wm: num('wm'), groupWidth: num('g'), bottleneck: num('b'), se: num('se') };
}

/** Exact cost in the space's units: MF multiply-adds and M params. */
export function regnetCost(p: RegNetParams, net: RegNetNetwork = REGNET_IMAGENET): ArchCost {
  const c = regnetComplexity(p, net);
  return { flops: c.flops / 1e6, params: c.params / 1e6 };
}

/** The unquantised surrogate (module comment), in MF and M params, per row of relaxed values. */
export function regnetSurrogate(v: RelaxedValues, maxDepth: number, stages = 4, net: RegNetNetwork = REGNET_IMAGENET): { flops: Tensor; params: Tensor } {
  const get = (k: string): Tensor => {
    const t = v.get(k);
    if (!t) throw new Error(`regnet surrogate: missing relaxed value '${k}'`);
    return t;
  };
  const d = get('depth'), w0 = get('w0'), wa = get('wa'), g = get('g'), b = get('b'), se = get('se');
  const hw0 = Math.floor((net.inputSize - 1) / 2) + 1; // after the stride-2 stem
  const a0 = (hw0 / 2) ** 2; // area of the first stage
  const stemFlops = 27 * net.stemWidth * hw0 * hw0;
  const stemParams = 27 * net.stemWidth + 2 * net.stemWidth;
  // Continuous stage rank in [0, stages−1]: log-width position between the first and last block.
  // (The raw s_j = log(u_j/w0)/log wm would skip ranks when wa ≫ w0, e.g. s ∈ {0, 5, 6, 7} for a
  // network that still has 4 stages and 3 downsamplings; wm itself cancels, as it should once the
  // stage count is fixed: it only moves where the quantised widths fall.)
  const logSpan = w0.add(wa.mul(d.sub(1))).div(w0).log().maximum(1e-6);
  let flops = full(d.shape, stemFlops, { dtype: d.dtype });
  let params = full(d.shape, stemParams, { dtype: d.dtype });
  for (let j = 0; j < maxDepth; j++) {
    const present = d.sub(j).maximum(0).minimum(1);
    const u = w0.add(wa.mul(j));
    const rank = u.div(w0).log().div(logSpan).minimum(1).mul(stages - 1);
    const area = rank.mul(-Math.log(4)).exp().mul(a0);
    const wb = u.div(b);
    // 1x1 in + 1x1 out (2·u·wb), 3x3 group conv (9·wb·g), SE (2·wb·se·u), BN (2 per channel of wb, wb, u).
    const perPixel = u.mul(wb).mul(2).add(wb.mul(g).mul(9));
    const seTerm = wb.mul(se).mul(u).mul(2);
    flops = flops.add(present.mul(perPixel.mul(area).add(seTerm)));
    params = params.add(present.mul(perPixel.add(seTerm).add(wb.mul(4)).add(u.mul(2))));
  }
  const wLast = w0.add(wa.mul(d.sub(1)));
  const head = wLast.mul(net.numClasses).add(net.numClasses);
  return { flops: flops.add(head).div(1e6), params: params.add(head).div(1e6) };
}

export class RegNetSpace extends ChoiceSpace {
  readonly network: RegNetNetwork;
  readonly stages: number;

  constructor(opts: RegNetSpaceOptions = {}) {
    const stages = opts.stages ?? 4;
    const net = opts.network ?? REGNET_IMAGENET;
    const vars = regnetVariables(opts);
    const depthVar = vars[0] as { max: number };
    const calibrate = opts.calibrate ?? true;
    let self: RegNetSpace | null = null;
    super({
      name: opts.name ?? 'regnet',
      variables: vars,
      constraint: (a) => {
        const n = regnetStages(regnetParamsOf(a)).widths.length;
        return n === stages || `its quantised widths form ${n} stage(s), not ${stages}`;
      },
      cost: (a) => regnetCost(regnetParamsOf(a), net),
      relaxedCost: (values, z) => {
        const s = regnetSurrogate(values, depthVar.max, stages, net);
        return calibrate && self ? self.calibrated(s, z) : s;
      },
    });
    self = this;
    this.network = net;
    this.stages = stages;
  }

  /** Row-wise exact/surrogate ratio at each row's projection (held constant for the gradient). */
  private calibrated(s: { flops: Tensor; params: Tensor }, z: Tensor): { flops: Tensor; params: Tensor } {
    const rows = z.shape[0]!;
    const fr = new Float64Array(rows).fill(1);
    const pr = new Float64Array(rows).fill(1);
    noGrad(() => {
      const zs = z.toArray();
      for (let r = 0; r < rows; r++) {
        const p = this.project(zs.slice(r * this.logitDim, (r + 1) * this.logitDim));
        if (!p.ok) continue; // no valid discrete point: the raw surrogate
        const exact = this.cost!(p.arch);
        const at = regnetSurrogate(this.relaxedValues(tensor(this.logits(p.arch), [1, this.logitDim], { dtype: 'float64' })), (this.variables[0]!.decl as { max: number }).max, this.stages, this.network);
        fr[r] = exact.flops! / at.flops.item();
        pr[r] = exact.params! / at.params.item();
      }
    });
    return { flops: s.flops.mul(tensor(fr, [rows], { dtype: s.flops.dtype })), params: s.params.mul(tensor(pr, [rows], { dtype: s.params.dtype })) };
  }
}

export function regnetSpace(opts: RegNetSpaceOptions = {}): RegNetSpace {
  return new RegNetSpace(opts);
}
