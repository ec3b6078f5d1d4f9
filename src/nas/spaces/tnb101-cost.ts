/**
 * Analytic encoder cost of the TransNAS-Bench-101 macro networks (Duan et al., CVPR 2021), from
 * the MacroNet definition (see the data README), to the convention of the shared table's
 * `encoder_params` / `encoder_macs_224` columns (reproduced for all 3,256 rows by the real-table
 * test):
 * - params: every conv weight (all bias-free) plus BN γ and β; no task head or decoder;
 * - flops: conv multiply-accumulates for one 224×224 RGB image (BN, ReLU, adds not counted);
 *   raw counts, so `--constraint flops<=2e9` means 2 G MACs. The jigsaw task runs the encoder on
 *   64×64 tiles; this is the 224×224 count regardless (the table's convention).
 *
 * Network: stem conv3x3/2 (3 → 32) + BN, ReLU-conv3x3/2 (32 → 64) + BN; then 4–6 modules, each two
 * ResNet basic blocks (ReLU-conv3x3-BN twice; a 1×1 conv + BN projection on the shortcut when the
 * stride or width changes). Module code 1 keeps shape, 2 doubles the channels, 3 halves the
 * resolution (stride 2 in the first block), 4 does both. Spatial sizes follow the conv formula
 * (3×3, padding 1, stride 2: n → ⌊(n − 1)/2⌋ + 1), so 56 → 28 → 14 → 7 → 4.
 *
 * A module's cost depends on the state it starts in (channel doublings d and downsamplings s so
 * far), so the relaxed cost is an exact expectation over that state: a forward pass of the state
 * distribution through the slots (`tnb101RelaxedCost`).
 */
import { matmul, mul, reshape, softmax, sum, tensor, add, concat, type Tensor } from '../../autograd/index.js';

export const TNB101_BASE_CHANNELS = 64;
const STEM_MID = 32;
const INPUT = 224;
/** States d, s ∈ 0..MAX_STATE (6 modules at most; the relaxation may visit invalid counts). */
const MAX_STATE = 6;
const N_STATES = (MAX_STATE + 1) * (MAX_STATE + 1);

export interface CostCount {
  readonly params: number;
  readonly flops: number;
}

function convBn(cin: number, cout: number, k: number, out: number): CostCount {
  const w = cin * cout * k * k;
  return { params: w + 2 * cout, flops: w * out * out };
}

function plus(a: CostCount, b: CostCount): CostCount {
  return { params: a.params + b.params, flops: a.flops + b.flops };
}

const strided = (n: number) => Math.floor((n - 1) / 2) + 1;

/** Feature size after the stem and after each further downsampling: 56, 28, 14, 7, 4, 2, 1. */
export const TNB101_SIZES: readonly number[] = (() => {
  const out = [strided(strided(INPUT))];
  for (let s = 1; s <= MAX_STATE; s++) out.push(strided(out[s - 1]!));
  return out;
})();

export const TNB101_STEM_COST: CostCount = plus(convBn(3, STEM_MID, 3, strided(INPUT)), convBn(STEM_MID, TNB101_BASE_CHANNELS, 3, TNB101_SIZES[0]!));

/** Cost of one module (two basic blocks) with `code` 1..4 starting after d doublings and s downsamplings. */
export function tnb101ModuleCost(code: number, d: number, s: number): CostCount {
  if (!(code >= 1 && code <= 4 && Number.isInteger(code))) throw new Error(`tnb101 cost: module code ${code} is not 1..4`);
  const cin = TNB101_BASE_CHANNELS * 2 ** d;
  const cout = code % 2 === 0 ? 2 * cin : cin;
  const down = code >= 3;
  const out = TNB101_SIZES[Math.min(s + (down ? 1 : 0), MAX_STATE)]!;
  let c = plus(convBn(cin, cout, 3, out), convBn(cout, cout, 3, out));
  if (down || cin !== cout) c = plus(c, convBn(cin, cout, 1, out));
  return plus(c, plus(convBn(cout, cout, 3, out), convBn(cout, cout, 3, out)));
}

/** Encoder params and MACs of a module-code sequence (raw counts). */
export function tnb101Cost(codes: readonly number[]): CostCount {
  let c = TNB101_STEM_COST, d = 0, s = 0;
  for (const code of codes) {
    c = plus(c, tnb101ModuleCost(code, d, s));
    if (code % 2 === 0) d++;
    if (code >= 3) s++;
  }
  return c;
}

const stateOf = (d: number, s: number) => d * (MAX_STATE + 1) + s;

