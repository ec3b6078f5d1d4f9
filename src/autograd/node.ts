import type { OpAttrs, OpName } from './op-types.js';
import type { Tensor } from './tensor.js';

/** One recorded application of a primitive: enough to run its backward rule. */
export interface Node<K extends OpName = OpName> {
  readonly op: K;
  readonly inputs: readonly Tensor[];
  readonly attrs: OpAttrs[K];
}
