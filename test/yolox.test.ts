import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkGrads, sum, tensor, valueAndGrad } from '../src/autograd/index.js';
import { Rng } from '../src/autograd/random.js';
import { YOLOX_MODELS, yoloxSpace } from '../src/nas/spaces/yolox.js';
import { yoloxComplexity, yoloxConfig } from '../src/nas/spaces/yolox-cost.js';

/**
 * Published params (M) and GFLOPs of the YOLOX README (Megvii-BaseDetection/YOLOX, "Benchmark"
 * tables; S..X at 640×640, Nano/Tiny at 416×416), with the number of decimals they are given to.
 * Tolerance: half a unit of the last published digit, plus 0.1 % of the value for FLOPs (the
 * README's numbers come from thop at 64×64 scaled up, which can differ from the direct count in
 * the last digit).
 */
const PUBLISHED: Record<string, { params: number; pDec: number; gflops: number; fDec: number }> = {
  'YOLOX-Nano': { params: 0.91, pDec: 2, gflops: 1.08, fDec: 2 },
  'YOLOX-Tiny': { params: 5.06, pDec: 2, gflops: 6.45, fDec: 2 },
  'YOLOX-S': { params: 9.0, pDec: 1, gflops: 26.8, fDec: 1 },
  'YOLOX-M': { params: 25.3, pDec: 1, gflops: 73.8, fDec: 1 },
  'YOLOX-L': { params: 54.2, pDec: 1, gflops: 155.6, fDec: 1 },
  'YOLOX-X': { params: 99.1, pDec: 1, gflops: 281.9, fDec: 1 },
};

describe('YOLOX complexity against the published models', () => {
  it.each(Object.keys(PUBLISHED))('%s: params and GFLOPs within the published rounding', (name) => {
    const m = YOLOX_MODELS[name]!;
    const pub = PUBLISHED[name]!;
    const c = yoloxComplexity(yoloxConfig(m.depth, m.width, { depthwise: m.depthwise, inputSize: m.inputSize }));
    expect(Math.abs(c.params / 1e6 - pub.params)).toBeLessThanOrEqual(0.5 * 10 ** -pub.pDec);
    expect(Math.abs(c.gflops - pub.gflops)).toBeLessThanOrEqual(0.5 * 10 ** -pub.fDec + 1e-3 * pub.gflops);
  });

  it('GFLOPs are neither MACs nor 2·MACs alone: BN elements count twice (thop)', () => {
    const c = yoloxComplexity(yoloxConfig(0.33, 0.25, { depthwise: true, inputSize: 416 }));
    expect(Math.abs((2 * c.macs) / 1e9 - 1.08)).toBeGreaterThan(0.03); // 2·MACs alone misses Nano by ~3 %
    expect(c.gflops).toBeCloseTo((2 * (c.macs + 2 * c.bnElements)) / 1e9, 12);
  });

  it('builds YOLOX-S exactly as the exp file does', () => {
    expect(yoloxConfig(0.33, 0.5)).toEqual({
      stemWidth: 32, widths: [64, 128, 256, 512], depths: [1, 3, 3, 1], neckDepth: 1, headWidth: 128,
      depthwise: false, numClasses: 80, inputSize: 640,
    });
    expect(yoloxConfig(1.33, 1.25).depths).toEqual([4, 12, 12, 4]);
  });

  it('rejects malformed networks naming the field', () => {
    expect(() => yoloxComplexity({ ...yoloxConfig(1, 1), inputSize: 630 })).toThrow(/input size must be a positive multiple of 32, got 630/);
    expect(() => yoloxComplexity({ ...yoloxConfig(1, 1), widths: [128, 256, 0, 1024] })).toThrow(/width of dark4 must be a positive integer, got 0/);
    expect(() => yoloxConfig(0, 1)).toThrow(/multipliers must be > 0/);
  });
});

describe('YOLOX search spaces', () => {
  const global = yoloxSpace();
  const perStage = yoloxSpace({ mode: 'per-stage' });

  it('global mode contains YOLOX-S..X with their exact cost', () => {
    const s = global.parse('depth=0.33,width=0.5');
    expect(global.cost!(s).params).toBeCloseTo(yoloxComplexity(yoloxConfig(0.33, 0.5)).params / 1e6, 12);
    expect(global.size).toBe(36);
    expect([...global.enumerate!()].length).toBe(36);
  });

  it('per-stage mode reproduces the global networks it contains', () => {
    const a = perStage.parse('stem=48,w2=96,w3=192,w4=384,w5=768,d2=2,d3=6,d4=6,d5=2,neck=2,head=192');
    expect(perStage.cost!(a)).toEqual(global.cost!(global.parse('depth=0.67,width=0.75')));
    expect(perStage.enumerate).toBeUndefined();
  });

  it('property: project(logits(a)) = a, parse ∘ print = id, mutate/neighbours valid', () => {
    for (const space of [global, perStage]) {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 1e6 }), (seed) => {
          const rng = new Rng(seed);
          const a = space.sample(rng);
          expect(space.project(space.logits(a))).toEqual({ ok: true, arch: a });
          expect(space.parse(space.toString(a))).toEqual(a);
          expect(space.isValid(space.mutate(a, rng))).toBe(true);
          for (const n of space.neighbours(a)) expect(space.isValid(n)).toBe(true);
        }),
        { seed: 42, numRuns: 40 },
      );
    }
  });

  it('relaxed cost: exact at per-stage points, within 1.5 % at global points, differentiable', () => {
    const rng = new Rng(5);
    for (let i = 0; i < 20; i++) {
      const a = perStage.sample(rng);
      const r = perStage.relaxedCost!(tensor(perStage.logits(a), [1, perStage.logitDim], { dtype: 'float64' }));
      expect(r.flops!.item()).toBeCloseTo(perStage.cost!(a).flops!, 6);
      expect(r.params!.item()).toBeCloseTo(perStage.cost!(a).params!, 8);
    }
    for (const a of global.enumerate!()) {
      const r = global.relaxedCost!(tensor(global.logits(a), [1, global.logitDim], { dtype: 'float64' }));
      expect(Math.abs(r.flops!.item() / global.cost!(a).flops! - 1)).toBeLessThan(0.015);
      expect(Math.abs(r.params!.item() / global.cost!(a).params! - 1)).toBeLessThan(0.015);
    }
    const z = tensor(Array.from({ length: 2 * perStage.logitDim }, () => rng.normal()), [2, perStage.logitDim], { dtype: 'float64' });
    expect(checkGrads((x) => sum(perStage.relaxedCost!(x).flops!), [z], { seed: 1 }).mismatches).toEqual([]);
    const g = valueAndGrad((x) => sum(perStage.relaxedCost!(x).params!))(z).grads[0]!.toArray();
    expect(g.every((v) => v > 0)).toBe(true); // every width and depth adds parameters
  });

  it('rejects unknown modes and overrides', () => {
    expect(() => yoloxSpace({ mode: 'stage' as never })).toThrow(/mode must be 'global' or 'per-stage', got 'stage'/);
    expect(() => yoloxSpace({ variables: [{ type: 'int', name: 'w9', min: 1, max: 2 }] })).toThrow(/no variable 'w9' to override in global mode/);
    const narrow = yoloxSpace({ variables: [{ type: 'ordinal', name: 'width', values: [0.5] }] });
    expect(narrow.valuesOf('width')).toEqual([0.5]);
  });
});