/**
 * Per option of a slot (index 0 = "no module" where the slot is optional, then codes 1..4): the
 * [N_STATES, options·N_STATES] transition matrix and the [N_STATES, options] cost matrices, so
 * that P·T gives the next-state mass per option and P·C the expected cost per option.
 */
function slotMatrices(codes: readonly (number | null)[]): { trans: Float64Array; params: Float64Array; flops: Float64Array } {
  const k = codes.length;
  const trans = new Float64Array(N_STATES * k * N_STATES);
  const params = new Float64Array(N_STATES * k), flops = new Float64Array(N_STATES * k);
  for (let d = 0; d <= MAX_STATE; d++) {
    for (let s = 0; s <= MAX_STATE; s++) {
      const from = stateOf(d, s);
      codes.forEach((code, o) => {
        // An absent module keeps the state and costs nothing; counts saturate at MAX_STATE.
        const nd = code === null ? d : Math.min(MAX_STATE, d + (code % 2 === 0 ? 1 : 0));
        const ns = code === null ? s : Math.min(MAX_STATE, s + (code >= 3 ? 1 : 0));
        trans[from * k * N_STATES + o * N_STATES + stateOf(nd, ns)] = 1;
        if (code !== null) {
          const c = tnb101ModuleCost(code, d, s);
          params[from * k + o] = c.params;
          flops[from * k + o] = c.flops;
        }
      });
    }
  }
  return { trans, params, flops };
}

const REQUIRED_SLOT = slotMatrices([1, 2, 3, 4]);
const OPTIONAL_SLOT = slotMatrices([null, 1, 2, 3, 4]);

/**
 * Expected encoder params/MACs when each slot's option is drawn independently from its softmax.
 * `probs` holds one [B, k] probability tensor per slot (k = 4 for the required slots 1–4, 5 for
 * the optional slots 5–6 with "no module" first). Exact for this product distribution (an absent
 * module followed by a present one is costed as if the gap were closed); equal to `tnb101Cost` at
 * one-hot probabilities. Differentiable in the probabilities.
 */
export function tnb101ExpectedCost(probs: readonly Tensor[]): { params: Tensor; flops: Tensor } {
  const first = probs[0];
  if (first === undefined) throw new Error('tnb101 relaxedCost: no slots');
  const b = first.shape[0]!;
  const o = { dtype: first.dtype };
  const start = new Float64Array(N_STATES);
  start[stateOf(0, 0)] = 1;
  let state: Tensor = tensor(start, [1, N_STATES], o).broadcastTo([b, N_STATES]);
  let params: Tensor = tensor(new Float64Array(b).fill(TNB101_STEM_COST.params), [b], o);
  let flops: Tensor = tensor(new Float64Array(b).fill(TNB101_STEM_COST.flops), [b], o);
  for (const p of probs) {
    const k = p.shape[1]!;
    const m = k === 4 ? REQUIRED_SLOT : k === 5 ? OPTIONAL_SLOT : null;
    if (m === null) throw new Error(`tnb101 relaxedCost: a slot has ${k} options, expected 4 or 5`);
    params = add(params, sum(mul(matmul(state, tensor(m.params, [N_STATES, k], o)), p), 1));
    flops = add(flops, sum(mul(matmul(state, tensor(m.flops, [N_STATES, k], o)), p), 1));
    const next = reshape(matmul(state, tensor(m.trans, [N_STATES, k * N_STATES], o)), [b, k, N_STATES]);
    state = sum(mul(next, reshape(p, [b, k, 1])), 1);
  }
  return { params, flops };
}

/** Softmax per slot of logits [B, 26] laid out as 4 required slots × 4 codes, then 2 optional slots × 5. */
export function tnb101SlotProbs(z: Tensor, tau: number): Tensor[] {
  if (z.rank !== 2 || z.shape[1] !== 26) throw new Error(`tnb101: logits must have shape [B, 26], got [${z.shape.join(', ')}]`);
  if (!(tau > 0)) throw new Error(`tnb101: tau must be > 0, got ${tau}`);
  const b = z.shape[0]!;
  const out: Tensor[] = [];
  for (let i = 0; i < 4; i++) out.push(softmax(z.slice([0, 4 * i], [b, 4 * i + 4]).div(tau), -1));
  for (let i = 0; i < 2; i++) out.push(softmax(z.slice([0, 16 + 5 * i], [b, 21 + 5 * i]).div(tau), -1));
  return out;
}

/** The slots' probabilities concatenated back to the flat [B, 26] layout. */
export function tnb101FlatProbs(probs: readonly Tensor[]): Tensor {
  return concat([...probs], 1);
}
