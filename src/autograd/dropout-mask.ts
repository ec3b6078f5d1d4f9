/**
 * Inverted dropout's masks: the draws behind composites.ts's dropout, and behind a compiled
 * training step that multiplies by the mask itself (nas/predictors/mlp-step.ts).
 */
import type { FloatArray } from './dtype.js';
import type { Rng } from './random.js';

function fillMask(mask: FloatArray, at: number, bits: Uint32Array, cut: number, keep: number): void {
  // keep·1 or keep·0 (keep is finite and positive: the same values as a select), without the
  // branch that mispredicted on every dropped element.
  for (let i = 0; i < bits.length; i++) mask[at + i] = keep * +(bits[i]! >= cut);
}

/** Dropout's draws, reused across calls (it runs in every training step; read before returning). */
let dropBits = new Uint32Array(0);

/**
 * Inverted dropout's mask (1/(1−p) kept, 0 dropped) into `mask`, split evenly between the streams:
 * slice s of mask.length / rngs.length elements from rngs[s]. dropout's draws, for a caller that
 * multiplies by the mask itself (predictors/mlp-step.ts).
 */
export function dropoutMask(mask: FloatArray, p: number, rngs: readonly Rng[]): void {
  const keep = 1 / (1 - p);
  // One 32-bit draw per element (not a 53-bit float): dropout sits in every training step.
  const cut = p * 4294967296;
  const per = mask.length / rngs.length;
  if (dropBits.length < per) dropBits = new Uint32Array(per);
  for (let s = 0; s < rngs.length; s++) fillMask(mask, s * per, rngs[s]!.fillU32(dropBits.subarray(0, per)), cut, keep);
}

