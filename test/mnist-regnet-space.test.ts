import { describe, expect, it } from 'vitest';
import { checkGrads, noGrad, tensor } from '../src/autograd/index.js';
import { Rng } from '../src/autograd/random.js';
import { RegNetDigitsSpace, regnetDigitsCost } from '../src/nas/tasks/regnet-space.js';
import { countMacs, RegNetDigitsNet } from '../src/nas/tasks/regnet-train.js';

const space = new RegNetDigitsSpace();

describe('mnist-regnet space', () => {
  it('exact FLOPs (MACs) and params equal counts taken from the built network, on 300 random architectures', () => {
    const rng = new Rng(19);
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const a = space.sample(rng);
      seen.add(space.hash(a));
      const cost = space.cost(a);
      const net = new RegNetDigitsNet(space.config(a), new Rng(i));
      // Params: the sizes of the parameter tensors actually built (buffers excluded).
      expect(cost.params, space.describe(a)).toBe(net.parameterCount());
      // FLOPs: a count over the convolutions and the linear layer a forward pass executes.
      expect(cost.flops, space.describe(a)).toBe(countMacs(net));
    }
    expect(seen.size).toBeGreaterThan(290);
  });

  it('one hand-counted network', () => {
    // stem 1→16 at 14²: 9·16·196 = 28,224 MACs, 144 + 32 params. One stage of depth 1, w 8, b 1,
    // g 8 (one group), the other two stages likewise: checked against the formula written out.
    const a = space.parse('d1=1,w1=8,g1=8,b1=1,d2=1,w2=8,g2=8,b2=1,d3=1,w3=8,g3=8,b3=1');
    // stage 1 (14→7, cin 16): 16·8·196 + 9·8·8·49 + 8·8·49 + 16·8·49 = 25088 + 28224 + 3136 + 6272
    // stage 2 (7→4, cin 8):   8·8·49 + 9·8·8·16 + 8·8·16 + 8·8·16 = 3136 + 9216 + 1024 + 1024
    // stage 3 (4→2, cin 8):   8·8·16 + 9·8·8·4 + 8·8·4 + 8·8·4 = 1024 + 2304 + 256 + 256; head 80.
    const flops = 28224 + (25088 + 28224 + 3136 + 6272) + (3136 + 9216 + 1024 + 1024) + (1024 + 2304 + 256 + 256) + 80;
    const params = 176 + (128 + 576 + 64 + 128 + 64) + 2 * (64 + 576 + 64 + 64 + 64) + 90;
    expect(space.cost(a)).toEqual({ flops, params });
  });

  it('the relaxed cost equals the exact cost at every discrete architecture (float64)', () => {
    const rng = new Rng(7);
    const archs = Array.from({ length: 40 }, () => space.sample(rng));
    const z = tensor(archs.flatMap((a) => [...space.logits(a)]), [archs.length, space.logitDim], { dtype: 'float64' });
    const r = noGrad(() => space.relaxedCost!(z));
    archs.forEach((a, i) => {
      const c = space.cost(a);
      expect(r.flops!.data[i]).toBeCloseTo(c.flops!, 6);
      expect(r.params!.data[i]).toBeCloseTo(c.params!, 6);
    });
  });

  it('the relaxed cost is differentiable: gradients match central differences', () => {
    const rng = new Rng(3);
    for (let t = 0; t < 4; t++) {
      const z0 = Array.from(space.logits(space.sample(rng)), (v) => v + rng.normal() * 0.3);
      const z = tensor(z0, [1, space.logitDim], { dtype: 'float64' });
      // Scaled to O(1) so that the absolute tolerance is meaningful.
      checkGrads((x) => space.relaxedCost!(x).flops!.sum().div(1e5), [z]);
      checkGrads((x) => space.relaxedCost!(x).params!.sum().div(1e4), [z]);
    }
  });

  it('rejects architectures whose bottleneck width is not a multiple of the group width', () => {
    const bad = { ...space.parse('d1=1,w1=8,g1=1,b1=4,d2=1,w2=8,g2=1,b2=1,d3=1,w3=8,g3=1,b3=1'), g1: 4 };
    expect(space.invalidReason(bad)).toBe('stage 1: bottleneck width 8/4 = 2 is not a multiple of the group width 4');
    expect(() => space.cost(bad)).toThrow(/bottleneck width 8\/4 = 2/);
  });
});
