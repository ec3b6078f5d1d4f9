/**
 * The live RegNet-style space: small residual bottleneck CNNs for 14×14 digits, in the block
 * design of RegNet (Radosavovic et al. 2020, "Designing Network Design Spaces": the X block,
 * 1×1 → grouped 3×3 → 1×1 with batch norm, stride at the 3×3 of a stage's first block, a 1×1
 * projection shortcut when the shape changes) but parameterised per stage as AnyNetX is (the
 * paper's unconstrained space): each of the three stages has its own depth d, width w, group
 * width g and bottleneck ratio b. Scaled to digits: stem 3×3 conv (stride 1, width 16 by
 * default) at full 14×14 resolution, then three stages of stride 2 (14 → 7 → 4 → 2), global
 * average pool and a linear classifier.
 *
 * Grids (defaults): d ∈ 1..3, w ∈ {8, 16, 24, 32, 48, 64}, g ∈ {1, 2, 4, 8} (g = 1 is depthwise),
 * b ∈ {1, 2, 4}. Validity: the bottleneck width w/b must be an integer multiple of g (so the
 * grouped conv has w/b/g groups); this is the space's constraint, as RegNetSpace constrains its
 * stage count, rather than RegNet's silent width adjustment — so every valid architecture is
 * exactly the network it names, and the exact cost below is a polynomial in the variables.
 *
 * Units: `cost().flops` is multiply-accumulates (MACs) of the convolutions and the linear layer
 * for one image, the convention of the RegNet paper's "flops"; batch norm, ReLU, pooling and the
 * residual additions are not counted. `params` counts every trained scalar: conv weights (no
 * conv biases: batch norm follows every conv), batch-norm γ and β, and the classifier's weight and
 * bias (running statistics are buffers, not parameters). Both are tested equal to counts taken
 * from the built network (test/mnist-regnet-space.test.ts).
 *
 * `relaxedCost` evaluates the same polynomial on the relaxed values (ordinal grids interpolated,
 * ./../spaces/choices.ts) with the depth entering linearly — a stage of depth d costs its first
 * block plus (d − 1) further blocks — so it equals the exact cost at every discrete architecture
 * and is smooth in the logits.
 */
import type { Tensor } from '../../autograd/index.js';
import type { ArchCost } from '../space.js';
import { ChoiceSpace, type ChoiceArch, type RelaxedValues } from '../spaces/choices.js';
import type { ChoiceVariable } from '../spaces/choices-vars.js';

export const REGNET_DIGITS_STAGES = 3;

export interface RegNetDigitsOptions {
  readonly name?: string;
  /** Input image side (14 for 2×2-pooled digits). */
  readonly side?: number;
  readonly classes?: number;
  readonly stemWidth?: number;
  readonly depths?: { readonly min: number; readonly max: number };
  readonly widths?: readonly number[];
  readonly groupWidths?: readonly number[];
  readonly bottlenecks?: readonly number[];
}

export const REGNET_DIGITS_DEFAULTS = {
  side: 14,
  classes: 10,
  stemWidth: 16,
  depths: { min: 1, max: 3 },
  widths: [8, 16, 24, 32, 48, 64],
  groupWidths: [1, 2, 4, 8],
  bottlenecks: [1, 2, 4],
} as const;

/** One stage of a network: depth, width, group width, bottleneck ratio. */
export interface RegNetStage {
  readonly depth: number;
  readonly width: number;
  readonly groupWidth: number;
  readonly bottleneck: number;
}

export interface RegNetDigitsConfig {
  readonly side: number;
  readonly classes: number;
  readonly stemWidth: number;
  readonly stages: readonly RegNetStage[];
}

/** Output side of a 3×3/pad 1 or 1×1/pad 0 conv of stride 2 (both give ⌊(h − 1)/2⌋ + 1). */
export const halve = (h: number): number => Math.floor((h - 1) / 2) + 1;

/** Exact MACs and parameters of a configuration (module comment for what is counted). */
export function regnetDigitsCost(c: RegNetDigitsConfig): { flops: number; params: number } {
  let h = c.side, cin = c.stemWidth;
  let flops = 9 * c.stemWidth * h * h;
  let params = 9 * c.stemWidth + 2 * c.stemWidth;
  for (const s of c.stages) {
    const w = s.width, wb = s.width / s.bottleneck, g = s.groupWidth, ho = halve(h);
    const a = ho * ho;
    // First block: 1×1 at the input resolution, strided grouped 3×3, 1×1, projection shortcut.
    flops += cin * wb * h * h + 9 * g * wb * a + wb * w * a + cin * w * a;
    params += cin * wb + 9 * g * wb + wb * w + cin * w + 2 * (2 * wb + 2 * w);
    // Each further block: w → wb → wb → w at the output resolution, identity shortcut.
    const rest = s.depth - 1;
    flops += rest * (w * wb * a + 9 * g * wb * a + wb * w * a);
    params += rest * (2 * w * wb + 9 * g * wb + 2 * (2 * wb + w));
    h = ho;
    cin = w;
  }
  flops += cin * c.classes;
  params += cin * c.classes + c.classes;
  return { flops, params };
}

const STAGE_KEYS = (i: number) => ({ d: `d${i}`, w: `w${i}`, g: `g${i}`, b: `b${i}` });

export class RegNetDigitsSpace extends ChoiceSpace {
  readonly side: number;
  readonly classes: number;
  readonly stemWidth: number;
  // Always present here (the base class's are optional): narrowed for callers and tests.
  declare readonly cost: (arch: ChoiceArch) => ArchCost;
  declare readonly relaxedCost: (z: Tensor, opts?: { readonly tau?: number }) => { readonly params: Tensor; readonly flops: Tensor };

