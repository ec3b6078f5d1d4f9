/**
 * YOLOX (Ge et al., "YOLOX: Exceeding YOLO Series in 2021", arXiv 2107.08430) as a parametric
 * network, with exact multiply-add and parameter counts. The structure is that of the Megvii
 * reference implementation (Megvii-BaseDetection/YOLOX, yolox/models/{darknet,network_blocks,
 * yolo_pafpn,yolo_head}.py), generalised from the two global multipliers to per-stage widths and
 * depths:
 *
 *   backbone (CSPDarknet)  Focus: space-to-depth (3 → 12 channels, half resolution) + BaseConv3x3
 *                          → stem width; dark2..dark5: Conv3x3/2 then a CSP layer with n_k
 *                          bottlenecks (dark5: Conv3x3/2, SPP(5, 9, 13), CSP without shortcut);
 *   neck (PAFPN)           top-down and bottom-up paths over dark3/dark4/dark5 with CSP layers of
 *                          `neckDepth` bottlenecks (no shortcut);
 *   head (decoupled)       per level: 1x1 stem to the head width, two 3x3 convs for the class
 *                          branch and two for the box branch, 1x1 predictors (classes, 4 box, 1
 *                          objectness) with biases.
 * BaseConv = conv (no bias) + BN + SiLU; CSP layer (C3): hidden = ⌊c_out/2⌋, two 1x1 convs c_in →
 * hidden, n bottlenecks (1x1 then 3x3 at the hidden width), 1x1 conv 2·hidden → c_out. With
 * `depthwise` (YOLOX-Nano), every 3x3 "Conv" is a depthwise 3x3 BaseConv + 1x1 BaseConv.
 *
 * Counting. The YOLOX README's "GFLOPs" come from yolox/utils/model_utils.py `get_model_info`:
 * thop's `profile` count at 64×64, scaled to the test size and multiplied by 2. thop counts, per
 * output element, cin/groups·k² multiply-adds for a convolution (+1 with a bias) and 2 for a
 * BatchNorm; SiLU, max-pooling, nearest upsampling and concatenations count 0. So
 *   gflops = 2 · (conv multiply-adds + bias adds + 2 · BN elements) / 1e9,
 * i.e. neither plain MACs nor 2·MACs: BN adds 0.1–0.2 % for YOLOX-S..X and ~3 % for the
 * depthwise Nano. `macs` alone is also exposed. Params: all learnable elements incl. BN affine
 * vectors (thop's count, as the README's).
 */

export interface YoloxConfig {
  /** Focus output width (= int(64·width) in YOLOX). */
  readonly stemWidth: number;
  /** Output widths of dark2..dark5 (YOLOX: stem·2, ·4, ·8, ·16). */
  readonly widths: readonly [number, number, number, number];
  /** CSP bottlenecks in dark2..dark5 (YOLOX: d, 3d, 3d, d with d = max(round(3·depth), 1)). */
  readonly depths: readonly [number, number, number, number];
  /** CSP bottlenecks in each of the four neck CSP layers (YOLOX: round(3·depth)). */
  readonly neckDepth: number;
  /** Head width (YOLOX: int(256·width)). */
  readonly headWidth: number;
  readonly depthwise: boolean;
  readonly numClasses: number;
  readonly inputSize: number;
}

