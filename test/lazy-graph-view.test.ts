/**
 * A relaxed batch's graph view is built on first read and then kept (space.ts's lazyGraphView):
 * an ascent under the MLP predictor reads only `flat`, and the GCN reads the same tensors an eager
 * build made, gradient included.
 */
import { describe, expect, it } from 'vitest';
import { Tensor, tensor, valueAndGrad } from '../src/autograd/index.js';
import { lazyGraphView } from '../src/nas/space.js';
import { nb201Space } from '../src/nas/spaces/nb201.js';

describe('lazyGraphView', () => {
  it('builds nothing until adj or nodes is read, then builds once', () => {
    let builds = 0;
    const flat = new Tensor(new Float32Array(6), [2, 3]);
    const adj = new Tensor(new Float32Array(8), [2, 2, 2]), nodes = new Tensor(new Float32Array(4), [2, 2, 1]);
    const b = lazyGraphView(flat, () => (builds++, { adj, nodes }));
    expect(b.flat).toBe(flat);
    expect(builds).toBe(0);
    expect('adj' in b && 'nodes' in b).toBe(true);
    expect(builds).toBe(0);
    expect(b.nodes).toBe(nodes);
    expect(b.adj).toBe(adj);
    expect(b.nodes).toBe(nodes);
    expect(builds).toBe(1);
  });

  it('nb201: the view read inside a traced objective carries its gradient to the logits', () => {
    const space = nb201Space();
    const z = tensor(Array.from({ length: 2 * space.logitDim }, (_, i) => Math.sin(i)), [2, space.logitDim], { dtype: 'float64' });
    // d/dz of Σ nodes·w: each node feature row is a softmax row (or a constant end row).
    const w = tensor(Array.from({ length: 8 * 7 }, (_, i) => (i % 5) - 2), [1, 8, 7], { dtype: 'float64' });
    const g = valueAndGrad((zz) => space.relax(zz).nodes!.mul(w).sum())(z).grads[0]!;
    const viaFlat = valueAndGrad((zz) => space.relax(zz).flat.reshape([2, 6, 5]).mul(w.slice([0, 1, 1], [1, 7, 6])).sum())(z).grads[0]!;
    expect([...g.data]).toEqual([...viaFlat.data]);
    expect(g.data.some((v) => v !== 0)).toBe(true);
  });
});
