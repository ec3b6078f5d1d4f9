import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkGrads, sum, tensor, valueAndGrad } from '../src/autograd/index.js';
import { Rng } from '../src/autograd/random.js';
import { REGNET_MODELS, regnetParamsOf, regnetSpace, regnetCost } from '../src/nas/spaces/regnet.js';
import { regnetComplexity, regnetStages, roundHalfEven } from '../src/nas/spaces/regnet-cost.js';

/**
 * Published counts. Params: exact element counts of the pycls models as listed in the
 * osmr/imgclsmob PyTorch model table (pytorch/README.md, "RegNetX-200MF | … | 2,684,792 |
 * 203.33M"), which agree with pycls MODEL_ZOO.md's rounded values (2.7M, 5.2M, …). FLOPs: pycls
 * MODEL_ZOO.md gives multiply-adds rounded to 0.1 B; imgclsmob's finer counts (second column)
 * also count element-wise ops (BN, ReLU: their surplus over the conv/fc multiply-adds is about the
 * BN + ReLU element count), so ours must lie 0–2.5 % below them.
 */
const PUBLISHED: Record<string, { params: number; zooParamsM: number; zooFlopsB: number; imgclsmobFlopsM: number; widths: number[]; depths: number[] }> = {
  'RegNetX-200MF': { params: 2_684_792, zooParamsM: 2.7, zooFlopsB: 0.2, imgclsmobFlopsM: 203.33, widths: [24, 56, 152, 368], depths: [1, 1, 4, 7] },
  'RegNetX-400MF': { params: 5_157_512, zooParamsM: 5.2, zooFlopsB: 0.4, imgclsmobFlopsM: 403.45, widths: [32, 64, 160, 384], depths: [1, 2, 7, 12] },
  'RegNetX-600MF': { params: 6_196_040, zooParamsM: 6.2, zooFlopsB: 0.6, imgclsmobFlopsM: 608.37, widths: [48, 96, 240, 528], depths: [1, 3, 5, 7] },
  'RegNetX-800MF': { params: 7_259_656, zooParamsM: 7.3, zooFlopsB: 0.8, imgclsmobFlopsM: 809.49, widths: [64, 128, 288, 672], depths: [1, 3, 7, 5] },
  'RegNetX-1.6GF': { params: 9_190_136, zooParamsM: 9.2, zooFlopsB: 1.6, imgclsmobFlopsM: 1618.99, widths: [72, 168, 408, 912], depths: [2, 4, 10, 2] },
  'RegNetY-200MF': { params: 3_162_996, zooParamsM: 3.2, zooFlopsB: 0.2, imgclsmobFlopsM: 203.99, widths: [24, 56, 152, 368], depths: [1, 1, 4, 7] },
  'RegNetY-400MF': { params: 4_344_144, zooParamsM: 4.3, zooFlopsB: 0.4, imgclsmobFlopsM: 410.35, widths: [48, 104, 208, 440], depths: [1, 3, 6, 6] },
  'RegNetY-600MF': { params: 6_055_160, zooParamsM: 6.1, zooFlopsB: 0.6, imgclsmobFlopsM: 610.37, widths: [48, 112, 256, 608], depths: [1, 3, 7, 4] },
  'RegNetY-800MF': { params: 6_263_168, zooParamsM: 6.3, zooFlopsB: 0.8, imgclsmobFlopsM: 808.62, widths: [64, 128, 320, 768], depths: [1, 3, 8, 2] },
  'RegNetY-1.6GF': { params: 11_202_430, zooParamsM: 11.2, zooFlopsB: 1.6, imgclsmobFlopsM: 1629.48, widths: [48, 120, 336, 888], depths: [2, 6, 17, 2] },
};

describe('RegNet quantisation and complexity against published models', () => {
  it.each(Object.keys(PUBLISHED))('%s: stages, exact params, FLOPs within the published rounding', (name) => {
    const pub = PUBLISHED[name]!;
    const p = REGNET_MODELS[name]!;
    const st = regnetStages(p);
    expect(st.widths).toEqual(pub.widths);
    expect(st.depths).toEqual(pub.depths);
    const c = regnetComplexity(p);
    expect(c.params).toBe(pub.params);
    expect(Math.abs(c.params / 1e6 - pub.zooParamsM)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(c.flops / 1e9 - pub.zooFlopsB)).toBeLessThanOrEqual(0.05);
    const rel = c.flops / 1e6 / pub.imgclsmobFlopsM - 1;
    expect(rel).toBeLessThanOrEqual(0);
    expect(rel).toBeGreaterThan(-0.025);
  });

  it('rounds half to even like NumPy', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, 2, 3]);
  });

  it('caps the group width at the bottleneck width and rounds it to a multiple', () => {
    const st = regnetStages({ depth: 13, w0: 24, wa: 36.44, wm: 2.49, groupWidth: 32, bottleneck: 4, se: 0 });
    // widths 24, 56, 152, 368 → bottlenecks 6, 14, 38, 92; g capped to 6, 14, 32, 32; v → 6, 14, 32, 96.
    expect(st.groupWidths).toEqual([6, 14, 32, 32]);
    expect(st.widths).toEqual([24, 56, 128, 384]);
  });

  it('rejects impossible design points with the offending parameter', () => {
    const base = REGNET_MODELS['RegNetX-200MF']!;
    expect(() => regnetStages({ ...base, w0: 20 })).toThrow(/w0 must be a positive multiple of 8, got 20/);
    expect(() => regnetStages({ ...base, wm: 1 })).toThrow(/wm must be > 1, got 1/);
    expect(() => regnetStages({ ...base, depth: 0 })).toThrow(/depth must be a positive integer/);
  });
});