/** Python 3 round (half to even). */
function pyRound(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The YOLOX network of global depth/width multipliers (as yolox/exp/yolox_base.py builds it). */
export function yoloxConfig(depth: number, width: number, opts: { readonly depthwise?: boolean; readonly numClasses?: number; readonly inputSize?: number } = {}): YoloxConfig {
  if (!(depth > 0) || !(width > 0)) throw new Error(`yolox: depth and width multipliers must be > 0, got ${depth}, ${width}`);
  const base = Math.trunc(64 * width);
  const d = Math.max(pyRound(3 * depth), 1);
  // The neck sizes its layers from int(c·width) for c in (256, 512, 1024); equal to base·4/8/16
  // for every multiple of 1/64, which the published multipliers are.
  const w = (c: number): number => Math.trunc(c * width);
  return {
    stemWidth: base,
    widths: [base * 2, w(256), w(512), w(1024)],
    depths: [d, 3 * d, 3 * d, d],
    neckDepth: pyRound(3 * depth),
    headWidth: w(256),
    depthwise: opts.depthwise ?? false,
    numClasses: opts.numClasses ?? 80,
    inputSize: opts.inputSize ?? 640,
  };
}

export function yoloxConfigError(c: YoloxConfig): string | null {
  const posInt = (x: number) => Number.isInteger(x) && x >= 1;
  if (!posInt(c.stemWidth)) return `stem width must be a positive integer, got ${c.stemWidth}`;
  for (let i = 0; i < 4; i++) {
    if (!posInt(c.widths[i]!)) return `width of dark${i + 2} must be a positive integer, got ${c.widths[i]}`;
    if (!Number.isInteger(c.depths[i]) || c.depths[i]! < 0) return `depth of dark${i + 2} must be an integer ≥ 0, got ${c.depths[i]}`;
  }
  if (!Number.isInteger(c.neckDepth) || c.neckDepth < 0) return `neck depth must be an integer ≥ 0, got ${c.neckDepth}`;
  if (!posInt(c.headWidth)) return `head width must be a positive integer, got ${c.headWidth}`;
  if (!posInt(c.numClasses)) return `class count must be a positive integer, got ${c.numClasses}`;
  if (!posInt(c.inputSize) || c.inputSize % 32 !== 0) return `input size must be a positive multiple of 32, got ${c.inputSize}`;
  return null;
}

export interface YoloxComplexity {
  /** Convolution multiply-adds, plus one add per output element of a biased convolution. */
  readonly macs: number;
  /** BatchNorm output elements (thop charges 2 operations each). */
  readonly bnElements: number;
  /** The YOLOX README's "GFLOPs": 2 × (macs + 2·bnElements) / 1e9. */
  readonly gflops: number;
  readonly params: number;
}

/**
 * The arithmetic the count is written in, so that one description of the network serves both
 * the exact count (numbers) and the differentiable surrogate (tensors, see ./yolox.ts).
 */
export interface CountAlgebra<T> {
  readonly zero: T;
  constant(k: number): T;
  add(a: T, b: T): T;
  mul(a: T, b: T): T;
  scale(a: T, k: number): T;
  /** Half a channel count, rounded down (YOLOX's int(c·0.5)); continuous for the surrogate. */
  half(a: T): T;
}

export const NUMBER_ALGEBRA: CountAlgebra<number> = {
  zero: 0,
  constant: (k) => k,
  add: (a, b) => a + b,
  mul: (a, b) => a * b,
  scale: (a, k) => a * k,
  half: (a) => Math.trunc(a * 0.5),
};

/** Per-layer accumulation of multiply-adds, BN elements and parameters. */
class Counter<T> {
  macs: T;
  params: T;
  bnElems: T;
  constructor(private readonly A: CountAlgebra<T>, private readonly depthwise: boolean) {
    this.macs = this.params = this.bnElems = A.zero;
  }
  /** Conv + BN (or conv with bias) at input size hw; `dw` = depthwise (groups = cin = cout). Returns the output size. */
  conv(hw: number, cin: T, cout: T, k: number, s: number, opts: { dw?: boolean; bias?: boolean } = {}): number {
    const A = this.A;
    const pad = (k - 1) >> 1;
    const out = Math.floor((hw + 2 * pad - k) / s) + 1;
    const weights = opts.dw ? A.scale(cout, k * k) : A.scale(A.mul(cin, cout), k * k);
    this.macs = A.add(this.macs, A.scale(opts.bias ? A.add(weights, cout) : weights, out * out));
    this.params = A.add(this.params, A.add(weights, A.scale(cout, opts.bias ? 1 : 2))); // bias, or BN's two vectors
    if (!opts.bias) this.bnElems = A.add(this.bnElems, A.scale(cout, out * out)); // every bias-free conv is followed by a BN
    return out;
  }
  /** YOLOX's `Conv`: BaseConv, or depthwise + pointwise BaseConvs. */
  conv3(hw: number, cin: T, cout: T, s: number): number {
    if (!this.depthwise) return this.conv(hw, cin, cout, 3, s);
    const out = this.conv(hw, cin, cin, 3, s, { dw: true });
    return this.conv(out, cin, cout, 1, 1);
  }
  csp(hw: number, cin: T, cout: T, n: T): void {
    const A = this.A;
    const h = A.half(cout);
    this.conv(hw, cin, h, 1, 1);
    this.conv(hw, cin, h, 1, 1);
    // n bottlenecks of (1x1, Conv3x3) at the hidden width: linear in n, so n may be continuous.
    const one = new Counter(A, this.depthwise);
    one.conv(hw, h, h, 1, 1);
    one.conv3(hw, h, h, 1);
    this.macs = A.add(this.macs, A.mul(one.macs, n));
    this.params = A.add(this.params, A.mul(one.params, n));
    this.bnElems = A.add(this.bnElems, A.mul(one.bnElems, n));
    this.conv(hw, A.scale(h, 2), cout, 1, 1);
  }
}

/** Channel widths and depths of a network in some algebra (numbers, or relaxed tensors). */
export interface YoloxShape<T> {
  readonly stemWidth: T;
  readonly widths: readonly [T, T, T, T];
  readonly depths: readonly [T, T, T, T];
  readonly neckDepth: T;
  readonly headWidth: T;
}

/** Multiply-adds, BN elements and params of a YOLOX network, in any count algebra. */
export function yoloxCount<T>(A: CountAlgebra<T>, c: YoloxShape<T>, fixed: { readonly depthwise: boolean; readonly numClasses: number; readonly inputSize: number }): { macs: T; bnElements: T; params: T } {
  const k = new Counter(A, fixed.depthwise);
  const [w2, w3, w4, w5] = c.widths;
  const lit = (x: number): T => A.constant(x);
  let hw = k.conv(fixed.inputSize / 2, lit(12), c.stemWidth, 3, 1); // Focus
  hw = k.conv3(hw, c.stemWidth, w2, 2);
  k.csp(hw, w2, w2, c.depths[0]);
  const h3 = (hw = k.conv3(hw, w2, w3, 2));
  k.csp(hw, w3, w3, c.depths[1]);
  const h4 = (hw = k.conv3(hw, w3, w4, 2));
  k.csp(hw, w4, w4, c.depths[2]);
  const h5 = (hw = k.conv3(hw, w4, w5, 2));
  const hs = A.half(w5); // SPP hidden; the pools cost nothing
  k.conv(h5, w5, hs, 1, 1);
  k.conv(h5, A.scale(hs, 4), w5, 1, 1);
  k.csp(h5, w5, w5, c.depths[3]);
  // PAFPN
  k.conv(h5, w5, w4, 1, 1); // lateral_conv0
  k.csp(h4, A.scale(w4, 2), w4, c.neckDepth); // C3_p4
  k.conv(h4, w4, w3, 1, 1); // reduce_conv1
  k.csp(h3, A.scale(w3, 2), w3, c.neckDepth); // C3_p3
  k.conv3(h3, w3, w3, 2); // bu_conv2
  k.csp(h4, A.scale(w3, 2), w4, c.neckDepth); // C3_n3
  k.conv3(h4, w4, w4, 2); // bu_conv1
  k.csp(h5, A.scale(w4, 2), w5, c.neckDepth); // C3_n4
  // Decoupled head
  const hd = c.headWidth;
  for (const [cin, h] of [[w3, h3], [w4, h4], [w5, h5]] as const) {
    k.conv(h, cin, hd, 1, 1);
    for (let b = 0; b < 4; b++) k.conv3(h, hd, hd, 1);
    k.conv(h, hd, lit(fixed.numClasses), 1, 1, { bias: true });
    k.conv(h, hd, lit(4), 1, 1, { bias: true });
    k.conv(h, hd, lit(1), 1, 1, { bias: true });
  }
  return { macs: k.macs, bnElements: k.bnElems, params: k.params };
}

/** Exact multiply-adds and parameters of a YOLOX network. */
export function yoloxComplexity(c: YoloxConfig): YoloxComplexity {
  const err = yoloxConfigError(c);
  if (err) throw new Error(`yolox: ${err}`);
  const r = yoloxCount(NUMBER_ALGEBRA, c, c);
  return { macs: r.macs, bnElements: r.bnElements, gflops: yoloxGflops(r.macs, r.bnElements), params: r.params };
}

/** The YOLOX README's GFLOPs from multiply-adds and BN elements (module comment). */
export function yoloxGflops(macs: number, bnElements: number): number {
  return (2 * (macs + 2 * bnElements)) / 1e9;
}
