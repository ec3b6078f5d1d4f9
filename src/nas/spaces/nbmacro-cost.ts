/**
 * Analytic parameter and MAC counts of the NAS-Bench-Macro network (Su et al., CVPR 2021), derived
 * from the network definition (see the data README) so that constraints and the ascent's penalty
 * need no table, and so that the relaxation's expected cost is exact.
 *
 * Skeleton (CIFAR-10, 32×32 input):
 *   stem   conv3x3(3 → 32) + BN (+ ReLU)
 *   8 layers in stages of 2, 3, 3; the first layer of a stage has stride 2 and doubles the width
 *          (32 → 64 → 128 → 256, resolution 32 → 16 → 8 → 4), the others keep both;
 *   head   conv1x1(256 → 1280) + BN (+ ReLU), global average pool, linear(1280 → 10, with bias)
 * Layer codes: 0 identity (a 1×1 stride-2 conv + BN projection in a stage's first layer, a no-op
 * elsewhere), 1 MB3-K3 and 2 MB6-K5 inverted residuals (1×1 expand + BN, k×k depthwise at the
 * layer's stride + BN, 1×1 project + BN).
 *
 * Conventions (the benchmark's, reproduced exactly for all 6,561 rows by the real-table test):
 * - params: every conv weight (all convs are bias-free), BN γ and β, the linear weight and bias;
 * - flops: multiply-accumulates of every conv (stem included) and the linear layer, for one
 *   32×32 image; BN, ReLU, pooling, residual adds and the bias are not counted.
 * Both are raw counts (not millions), like the table's columns, so `--constraint flops<=40e6`
 * means 40 M MACs.
 *
 * Every layer's input/output widths and resolutions are fixed by its position, whatever the other
 * layers are, so the cost is a constant plus one independent term per (layer, code). Hence the
 * expected cost under independent per-layer softmaxes is exact (`nbmacroRelaxedCost`), and moving
 * a mid-stage identity within its stage (canonicalisation) never changes the cost.
 */
import { add, matmul, reshape, softmax, tensor, type Tensor } from '../../autograd/index.js';

/** Layers per stage, widths after each stage, and the geometry of the network. */
export const NBMACRO_STAGES = [2, 3, 3] as const;
export const NBMACRO_LAYERS = 8;
export const NBMACRO_NUM_OPS = 3;
const STEM_WIDTH = 32;
const INPUT_SIZE = 32;
const HEAD_WIDTH = 1280;
const CLASSES = 10;
/** Expansion ratio and depthwise kernel of codes 1 and 2. */
const INVERTED_RESIDUAL = [null, { t: 3, k: 3 }, { t: 6, k: 5 }] as const;

export interface CostCount {
  readonly params: number;
  readonly flops: number;
}

/** Base cost (stem + head) and per-(layer, code) costs, as exact integers. */
export interface NbMacroCostModel {
  readonly base: CostCount;
  /** perLayer[l][code]. */
  readonly perLayer: readonly (readonly CostCount[])[];
  /** The same, flattened layer-major ([8·3]) for the relaxed cost's matmul. */
  readonly flatParams: Float64Array;
  readonly flatFlops: Float64Array;
}

/** A bias-free conv (optionally depthwise) followed by BN: params incl. BN γ/β, MACs at outSize². */
function convBn(cin: number, cout: number, k: number, outSize: number, depthwise = false): CostCount {
  const weights = depthwise ? cout * k * k : cin * cout * k * k;
  return { params: weights + 2 * cout, flops: weights * outSize * outSize };
}

function sumCost(...xs: CostCount[]): CostCount {
  return xs.reduce((a, b) => ({ params: a.params + b.params, flops: a.flops + b.flops }), { params: 0, flops: 0 });
}

/** Cost of one layer with code `code`, given its in/out widths and in/out resolutions. */
function layerCost(code: number, cin: number, cout: number, inSize: number, outSize: number, first: boolean): CostCount {
  const ir = INVERTED_RESIDUAL[code];
  if (ir === undefined) throw new Error(`nbmacro cost: code ${code} is not 0, 1 or 2`);
  if (ir === null) return first ? convBn(cin, cout, 1, outSize) : { params: 0, flops: 0 };
  const hidden = cin * ir.t;
  return sumCost(convBn(cin, hidden, 1, inSize), convBn(hidden, hidden, ir.k, outSize, true), convBn(hidden, cout, 1, outSize));
}

function buildModel(): NbMacroCostModel {
  const perLayer: CostCount[][] = [];
  let width = STEM_WIDTH, size = INPUT_SIZE;
  for (const n of NBMACRO_STAGES) {
    for (let i = 0; i < n; i++) {
      const first = i === 0;
      const cout = first ? 2 * width : width;
      const outSize = first ? size / 2 : size;
      perLayer.push([0, 1, 2].map((code) => layerCost(code, width, cout, size, outSize, first)));
      width = cout;
      size = outSize;
    }
  }
  const linear = { params: HEAD_WIDTH * CLASSES + CLASSES, flops: HEAD_WIDTH * CLASSES };
  const base = sumCost(convBn(3, STEM_WIDTH, 3, INPUT_SIZE), convBn(width, HEAD_WIDTH, 1, size), linear);
  return {
    base,
    perLayer,
    flatParams: Float64Array.from(perLayer.flat(), (c) => c.params),
    flatFlops: Float64Array.from(perLayer.flat(), (c) => c.flops),
  };
}

/** The one NAS-Bench-Macro cost model (the network has a single variant). */
export const NBMACRO_COST: NbMacroCostModel = buildModel();

/** Params and MACs (raw counts) of eight layer codes. */
export function nbmacroCost(codes: readonly number[]): CostCount {
  if (codes.length !== NBMACRO_LAYERS) throw new Error(`nbmacro cost: expected ${NBMACRO_LAYERS} layer codes, got ${codes.length}`);
  let params = NBMACRO_COST.base.params, flops = NBMACRO_COST.base.flops;
  codes.forEach((c, l) => {
    const t = NBMACRO_COST.perLayer[l]![c];
    if (t === undefined) throw new Error(`nbmacro cost: layer ${l + 1} has code ${c}, expected 0, 1 or 2`);
    params += t.params;
    flops += t.flops;
  });
  return { params, flops };
}

/**
 * Expected params/MACs under per-layer softmax(z/τ) for logits z of shape [B, 24] (layer-major,
 * 3 codes per layer); exact because the cost is a sum of per-layer terms. Differentiable in z.
 */
export function nbmacroRelaxedCost(z: Tensor, tau = 1): { params: Tensor; flops: Tensor } {
  const d = NBMACRO_LAYERS * NBMACRO_NUM_OPS;
  if (z.rank !== 2 || z.shape[1] !== d) throw new Error(`nbmacro relaxedCost: logits must have shape [B, ${d}], got [${z.shape.join(', ')}]`);
  if (!(tau > 0)) throw new Error(`nbmacro relaxedCost: tau must be > 0, got ${tau}`);
  const probs = reshape(softmax(reshape(z, [-1, NBMACRO_LAYERS, NBMACRO_NUM_OPS]).div(tau), -1), [-1, d]);
  const expect = (per: Float64Array, base: number): Tensor => add(reshape(matmul(probs, tensor(per, [d, 1], { dtype: z.dtype })), [-1]), base);
  return { params: expect(NBMACRO_COST.flatParams, NBMACRO_COST.base.params), flops: expect(NBMACRO_COST.flatFlops, NBMACRO_COST.base.flops) };
}