describe('RegNet search space', () => {
  const space = regnetSpace();

  it('has the documented variables and contains published models when its grids do', () => {
    expect(space.variables.map((v) => v.name)).toEqual(['depth', 'w0', 'wa', 'wm', 'g', 'b', 'se']);
    const x200 = regnetSpace({ wa: [36.44], wm: [2.49] });
    const a = x200.parse('depth=13,w0=24,wa=36.44,wm=2.49,g=8,b=1,se=0');
    expect(regnetParamsOf(a)).toEqual(REGNET_MODELS['RegNetX-200MF']);
    expect(x200.cost!(a).params).toBeCloseTo(2.684792, 9);
    expect(x200.cost!(a).flops).toBeCloseTo(regnetComplexity(REGNET_MODELS['RegNetX-200MF']!).flops / 1e6, 9);
  });

  it('only four-stage design points are architectures; projection says so otherwise', () => {
    const three = regnetSpace({ wa: [8], wm: [3], w0: { min: 64, max: 64, steps: 1 } });
    const a = { depth: 12, w0: 64, wa: 8, wm: 3, g: 8, b: 1, se: 0 };
    expect(three.invalidReason(a)).toMatch(/form 2 stage\(s\), not 4/);
    expect(three.project(three.logits(a))).toEqual({ ok: false, reason: expect.stringMatching(/violates the constraint/) });
    const rng = new Rng(1);
    for (let i = 0; i < 50; i++) expect(regnetStages(regnetParamsOf(space.sample(rng))).widths.length).toBe(4);
  });

  it('project(logits(a)) = a, parse ∘ print = id, mutations and neighbours valid', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), (seed) => {
        const rng = new Rng(seed);
        const a = space.sample(rng);
        expect(space.project(space.logits(a))).toEqual({ ok: true, arch: a });
        expect(space.parse(space.toString(a))).toEqual(a);
        expect(space.isValid(space.mutate(a, rng))).toBe(true);
        for (const n of space.neighbours(a)) expect(space.isValid(n)).toBe(true);
      }),
      { seed: 42, numRuns: 60 },
    );
  });

  it('the raw surrogate tracks the exact cost: Spearman > 0.95, ratio within [0.3, 3]', () => {
    const raw = regnetSpace({ calibrate: false });
    const rng = new Rng(7);
    const rows = Array.from({ length: 150 }, () => {
      const a = raw.sample(rng);
      const r = raw.relaxedCost!(tensor(raw.logits(a), [1, raw.logitDim], { dtype: 'float64' }));
      return { s: r.flops!.item(), e: raw.cost!(a).flops!, sp: r.params!.item(), ep: raw.cost!(a).params! };
    });
    for (const r of rows) {
      expect(r.s / r.e).toBeGreaterThan(0.3);
      expect(r.s / r.e).toBeLessThan(3);
      expect(r.sp / r.ep).toBeGreaterThan(0.3);
      expect(r.sp / r.ep).toBeLessThan(3);
    }
    expect(spearman(rows.map((r) => r.s), rows.map((r) => r.e))).toBeGreaterThan(0.95);
    expect(spearman(rows.map((r) => r.sp), rows.map((r) => r.ep))).toBeGreaterThan(0.95);
  });

  it('the calibrated relaxed cost equals the exact cost at discrete points and is differentiable', () => {
    const rng = new Rng(3);
    const archs = [space.sample(rng), space.sample(rng)];
    const z = tensor(archs.flatMap((a) => Array.from(space.logits(a))), [2, space.logitDim], { dtype: 'float64' });
    const rc = space.relaxedCost!(z);
    archs.forEach((a, i) => {
      expect(rc.flops!.toArray()[i]).toBeCloseTo(space.cost!(a).flops!, 6);
      expect(rc.params!.toArray()[i]).toBeCloseTo(space.cost!(a).params!, 6);
    });
    // Off the grid points: piecewise-linear interpolation and the partial-block ramp have kinks there.
    const zOff = tensor(z.toArray().map((v) => v + 0.05 + 0.1 * rng.next()), z.shape, { dtype: 'float64' });
    const report = checkGrads((x) => sum(space.relaxedCost!(x).flops!.div(100)), [zOff], { seed: 2 });
    expect(report.mismatches).toEqual([]);
    const { grads } = valueAndGrad((x) => sum(space.relaxedCost!(x).flops!))(z);
    const g = grads[0]!.toArray();
    // More depth, w0, wa cost more: positive gradients on those logits.
    for (const row of [0, 1]) for (const k of [0, 1, 2]) expect(g[row * space.logitDim + k]!).toBeGreaterThan(0);
  });

  it('exposes regnetCost in MF and M', () => {
    expect(regnetCost(REGNET_MODELS['RegNetX-400MF']!).params).toBeCloseTo(5.157512, 9);
  });
});

function ranks(xs: number[]): number[] {
  const idx = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(xs.length);
  idx.forEach(([, i], k) => (r[i] = k));
  return r;
}

function spearman(a: number[], b: number[]): number {
  const ra = ranks(a), rb = ranks(b);
  const n = a.length;
  const d2 = ra.reduce((s, x, i) => s + (x - rb[i]!) ** 2, 0);
  return 1 - (6 * d2) / (n * (n * n - 1));
}
