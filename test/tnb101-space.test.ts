/** TransNAS-Bench-101 macro space without the table: the 3,256 networks, encodings, projection, costs. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tensor, valueAndGrad, sum } from '../src/autograd/index.js';
import { Rng } from '../src/autograd/random.js';
import { TNB101_NETWORKS, tnb101Invalid, tnb101MacroSpace, tnb101Parse, tnb101ToString, tnb101ModuleCost, TNB101_STEM_COST, TNB101_SIZES, type Tnb101MacroArch } from '../src/nas/spaces/tnb101-macro.js';

const space = tnb101MacroSpace();
const ALL = [...space.enumerate()];

describe('tnb101-macro networks', () => {
  it('are exactly the 3,256 code strings of the published rules (210 / 750 / 2,296 by depth)', () => {
    expect(ALL.length).toBe(TNB101_NETWORKS);
    expect(new Set(ALL.map((a) => space.hash(a))).size).toBe(TNB101_NETWORKS);
    const byDepth = [4, 5, 6].map((n) => ALL.filter((a) => a.length === n).length);
    expect(byDepth).toEqual([210, 750, 2296]);
  });

  it.each([
    [[1, 1, 1, 1], /0 downsampling module/],
    [[3, 3, 3, 3, 1], /0 channel-doubling module/],
    [[4, 4, 4, 4, 3], /5 downsampling module/],
    [[2, 2, 2, 2, 3], /4 channel-doubling module/],
    [[2, 3, 1], /3 modules, expected 4–6/],
    [[2, 3, 1, 1, 1, 1, 1], /7 modules/],
    [[2, 3, 1, 5], /module 4 has code 5/],
  ])('rejects %j with a reason', (a, msg) => {
    expect(tnb101Invalid(a)).toMatch(msg);
    expect(space.isValid(a)).toBe(false);
  });

  it('prints the benchmark key and parses it (or bare codes) back; errors say why', () => {
    for (const a of ALL) expect(space.parse(space.toString(a))).toEqual(a);
    expect(tnb101ToString([2, 3, 2, 3, 2, 3])).toBe('64-232323-basic');
    expect(tnb101Parse('232323')).toEqual([2, 3, 2, 3, 2, 3]);
    expect(() => tnb101Parse('64-2323x3-basic')).toThrow(/malformed arch '64-2323x3-basic'/);
    expect(() => tnb101Parse('64-1111-basic')).toThrow(/not in the space: 0 downsampling module/);
  });
});

describe('tnb101-macro encoding, relaxation, projection', () => {
  it('encodes six slots one-hot (empty slots explicit) and projects logits(a) back to a, for every network', () => {
    for (const a of ALL) {
      const f = space.encode(a).flat;
      expect(f.reduce((s, x) => s + x, 0)).toBe(6);
      const p = space.project(space.logits(a));
      expect(p.ok && space.hash(p.arch)).toBe(space.hash(a));
    }
    // A 4-module network marks both optional slots empty (indices 16 and 21).
    const f4 = space.encode([2, 3, 1, 1]).flat;
    expect([f4[16], f4[21]]).toEqual([1, 1]);
  });

  it('projects any finite logits to the valid network of highest total logit', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -4, max: 4, noNaN: true }), { minLength: 26, maxLength: 26 }), (z) => {
        const p = space.project(z);
        expect(p.ok).toBe(true);
        if (!p.ok) return;
        expect(space.isValid(p.arch)).toBe(true);
        const score = (a: Tnb101MacroArch) => space.encode(a).flat.reduce((s, x, i) => s + x * z[i]!, 0);
        const best = score(p.arch);
        for (const a of ALL.filter((_, i) => i % 7 === 0)) expect(score(a)).toBeLessThanOrEqual(best + 1e-12);
      }),
      { seed: 42, numRuns: 40 },
    );
    // Logits that favour six downsamplings (invalid) still give a valid network.
    const z = new Float64Array(26);
    for (let s = 0; s < 4; s++) z[4 * s + 2] = 5;
    z[16 + 3] = 5;
    z[21 + 3] = 5;
    const p = space.project(z);
    expect(p.ok && space.isValid(p.arch)).toBe(true);
    expect(space.project([...z.slice(0, 25), Number.POSITIVE_INFINITY])).toEqual({ ok: false, reason: 'tnb101-macro project: logit 25 is Infinity' });
  });

  it('relax(logits(a, c)) tends to encode(a) and sums to one per slot', () => {
    const a = [2, 2, 4, 1, 3, 1];
    const r = space.relax(tensor(space.logits(a, 30), [1, 26])).flat.data;
    space.encode(a).flat.forEach((x, i) => expect(r[i]!).toBeCloseTo(x, 6));
    const soft = space.relax(tensor(Float64Array.from({ length: 26 }, (_, i) => Math.sin(i)), [1, 26])).flat.data;
    const slots = [[0, 4], [4, 8], [8, 12], [12, 16], [16, 21], [21, 26]];
    for (const [lo, hi] of slots) expect(Array.from(soft.slice(lo!, hi!)).reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
  });
});

describe('tnb101-macro neighbours and sampling', () => {
  it('neighbours are distinct valid networks one edit (change, delete, insert) away; mutate picks one', () => {
    const rng = new Rng(2);
    for (const a of ALL.filter((_, i) => i % 97 === 0)) {
      const ns = space.neighbours(a);
      expect(ns.length).toBeGreaterThan(0);
      expect(new Set(ns.map((n) => space.hash(n))).size).toBe(ns.length);
      for (const n of ns) {
        expect(space.isValid(n)).toBe(true);
        expect(Math.abs(n.length - a.length)).toBeLessThanOrEqual(1);
      }
      const m = space.mutate(a, rng);
      expect(ns.map((n) => space.hash(n))).toContain(space.hash(m));
    }
  });

  it('samples every network with equal chance', () => {
    const rng = new Rng(9);
    const seen = new Set<string>();
    for (let i = 0; i < 4 * TNB101_NETWORKS; i++) seen.add(space.hash(space.sample(rng)));
    expect(seen.size).toBeGreaterThan(0.97 * TNB101_NETWORKS); // 1 − e^−4 ≈ 0.982
  });
});

describe('tnb101-macro costs', () => {
  it('follow the network definition (hand count of the stem and a widening, downsampling module)', () => {
    // Stem: 3→32 3×3/2 at 112², 32→64 3×3/2 at 56²; each with BN.
    expect(TNB101_STEM_COST).toEqual({ params: 864 + 64 + 18432 + 128, flops: 864 * 112 * 112 + 18432 * 56 * 56 });
    expect(TNB101_SIZES).toEqual([56, 28, 14, 7, 4, 2, 1]);
    // Code 4 from 64 channels at 56²: 64→128 3×3/2, 128→128 3×3, shortcut 1×1/2, then a plain block (two 128→128 3×3), at 28².
    const w = 64 * 128 * 9 + 128 * 128 * 9 + 64 * 128 + 2 * 128 * 128 * 9;
    expect(tnb101ModuleCost(4, 0, 0)).toEqual({ params: w + 5 * 256, flops: w * 28 * 28 });
    // Documented range: 0.23 G – 101 G MACs.
    const fl = ALL.map((a) => space.cost(a).flops!);
    expect(Math.min(...fl) / 1e9).toBeCloseTo(0.23, 2);
    expect(Math.max(...fl) / 1e9).toBeCloseTo(101, 0);
  });

  it('relaxedCost equals the discrete cost at one-hot slots for every network', () => {
    const z = new Float64Array(ALL.length * 26);
    ALL.forEach((a, i) => z.set(space.logits(a, 80), i * 26));
    const rc = space.relaxedCost(tensor(z, [ALL.length, 26]));
    ALL.forEach((a, i) => {
      const c = space.cost(a);
      expect(rc.params.data[i]! / c.params!).toBeCloseTo(1, 9);
      expect(rc.flops.data[i]! / c.flops!).toBeCloseTo(1, 9);
    });
  });

  it('relaxedCost is the exact expectation over independent slots (gaps closed), and differentiable', () => {
    const rng = new Rng(4);
    const z = Float64Array.from({ length: 26 }, () => rng.normal());
    const probs = [[0, 4], [4, 8], [8, 12], [12, 16], [16, 21], [21, 26]].map(([lo, hi]) => {
      const e = Array.from(z.slice(lo!, hi!), Math.exp);
      const s = e.reduce((x, y) => x + y, 0);
      return e.map((x) => x / s);
    });
    // Brute force over all 4^4·5^2 slot choices; an empty optional slot is skipped (the cost of the remaining modules).
    let ef = 0, ep = 0;
    const rec = (slot: number, codes: number[], w: number) => {
      if (slot === 6) {
        let d = 0, s = 0, f = TNB101_STEM_COST.flops, p = TNB101_STEM_COST.params;
        for (const c of codes) {
          const m = tnb101ModuleCost(c, Math.min(d, 6), Math.min(s, 6));
          f += m.flops;
          p += m.params;
          if (c % 2 === 0) d++;
          if (c >= 3) s++;
        }
        ef += w * f;
        ep += w * p;
        return;
      }
      probs[slot]!.forEach((q, o) => {
        const code = slot < 4 ? o + 1 : o;
        rec(slot + 1, code === 0 ? codes : [...codes, code], w * q);
      });
    };
    rec(0, [], 1);
    const rc = space.relaxedCost(tensor(z, [1, 26]));
    expect(rc.flops.data[0]! / ef).toBeCloseTo(1, 9);
    expect(rc.params.data[0]! / ep).toBeCloseTo(1, 9);
    const f = (zz: Float64Array) => space.relaxedCost(tensor(zz, [1, 26])).flops.data[0]!;
    const { grads } = valueAndGrad((t) => sum(space.relaxedCost(t).flops))(tensor(z, [1, 26]));
    for (const i of [0, 7, 17, 25]) {
      const h = 1e-5, zp = z.slice(), zm = z.slice();
      zp[i]! += h;
      zm[i]! -= h;
      expect(grads[0]!.data[i]! / ((f(zp) - f(zm)) / (2 * h))).toBeCloseTo(1, 4);
    }
  });
});
