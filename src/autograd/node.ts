import type { OpAttrs, OpName } from './op-types.js';
import type { Tensor } from './tensor.js';

/** One recorded application of a primitive: enough to run its backward rule. */
export interface Node<K extends OpName = OpName> {
  readonly op: K;
  readonly inputs: readonly Tensor[];
  readonly attrs: OpAttrs[K];
  /**
   * The engine's write clock when the node was recorded. Backward rules read the inputs and the
   * output at backward time, so a buffer whose version is later than this was written in place
   * after being saved, and its gradient would be silently wrong (engine.checkSaved refuses it).
   */
  readonly clock: number;
  /** Creation order of recorded nodes (engine.graphMark): what a released graph may hand back. */
  readonly seq: number;
}
