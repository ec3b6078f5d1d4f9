/** NAS-Bench-Macro space without the table: canonical forms, encodings, projection, costs. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tensor, valueAndGrad, sum } from '../src/autograd/index.js';
import { Rng } from '../src/autograd/random.js';
import {
  NBMACRO_COST, NBMACRO_ENCODINGS, NBMACRO_NETWORKS, nbmacroCanonical, nbmacroCode, nbmacroFromCode, nbmacroParse, nbmacroSpace,
  nbmacroToString, isNbMacroCanonical, type NbMacroArch,
} from '../src/nas/spaces/nbmacro.js';

const space = nbmacroSpace();
const archArb = fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 8, maxLength: 8 });
const ALL: NbMacroArch[] = Array.from({ length: NBMACRO_ENCODINGS }, (_, c) => nbmacroFromCode(c));

describe('nbmacro canonical forms', () => {
  it('moves mid-stage identities to the end of their stage, never a stage-first identity', () => {
    // Stages are layers 1-2 | 3-5 | 6-8.
    expect(nbmacroToString(nbmacroCanonical(nbmacroParse('00000001')))).toBe('00000010');
    expect(nbmacroToString(nbmacroCanonical(nbmacroParse('00000002')))).toBe('00000020');
    expect(nbmacroToString(nbmacroCanonical(nbmacroParse('10012102')))).toBe('10012120');
    expect(nbmacroToString(nbmacroCanonical(nbmacroParse('01001001')))).toBe('01010010');
    expect(nbmacroToString(nbmacroCanonical(nbmacroParse('20201020')))).toBe('20210020');
  });

  it('maps the 6,561 encodings onto exactly 3,969 networks (9 · 21 · 21), idempotently', () => {
    const keys = new Set(ALL.map((a) => space.hash(a)));
    expect(keys.size).toBe(NBMACRO_NETWORKS);
    for (const a of ALL) expect(nbmacroCanonical(nbmacroCanonical(a))).toEqual(nbmacroCanonical(a));
    expect([...space.enumerate()].length).toBe(NBMACRO_NETWORKS);
    expect([...space.enumerate()].every(isNbMacroCanonical)).toBe(true);
  });

  it('hashes equivalent encodings equal, and encodes and prices them identically', () => {
    const a = nbmacroParse('12020101'), b = nbmacroParse('12002110');
    expect(space.hash(a)).toBe('12020110');
    expect(space.hash(a)).toBe(space.hash(b));
    expect(space.encode(a).flat).toEqual(space.encode(b).flat);
    expect(space.logits(a)).toEqual(space.logits(b));
    for (const x of ALL) expect(space.cost(x)).toEqual(space.cost(nbmacroCanonical(x)));
  });

  it('codes are the table order: 00000000 first, 22222222 last, base 3', () => {
    expect(nbmacroCode(nbmacroParse('00000000'))).toBe(0);
    expect(nbmacroCode(nbmacroParse('00000010'))).toBe(3);
    expect(nbmacroCode(nbmacroParse('22222222'))).toBe(NBMACRO_ENCODINGS - 1);
    ALL.forEach((a, c) => expect(nbmacroCode(a)).toBe(c));
  });
});

describe('nbmacro strings', () => {
  it('parse ∘ toString = id', () => {
    fc.assert(fc.property(archArb, (a) => {
      expect(space.parse(space.toString(a))).toEqual(a);
    }), { seed: 42, numRuns: 200 });
  });

  it.each([
    ['2221222', /7 character\(s\), expected 8/],
    ['222122200', /9 character\(s\)/],
    ['22212x20', /layer 6 is 'x', expected 0, 1 or 2/],
    ['22213220', /layer 5 is '3'/],
  ])('rejects %s', (s, msg) => {
    expect(() => space.parse(s)).toThrow(msg);
  });
});

describe('nbmacro relaxation and projection', () => {
  it('project(logits(a)) is the canonical form of a, for every encoding', () => {
    for (const a of ALL) {
      const p = space.project(space.logits(a));
      expect(p.ok && nbmacroToString(p.arch)).toBe(space.hash(a));
    }
  });

  it('relax(logits(a)) peaks on encode(a); any finite logits project to a canonical network', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 24, maxLength: 24 }), (z) => {
        const p = space.project(z);
        expect(p.ok).toBe(true);
        if (p.ok) {
          expect(space.isValid(p.arch) && isNbMacroCanonical(p.arch)).toBe(true);
          // The projection keeps each layer's argmax (ties: first code) except for identities it moved.
          expect(space.hash(p.arch)).toBe(space.hash(Array.from({ length: 8 }, (_, l) => [0, 1, 2].reduce((b, c) => (z[3 * l + c]! > z[3 * l + b]! ? c : b), 0))));
        }
      }),
      { seed: 42, numRuns: 200 },
    );
    const a = nbmacroParse('22212220');
    const flat = space.relax(tensor(space.logits(a, 20), [1, 24])).flat.data;
    const enc = space.encode(a).flat;
    for (let i = 0; i < 24; i++) expect(flat[i]!).toBeCloseTo(enc[i]!, 6);
  });

  it('reports non-finite or mis-sized logits instead of projecting them', () => {
    const z = new Float64Array(24);
    z[7] = Number.NaN;
    const p = space.project(z);
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.reason).toMatch(/logit 7 \(layer 3, mb3_k3\) is NaN/);
    expect(space.project(new Float64Array(23))).toEqual({ ok: false, reason: 'nbmacro project: expected 24 logits, got 23' });
  });
});

describe('nbmacro sampling, mutation, neighbours', () => {
  it('samples canonical networks uniformly over networks (not encodings)', () => {
    const rng = new Rng(3);
    const n = 4 * NBMACRO_NETWORKS;
    const counts = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const a = space.sample(rng);
      expect(isNbMacroCanonical(a)).toBe(true);
      counts.set(space.hash(a), (counts.get(space.hash(a)) ?? 0) + 1);
    }
    // Uniform over 3,969 networks: E[distinct] = 3969·(1 − e^−4) ≈ 3896; uniform over encodings would give ≈ 3,500.
    expect(counts.size).toBeGreaterThan(3800);
    // The all-identity network is 1 of 3,969 networks but 1 of 6,561 encodings; layer-3 identity alone is 1/3 of networks' stage-2 first choices.
    const stage2First = [...counts].filter(([h]) => h[2] === '0').reduce((s, [, c]) => s + c, 0) / n;
    expect(stage2First).toBeCloseTo(1 / 3, 1);
  });

  it('mutate changes the network (never only an identity position) and returns a canonical form', () => {
    const rng = new Rng(5);
    for (const a of [...space.enumerate()].slice(0, 600)) {
      const m = space.mutate(a, rng);
      expect(space.hash(m)).not.toBe(space.hash(a));
      expect(isNbMacroCanonical(m)).toBe(true);
    }
  });

  it('neighbours are distinct canonical networks one layer change away', () => {
    for (const a of [nbmacroParse('00000000'), nbmacroParse('22212220'), nbmacroParse('10010100')]) {
      const ns = space.neighbours(a);
      const hs = ns.map((n) => space.hash(n));
      expect(new Set(hs).size).toBe(ns.length);
      expect(hs).not.toContain(space.hash(a));
      for (const n of ns) {
        expect(isNbMacroCanonical(n)).toBe(true);
        expect(ALL.some((e) => space.hash(e) === space.hash(n) && e.filter((x, l) => x !== a[l]).length === 1)).toBe(true);
      }
    }
    // 16 single-layer changes, but an identity in layer 4 or in layer 5 is the same network (likewise 7 or 8).
    expect(space.neighbours(nbmacroParse('22222222')).length).toBe(14);
  });
});

describe('nbmacro costs', () => {
  it('follow the network definition: hand-counted all-identity network and one MB6-K5 layer', () => {
    // Stem 3·32·9 + 64 BN; three projections 32→64, 64→128, 128→256 (+BN); head 256·1280 + 2,560 BN; linear 12,810.
    const params = 864 + 64 + (2048 + 128) + (8192 + 256) + (32768 + 512) + (327680 + 2560) + 12810;
    const flops = 864 * 1024 + 2048 * 256 + 8192 * 64 + 32768 * 16 + 327680 * 16 + 12800;
    expect(space.cost(nbmacroParse('00000000'))).toEqual({ params, flops });
    // Layer 8 (256 → 256 at 4×4) as MB6-K5: hidden 1536; 1×1 expand, 5×5 depthwise, 1×1 project, three BNs.
    const mb = { params: 256 * 1536 + 2 * 1536 + 1536 * 25 + 2 * 1536 + 1536 * 256 + 2 * 256, flops: (256 * 1536 + 1536 * 25 + 1536 * 256) * 16 };
    expect(NBMACRO_COST.perLayer[7]![2]).toEqual(mb);
    // Documented range: 7.7 M – 105.7 M MACs.
    const fl = ALL.map((a) => space.cost(a).flops!);
    expect(Math.min(...fl) / 1e6).toBeCloseTo(7.7, 1);
    expect(Math.max(...fl) / 1e6).toBeCloseTo(105.7, 1);
  });

  it('relaxedCost is the exact expectation under per-layer softmaxes, and differentiable', () => {
    const rng = new Rng(11);
    const z = Float64Array.from({ length: 24 }, () => rng.normal());
    const rc = space.relaxedCost(tensor(z, [1, 24]), { tau: 0.7 });
    const p = Array.from({ length: 8 }, (_, l) => {
      const e = [0, 1, 2].map((c) => Math.exp(z[3 * l + c]! / 0.7));
      const s = e[0]! + e[1]! + e[2]!;
      return e.map((x) => x / s);
    });
    let ep = 0, ef = 0;
    for (const a of ALL) {
      const w = a.reduce((m, c, l) => m * p[l]![c]!, 1);
      const c = space.cost(a);
      ep += w * c.params!;
      ef += w * c.flops!;
    }
    expect(rc.params.data[0]! / ep).toBeCloseTo(1, 9);
    expect(rc.flops.data[0]! / ef).toBeCloseTo(1, 9);
    // Gradient against central differences (float64).
    const f = (zz: Float64Array) => space.relaxedCost(tensor(zz, [1, 24])).flops.data[0]!;
    const { grads } = valueAndGrad((t) => sum(space.relaxedCost(t).flops))(tensor(z, [1, 24]));
    for (const i of [0, 5, 13, 23]) {
      const h = 1e-5, zp = z.slice(), zm = z.slice();
      zp[i]! += h;
      zm[i]! -= h;
      expect(grads[0]!.data[i]! / ((f(zp) - f(zm)) / (2 * h))).toBeCloseTo(1, 4);
    }
  });
});