  constructor(opts: RegNetDigitsOptions = {}) {
    const o = {
      side: opts.side ?? REGNET_DIGITS_DEFAULTS.side, classes: opts.classes ?? REGNET_DIGITS_DEFAULTS.classes,
      stemWidth: opts.stemWidth ?? REGNET_DIGITS_DEFAULTS.stemWidth, depths: opts.depths ?? REGNET_DIGITS_DEFAULTS.depths,
      widths: opts.widths ?? REGNET_DIGITS_DEFAULTS.widths, groupWidths: opts.groupWidths ?? REGNET_DIGITS_DEFAULTS.groupWidths,
      bottlenecks: opts.bottlenecks ?? REGNET_DIGITS_DEFAULTS.bottlenecks,
    };
    for (const k of ['side', 'classes', 'stemWidth'] as const) {
      if (!Number.isInteger(o[k]) || o[k] < 1) throw new Error(`RegNetDigitsSpace: ${k} must be a positive integer, got ${o[k]}`);
    }
    const vars: ChoiceVariable[] = [];
    for (let i = 1; i <= REGNET_DIGITS_STAGES; i++) {
      const k = STAGE_KEYS(i);
      vars.push(
        { type: 'int', name: k.d, min: o.depths.min, max: o.depths.max },
        { type: 'ordinal', name: k.w, values: [...o.widths] },
        { type: 'ordinal', name: k.g, values: [...o.groupWidths] },
        { type: 'ordinal', name: k.b, values: [...o.bottlenecks] },
      );
    }
    let self: RegNetDigitsSpace | null = null;
    super({
      name: opts.name ?? 'mnist-regnet',
      variables: vars,
      maxEnumerate: 0,
      constraint: (a) => {
        for (let i = 1; i <= REGNET_DIGITS_STAGES; i++) {
          const k = STAGE_KEYS(i);
          const w = a[k.w] as number, b = a[k.b] as number, g = a[k.g] as number;
          if (w % b !== 0) return `stage ${i}: width ${w} is not a multiple of the bottleneck ratio ${b}`;
          if ((w / b) % g !== 0) return `stage ${i}: bottleneck width ${w}/${b} = ${w / b} is not a multiple of the group width ${g}`;
        }
        return true;
      },
      cost: (a) => self!.exactCost(a),
      relaxedCost: (v) => self!.relaxedFromValues(v),
    });
    self = this;
    this.side = o.side;
    this.classes = o.classes;
    this.stemWidth = o.stemWidth;
  }

  /** The network an architecture names (what the trainer builds). */
  config(arch: ChoiceArch): RegNetDigitsConfig {
    const why = this.invalidReason(arch);
    if (why !== null) throw new Error(`${this.name} config: ${why}`);
    const stages: RegNetStage[] = [];
    for (let i = 1; i <= REGNET_DIGITS_STAGES; i++) {
      const k = STAGE_KEYS(i);
      stages.push({ depth: arch[k.d] as number, width: arch[k.w] as number, groupWidth: arch[k.g] as number, bottleneck: arch[k.b] as number });
    }
    return { side: this.side, classes: this.classes, stemWidth: this.stemWidth, stages };
  }

  /** Short human form, e.g. `stem16 | 2×32 g8 b1 | 1×48 g4 b2 | 3×64 g8 b4`. */
  describe(arch: ChoiceArch): string {
    const c = this.config(arch);
    return [`stem${c.stemWidth}`, ...c.stages.map((s) => `${s.depth}×${s.width} g${s.groupWidth} b${s.bottleneck}`)].join(' | ');
  }

  private exactCost(arch: ChoiceArch): ArchCost {
    return regnetDigitsCost(this.config(arch));
  }

  /** regnetDigitsCost on relaxed values (module comment); each result is [B]. */
  private relaxedFromValues(v: RelaxedValues): { flops: Tensor; params: Tensor } {
    const get = (k: string): Tensor => {
      const t = v.get(k);
      if (!t) throw new Error(`${this.name} relaxedCost: missing relaxed value '${k}'`);
      return t;
    };
    let h = this.side;
    const d1 = get('d1');
    let flops = d1.mul(0).add(9 * this.stemWidth * h * h);
    let params = d1.mul(0).add(11 * this.stemWidth);
    let cin: Tensor | number = this.stemWidth;
    const times = (x: Tensor, y: Tensor | number): Tensor => x.mul(y);
    for (let i = 1; i <= REGNET_DIGITS_STAGES; i++) {
      const k = STAGE_KEYS(i);
      const d = get(k.d), w = get(k.w), g = get(k.g), wb = w.div(get(k.b));
      const ho = halve(h), a = ho * ho;
      const g9wb = g.mul(wb).mul(9);
      const cinWb = times(wb, cin), cinW = times(w, cin), wbW = wb.mul(w);
      flops = flops.add(cinWb.mul(h * h)).add(g9wb.add(wbW).add(cinW).mul(a));
      params = params.add(cinWb.add(g9wb).add(wbW).add(cinW).add(wb.mul(4)).add(w.mul(4)));
      const rest = d.sub(1);
      flops = flops.add(rest.mul(wbW.mul(2).add(g9wb).mul(a)));
      params = params.add(rest.mul(wbW.mul(2).add(g9wb).add(wb.mul(4)).add(w.mul(2))));
      h = ho;
      cin = w;
    }
    const last = cin as Tensor;
    flops = flops.add(last.mul(this.classes));
    params = params.add(last.mul(this.classes)).add(this.classes);
    return { flops, params };
  }
}

export function regnetDigitsSpace(opts: RegNetDigitsOptions = {}): RegNetDigitsSpace {
  return new RegNetDigitsSpace(opts);
}
