/** Stack discrete encodings of architectures into the same batch layout that relax() produces. */
import { allocate, type DType } from '../../autograd/dtype.js';
import { Tensor } from '../../autograd/tensor.js';
import type { RelaxedBatch } from '../space.js';
import type { SpaceForPredictor } from './predictor.js';

export function encodeBatch<A>(space: SpaceForPredictor<A>, archs: readonly A[], dtype: DType = 'float32'): RelaxedBatch {
  const B = archs.length;
  const D = space.flatDim;
  const flat = allocate(dtype, B * D);
  const g = space.graphDims;
  const adj = g ? allocate(dtype, B * g.n * g.n) : null;
  const nodes = g ? allocate(dtype, B * g.n * g.f) : null;
  archs.forEach((a, i) => {
    const e = space.encode(a);
    if (e.flat.length !== D) throw new Error(`encodeBatch: ${space.name} encoded a flat vector of ${e.flat.length}, expected ${D}`);
    flat.set(e.flat, i * D);
    if (g && adj && nodes) {
      if (!e.graph) throw new Error(`encodeBatch: ${space.name} declares graphDims but encode() gave no graph`);
      adj.set(e.graph.adj, i * g.n * g.n);
      nodes.set(e.graph.nodes, i * g.n * g.f);
    }
  });
  const out: { flat: Tensor; adj?: Tensor; nodes?: Tensor } = { flat: new Tensor(flat, [B, D]) };
  if (g && adj && nodes) {
    out.adj = new Tensor(adj, [B, g.n, g.n]);
    out.nodes = new Tensor(nodes, [B, g.n, g.f]);
  }
  return out;
}
