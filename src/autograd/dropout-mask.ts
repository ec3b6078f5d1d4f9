/**
 * Inverted dropout's masks: the draws behind composites.ts's dropout, and behind a compiled
 * training step that multiplies by the mask itself (nas/predictors/mlp-step.ts).
 */
import type { FloatArray } from './dtype.js';
import type { Rng } from './random.js';

/**
 * Inverted dropout's mask (1/(1−p) kept, 0 dropped) into `mask`, split evenly between the streams:
 * slice s of mask.length / rngs.length elements from rngs[s].
 */
export function dropoutMask(mask: FloatArray, p: number, rngs: readonly Rng[]): void {
  const keep = 1 / (1 - p);
  // One 32-bit draw per element (not a 53-bit float): dropout sits in every training step.
  const cut = p * 4294967296;
  const per = mask.length / rngs.length;
  for (let s = 0; s < rngs.length; s++) rngs[s]!.fillThreshold(mask, s * per, per, cut, keep);
}
