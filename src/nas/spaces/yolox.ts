/**
 * A YOLOX-style macro search space over CSPDarknet + PAFPN + decoupled head (./yolox-cost.ts),
 * at 640×640 by default, in one of two modes:
 * - `global`: YOLOX's own two multipliers, depth ∈ {0.33, 0.67, 1, 1.33} (1..4 base bottlenecks)
 *   and width ∈ {0.25, 0.375, …, 1.25} (multiples of 1/8, so every channel count is a multiple
 *   of 8); YOLOX-Tiny/S/M/L/X are members (Nano too, with `depthwise`);
 * - `per-stage`: the stem width, the output widths of dark2..dark5, the bottleneck counts of
 *   dark2..dark5, the neck depth and the head width as separate variables, on grids that span
 *   Nano to X (e.g. dark3 width 64..320 in steps of 32, dark3 depth 1..12).
 *
 * Units: `cost().flops` in GFLOPs as the YOLOX README counts them (2 × (multiply-adds + bias adds
 * + 2 per BN element), see yolox-cost.ts), `params` in millions.
 *
 * `relaxedCost` evaluates the same network description on the relaxed values (widths and depths
 * as real numbers, YOLOX's int() halvings dropped, global depth 3·d instead of round(3·d)). The
 * count is a polynomial in widths and depths, so this surrogate is exact at per-stage points
 * whose widths are even and within ~1 % at global points; it serves the soft penalty only, the
 * hard filter uses the exact `cost`.
 */
import { full, type Tensor } from '../../autograd/index.js';
import type { ArchCost } from '../space.js';
import { ChoiceSpace, type ChoiceArch, type RelaxedValues } from './choices.js';
import type { ChoiceVariable } from './choices-vars.js';
import { yoloxConfig, yoloxComplexity, yoloxCount, yoloxGflops, type CountAlgebra, type YoloxConfig, type YoloxShape } from './yolox-cost.js';

export type YoloxMode = 'global' | 'per-stage';

/** Published multipliers (yolox/exp/default/yolox_{nano,tiny,s,m,l,x}.py; Nano is depthwise, Nano/Tiny evaluated at 416). */
export const YOLOX_MODELS: Readonly<Record<string, { readonly depth: number; readonly width: number; readonly depthwise: boolean; readonly inputSize: number }>> = {
  'YOLOX-Nano': { depth: 0.33, width: 0.25, depthwise: true, inputSize: 416 },
  'YOLOX-Tiny': { depth: 0.33, width: 0.375, depthwise: false, inputSize: 416 },
  'YOLOX-S': { depth: 0.33, width: 0.5, depthwise: false, inputSize: 640 },
  'YOLOX-M': { depth: 0.67, width: 0.75, depthwise: false, inputSize: 640 },
  'YOLOX-L': { depth: 1.0, width: 1.0, depthwise: false, inputSize: 640 },
  'YOLOX-X': { depth: 1.33, width: 1.25, depthwise: false, inputSize: 640 },
};

export interface YoloxSpaceOptions {
  readonly mode?: YoloxMode;
  readonly name?: string;
  readonly depthwise?: boolean;
  readonly numClasses?: number;
  readonly inputSize?: number;
  /** Override a variable's declaration (same name), e.g. a narrower width grid. */
  readonly variables?: readonly ChoiceVariable[];
}

const GLOBAL_VARS: ChoiceVariable[] = [
  { type: 'ordinal', name: 'depth', values: [0.33, 0.67, 1, 1.33] },
  { type: 'ordinal', name: 'width', values: [0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1, 1.125, 1.25] },
];

const PER_STAGE_VARS: ChoiceVariable[] = [
  { type: 'int', name: 'stem', min: 16, max: 80, step: 8 },
  { type: 'int', name: 'w2', min: 32, max: 160, step: 16 },
  { type: 'int', name: 'w3', min: 64, max: 320, step: 32 },
  { type: 'int', name: 'w4', min: 128, max: 640, step: 64 },
  { type: 'int', name: 'w5', min: 256, max: 1280, step: 128 },
  { type: 'int', name: 'd2', min: 1, max: 4 },
  { type: 'int', name: 'd3', min: 1, max: 12 },
  { type: 'int', name: 'd4', min: 1, max: 12 },
  { type: 'int', name: 'd5', min: 1, max: 4 },
  { type: 'int', name: 'neck', min: 1, max: 4 },
  { type: 'int', name: 'head', min: 64, max: 320, step: 32 },
];

