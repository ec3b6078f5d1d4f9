/**
 * RegNet (Radosavovic et al., "Designing Network Design Spaces", CVPR 2020, arXiv 2003.13678):
 * from the design parameters (depth d, initial width w0, slope wa, width multiplier wm, group
 * width g, bottleneck ratio b, SE ratio) to quantised per-stage widths and depths, and the exact
 * multiply-add and parameter counts of the resulting ImageNet network.
 *
 * Quantisation (as in the paper, §3.3, and pycls `generate_regnet`):
 *   u_j = w0 + wa·j for blocks j < d;  s_j = round(log(u_j/w0) / log(wm));
 *   w_j = round(w0·wm^s_j / 8)·8;  consecutive blocks of equal width form a stage.
 * Then the group-width compatibility adjustment (pycls `adjust_block_compatibility`): per stage
 * the group width is capped at the bottleneck width w·(1/b), and the bottleneck width is rounded
 * to a multiple of the group width (of lcm(g, 1/b) when 1/b > 1), which may move the stage width.
 * Rounding is half-to-even, as NumPy's and Python's round are, so ties resolve like the reference.
 *
 * Network at 224×224 (the pycls `regnet` model): stem conv3x3/2 (3 → 32) + BN + ReLU; each stage
 * halves the resolution in its first block; X block = 1x1 (w_in → w_b) + BN + ReLU, 3x3 group conv
 * (stride s, w_b/g groups) + BN + ReLU, [Y: SE(w_b, round(se·w_in)) with biases], 1x1 (w_b → w)
 * + BN, with a 1x1/stride conv + BN projection shortcut when the width or resolution changes;
 * head global average pool + fully connected (w → 1000, with bias).
 *
 * Counting conventions (those of pycls's complexity code, which produced the published tables):
 * flops = multiply-adds of convolutions and the classifier (a bias adds w_out once per layer, as
 * pycls counts it; BN, ReLU, pooling and the residual additions are not counted); params = every
 * learnable element incl. both BN affine vectors.
 */

export interface RegNetParams {
  readonly depth: number;
  readonly w0: number;
  readonly wa: number;
  readonly wm: number;
  readonly groupWidth: number;
  /** Bottleneck ratio b = block width / bottleneck width (1 for RegNetX/Y). */
  readonly bottleneck: number;
  /** SE ratio relative to the block's input width (0 = no SE, RegNetY uses 0.25). */
  readonly se: number;
}

export interface RegNetNetwork {
  readonly inputSize: number;
  readonly stemWidth: number;
  readonly numClasses: number;
}

export const REGNET_IMAGENET: RegNetNetwork = { inputSize: 224, stemWidth: 32, numClasses: 1000 };

export interface RegNetStages {
  readonly widths: readonly number[];
  readonly depths: readonly number[];
  /** Per-stage group width after the compatibility adjustment. */
  readonly groupWidths: readonly number[];
  /** Bottleneck multiplier 1/b shared by all stages. */
  readonly bottleneckMul: number;
  /** Stages the quantised widths could reach, max(s_j) + 1 (pycls `total_stages`). */
  readonly totalStages: number;
}

/** Round half to even (NumPy `np.round`, Python 3 `round`). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

export function regnetParamsError(p: RegNetParams): string | null {
  if (!Number.isInteger(p.depth) || p.depth < 1) return `depth must be a positive integer, got ${p.depth}`;
  if (!Number.isInteger(p.w0) || p.w0 <= 0 || p.w0 % 8 !== 0) return `w0 must be a positive multiple of 8, got ${p.w0}`;
  if (!(p.wa >= 0)) return `wa must be ≥ 0, got ${p.wa}`;
  if (!(p.wm > 1)) return `wm must be > 1, got ${p.wm}`;
  if (!Number.isInteger(p.groupWidth) || p.groupWidth < 1) return `group width must be a positive integer, got ${p.groupWidth}`;
  if (!(p.bottleneck > 0)) return `bottleneck ratio must be > 0, got ${p.bottleneck}`;
  if (!(p.se >= 0 && p.se < 1)) return `SE ratio must be in [0, 1), got ${p.se}`;
  return null;
}

/** Quantised per-stage widths and depths, with the group-width compatibility adjustment. */
export function regnetStages(p: RegNetParams): RegNetStages {
  const err = regnetParamsError(p);
  if (err) throw new Error(`regnet: ${err}`);
  const q = 8;
  const all: number[] = [];
  let maxS = 0;
  for (let j = 0; j < p.depth; j++) {
    const u = p.w0 + p.wa * j;
    const s = roundHalfEven(Math.log(u / p.w0) / Math.log(p.wm));
    maxS = Math.max(maxS, s);
    all.push(roundHalfEven((p.w0 * p.wm ** s) / q) * q);
  }
  // np.unique: sorted distinct widths with counts (u_j is non-decreasing, so this is block order).
  const counts = new Map<number, number>();
  for (const w of all) counts.set(w, (counts.get(w) ?? 0) + 1);
  const ws = [...counts.keys()].sort((a, b) => a - b);
  const ds = ws.map((w) => counts.get(w)!);
  const bm = 1 / p.bottleneck;
  const gs: number[] = [];
  const adjusted = ws.map((w) => {
    const v0 = Math.trunc(Math.max(1, w * bm));
    const g = Math.trunc(Math.min(p.groupWidth, v0));
    const m = bm > 1 ? (g * bm) / gcd(g, bm) : g;
    const v = Math.max(m, Math.trunc(roundHalfEven(v0 / m) * m));
    gs.push(g);
    return Math.trunc(v / bm);
  });
  return { widths: adjusted, depths: ds, groupWidths: gs, bottleneckMul: bm, totalStages: maxS + 1 };
}

export interface Complexity {
  /** Multiply-adds (pycls "flops"). */
  readonly flops: number;
  readonly params: number;
}

/** Accumulates pycls-style conv/BN counts while tracking the spatial size. */
class Counter {
  flops = 0;
  params = 0;
  constructor(public hw: number) {}
  conv(wIn: number, wOut: number, k: number, stride: number, groups = 1, bias = false): void {
    const pad = (k - 1) / 2;
    this.hw = Math.floor((this.hw + 2 * pad - k) / stride) + 1;
    this.flops += Math.floor((k * k * wIn * wOut * this.hw * this.hw) / groups) + (bias ? wOut : 0);
    this.params += Math.floor((k * k * wIn * wOut) / groups) + (bias ? wOut : 0);
  }
  bn(w: number): void {
    this.params += 2 * w;
  }
}

/** Exact multiply-adds and parameters of the RegNet defined by `p`. */
export function regnetComplexity(p: RegNetParams, net: RegNetNetwork = REGNET_IMAGENET): Complexity {
  return anynetComplexity(regnetStages(p), p.se, net);
}

/** The same count from explicit stages (AnyNet with X/Y blocks). */
export function anynetComplexity(st: RegNetStages, se: number, net: RegNetNetwork = REGNET_IMAGENET): Complexity {
  const c = new Counter(net.inputSize);
  c.conv(3, net.stemWidth, 3, 2);
  c.bn(net.stemWidth);
  let wPrev = net.stemWidth;
  st.widths.forEach((w, i) => {
    const gw = st.groupWidths[i]!;
    for (let blk = 0; blk < st.depths[i]!; blk++) {
      const stride = blk === 0 ? 2 : 1;
      const wIn = blk === 0 ? wPrev : w;
      const hw = c.hw;
      if (wIn !== w || stride !== 1) {
        c.conv(wIn, w, 1, stride);
        c.bn(w);
        c.hw = hw; // parallel branch
      }
      const wb = roundHalfEven(w * st.bottleneckMul);
      const groups = Math.floor(wb / gw);
      c.conv(wIn, wb, 1, 1);
      c.bn(wb);
      c.conv(wb, wb, 3, stride, groups);
      c.bn(wb);
      if (se > 0) {
        const wSe = roundHalfEven(wIn * se);
        const hw2 = c.hw;
        c.hw = 1;
        c.conv(wb, wSe, 1, 1, 1, true);
        c.conv(wSe, wb, 1, 1, 1, true);
        c.hw = hw2;
      }
      c.conv(wb, w, 1, 1);
      c.bn(w);
    }
    wPrev = w;
  });
  c.hw = 1;
  c.conv(wPrev, net.numClasses, 1, 1, 1, true);
  return { flops: c.flops, params: c.params };
}