export function yoloxVariables(mode: YoloxMode, overrides: readonly ChoiceVariable[] = []): ChoiceVariable[] {
  const base = mode === 'global' ? GLOBAL_VARS : PER_STAGE_VARS;
  for (const o of overrides) {
    if (!base.some((v) => v.name === o.name)) throw new Error(`yolox: no variable '${o.name}' to override in ${mode} mode (variables: ${base.map((v) => v.name).join(', ')})`);
  }
  return base.map((v) => overrides.find((o) => o.name === v.name) ?? v);
}

/** The network an architecture of the space denotes. */
export function yoloxConfigOf(arch: ChoiceArch, mode: YoloxMode, fixed: { readonly depthwise?: boolean; readonly numClasses?: number; readonly inputSize?: number } = {}): YoloxConfig {
  const num = (k: string): number => {
    const v = arch[k];
    if (typeof v !== 'number') throw new Error(`yolox: architecture lacks numeric '${k}' (got ${JSON.stringify(v)})`);
    return v;
  };
  if (mode === 'global') return yoloxConfig(num('depth'), num('width'), fixed);
  return {
    stemWidth: num('stem'),
    widths: [num('w2'), num('w3'), num('w4'), num('w5')],
    depths: [num('d2'), num('d3'), num('d4'), num('d5')],
    neckDepth: num('neck'),
    headWidth: num('head'),
    depthwise: fixed.depthwise ?? false,
    numClasses: fixed.numClasses ?? 80,
    inputSize: fixed.inputSize ?? 640,
  };
}

/** Exact cost in the space's units (YOLOX GFLOPs, M params). */
export function yoloxCost(c: YoloxConfig): ArchCost {
  const r = yoloxComplexity(c);
  return { flops: r.gflops, params: r.params / 1e6 };
}

function tensorAlgebra(like: Tensor): CountAlgebra<Tensor> {
  const zero = full(like.shape, 0, { dtype: like.dtype });
  return {
    zero,
    constant: (k) => full(like.shape, k, { dtype: like.dtype }),
    add: (a, b) => a.add(b),
    mul: (a, b) => a.mul(b),
    scale: (a, k) => a.mul(k),
    half: (a) => a.mul(0.5),
  };
}

/** The relaxed network shape of either mode (module comment). */
export function yoloxRelaxedShape(v: RelaxedValues, mode: YoloxMode): YoloxShape<Tensor> {
  const get = (k: string): Tensor => {
    const t = v.get(k);
    if (!t) throw new Error(`yolox surrogate: missing relaxed value '${k}'`);
    return t;
  };
  if (mode === 'global') {
    const d = get('depth').mul(3), w = get('width');
    return { stemWidth: w.mul(64), widths: [w.mul(128), w.mul(256), w.mul(512), w.mul(1024)], depths: [d, d.mul(3), d.mul(3), d], neckDepth: d, headWidth: w.mul(256) };
  }
  return {
    stemWidth: get('stem'),
    widths: [get('w2'), get('w3'), get('w4'), get('w5')],
    depths: [get('d2'), get('d3'), get('d4'), get('d5')],
    neckDepth: get('neck'),
    headWidth: get('head'),
  };
}

export class YoloxSpace extends ChoiceSpace {
  readonly mode: YoloxMode;
  readonly fixed: { readonly depthwise: boolean; readonly numClasses: number; readonly inputSize: number };

  constructor(opts: YoloxSpaceOptions = {}) {
    const mode = opts.mode ?? 'global';
    if (mode !== 'global' && mode !== 'per-stage') throw new Error(`yolox: mode must be 'global' or 'per-stage', got '${String(mode)}'`);
    const fixed = { depthwise: opts.depthwise ?? false, numClasses: opts.numClasses ?? 80, inputSize: opts.inputSize ?? 640 };
    super({
      name: opts.name ?? `yolox-${mode}`,
      variables: yoloxVariables(mode, opts.variables),
      cost: (a) => yoloxCost(yoloxConfigOf(a, mode, fixed)),
      relaxedCost: (values) => {
        const shape = yoloxRelaxedShape(values, mode);
        const r = yoloxCount(tensorAlgebra(shape.stemWidth), shape, fixed);
        return { flops: r.macs.add(r.bnElements.mul(2)).mul(2 / 1e9), params: r.params.div(1e6) };
      },
    });
    this.mode = mode;
    this.fixed = fixed;
  }

  /** The network an architecture denotes. */
  configOf(arch: ChoiceArch): YoloxConfig {
    return yoloxConfigOf(arch, this.mode, this.fixed);
  }
}

export function yoloxSpace(opts: YoloxSpaceOptions = {}): YoloxSpace {
  return new YoloxSpace(opts);
}

export { yoloxGflops };
