/** The NB-101 space: rules, printing, encodings, relaxation, projection, edits. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/autograd/random.js';
import { tensor, valueAndGrad, sum, mul } from '../src/autograd/index.js';
import { nb101Check, nb101Hash, nb101Prune, nb101Space, type Nb101Arch } from '../src/nas/spaces/nb101.js';

const space = nb101Space();
const seedArb = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const cellArb = seedArb.map((s) => space.sample(new Rng(s)));

describe('nb101 rules and printing', () => {
  it('parse ∘ toString = id and toString ∘ parse = id', () => {
    fc.assert(
      fc.property(cellArb, (a) => {
        const s = space.toString(a);
        expect(space.parse(s)).toEqual(a);
        expect(space.toString(space.parse(s))).toBe(s);
      }),
      { seed: 42, numRuns: 200 },
    );
    expect(space.toString({ adjacency: [[0, 1], [0, 0]], ops: ['input', 'output'] })).toBe('0100|IO');
  });

  it('rejects malformed strings naming the problem', () => {
    expect(() => space.parse('0100IO')).toThrow(/found 0 '\|' separator/);
    expect(() => space.parse('010|IO')).toThrow(/3 adjacency bit\(s\) for 2 vertices, expected 4/);
    expect(() => space.parse('0100|IX')).toThrow(/unknown op letter 'X' at vertex 1/);
    expect(() => space.parse('0200|IO')).toThrow(/character 1 is '2'/);
    expect(() => space.parse('0010|IO')).toThrow(/strictly upper triangular/);
    expect(() => space.parse('010001000|AAO')).toThrow(/vertex 0 must be 'input'/);
    expect(() => space.parse('010001000|IOO')).toThrow(/vertex 1 has op 'output'/);
    expect(() => space.parse(`${'0'.repeat(64)}|IAAAAAAO`)).toThrow(/8 op letter/);
  });

  it('prunes vertices off every input → output path, as NAS-Bench-101 does', () => {
    // 0→1→4, 0→2 (2 has no out-edge), 3→4 (3 has no in-edge).
    const a: Nb101Arch = {
      adjacency: [[0, 1, 1, 0, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 0]],
      ops: ['input', 'conv3x3-bn-relu', 'maxpool3x3', 'conv1x1-bn-relu', 'output'],
    };
    expect(nb101Prune(a)).toEqual({ adjacency: [[0, 1, 0], [0, 0, 1], [0, 0, 0]], ops: ['input', 'conv3x3-bn-relu', 'output'] });
    expect(space.isValid(a)).toBe(true);
    expect(space.hash(a)).toBe(nb101Hash(nb101Prune(a)!));
  });

  it('validity: connected, ≤ 9 edges after pruning, ≤ 7 vertices', () => {
    expect(nb101Check(space.parse('0000|IO'))).toMatchObject({ ok: false, reason: expect.stringMatching(/does not reach/) });
    // 7 vertices, all 21 edges: 21 > 9.
    const dense = space.parse(`${Array.from({ length: 7 }, (_, i) => '0'.repeat(i + 1) + '1'.repeat(6 - i)).join('')}|IAAAAAO`);
    expect(nb101Check(dense)).toMatchObject({ ok: false, reason: expect.stringMatching(/21 edges; at most 9/) });
    // 10 edges of which one dangles (into a vertex with no out-edge): valid after pruning, as the benchmark checks the pruned spec.
    // 10 edges, one of which (4→5) leads into vertex 5, which has no out-edge: pruning leaves 9, so it is valid.
    const rows = ['0111100', '0010001', '0000001', '0000001', '0000011', '0000000', '0000000'];
    const tenEdges = space.parse(`${rows.join('')}|IAAAAAO`);
    expect(tenEdges.adjacency.flat().reduce((s, v) => s + v, 0)).toBe(10);
    expect(nb101Check(tenEdges)).toMatchObject({ ok: true, pruned: { ops: ['input', 'conv3x3-bn-relu', 'conv3x3-bn-relu', 'conv3x3-bn-relu', 'conv3x3-bn-relu', 'output'] } });
    const eleven = space.parse(`${rows.join('').replace(/^0111100/, '0111110')}|IAAAAAO`); // 0→5 too: still dangling
    expect(space.isValid(eleven)).toBe(true);
    // Give vertex 5 an out-edge: all 11 edges are live now.
    const live11 = space.parse(`${['0111100', '0010001', '0000001', '0000001', '0000011', '0000001', '0000000'].join('')}|IAAAAAO`);
    expect(nb101Check(live11)).toMatchObject({ ok: false, reason: expect.stringMatching(/11 edges; at most 9/) });
    expect(space.isValid({ adjacency: [[0, 1], [0, 0]], ops: ['input', 'conv3x3-bn-relu'] as never })).toBe(false);
  });
});

describe('nb101 encodings and relaxation', () => {
  it('encodes to 36 flat values and a 7×5 graph; unused slots are zero rows', () => {
    const a = space.parse('010001000|IBO'); // input → conv1x1 → output
    const e = space.encode(a);
    expect(e.flat.length).toBe(36);
    expect(Array.from(e.flat.subarray(0, 21)).map((v, k) => (v ? k : -1)).filter((k) => k >= 0)).toEqual([0, 10]); // 0→1, 1→6
    expect(Array.from(e.flat.subarray(21, 24))).toEqual([0, 1, 0]);
    expect(Array.from(e.flat.subarray(24))).toEqual(new Array(12).fill(0));
    const nodes = Array.from(e.graph!.nodes);
    expect(nodes.slice(0, 5)).toEqual([1, 0, 0, 0, 0]);
    expect(nodes.slice(5, 10)).toEqual([0, 0, 1, 0, 0]);
    expect(nodes.slice(10, 30)).toEqual(new Array(20).fill(0));
    expect(nodes.slice(30)).toEqual([0, 0, 0, 0, 1]);
    expect(e.graph!.adj[0 * 7 + 1]).toBe(1);
    expect(e.graph!.adj[1 * 7 + 6]).toBe(1);
  });

  it('project(logits(a)) = a, and relax(logits(a)) is close to encode(a)', () => {
    fc.assert(
      fc.property(cellArb, (a) => {
        const z = space.logits(a, 6);
        const p = space.project(z);
        expect(p.ok && p.arch).toEqual(a);
        const r = space.relax(tensor(z, [1, 36], { dtype: 'float64' }));
        const e = space.encode(a);
        r.flat.toArray().forEach((v, k) => expect(Math.abs(v - e.flat[k]!)).toBeLessThan(0.05));
        r.adj!.toArray().forEach((v, k) => expect(Math.abs(v - e.graph!.adj[k]!)).toBeLessThan(0.05));
        r.nodes!.toArray().forEach((v, k) => expect(Math.abs(v - e.graph!.nodes[k]!)).toBeLessThan(0.05));
      }),
      { seed: 42, numRuns: 150 },
    );
  });

  it('relax is differentiable: finite gradients for every logit of a batch', () => {
    const rng = new Rng(5);
    const z = tensor(Float64Array.from({ length: 3 * 36 }, () => 3 * rng.normal()), [3, 36], { dtype: 'float64' });
    const w = tensor(Float64Array.from({ length: 36 }, () => rng.normal()), [1, 36], { dtype: 'float64' });
    const { grads } = valueAndGrad((x) => {
      const r = space.relax(x, { tau: 0.7 });
      return sum(mul(r.flat, w)).add(sum(r.adj!)).add(sum(mul(r.nodes!, 0.5)));
    })(z);
    const g = grads[0]!.toArray();
    expect(g.every(Number.isFinite)).toBe(true);
    expect(g.filter((v) => v !== 0).length).toBeGreaterThan(90);
    expect(() => space.relax(tensor(new Float64Array(35), [1, 35]))).toThrow(/shape \[B, 36\]/);
    expect(() => space.relax(z, { tau: 0 })).toThrow(/tau must be > 0/);
  });

  it('every finite logit vector projects to a valid cell, repaired to ≤ 9 edges and connected', () => {
    fc.assert(
      fc.property(seedArb, fc.double({ min: -2, max: 2, noNaN: true }), (seed, bias) => {
        const rng = new Rng(seed);
        const z = Float64Array.from({ length: 36 }, () => bias + 2 * rng.normal());
        const p = space.project(z);
        expect(p.ok).toBe(true);
        if (p.ok) expect(nb101Check(p.arch)).toMatchObject({ ok: true, pruned: p.arch });
      }),
      { seed: 42, numRuns: 400 },
    );
  });

  it('repair: no edges → the most probable input → output path; all edges → least confident dropped, keeping vertices', () => {
    const none = new Float64Array(36).fill(-1);
    none[5] = -0.1; // 0→6 is the most probable single edge
    const p = space.project(none);
    expect(p.ok && space.toString(p.arch)).toBe('0100|IO');
    const all = Float64Array.from({ length: 36 }, (_, k) => (k < 21 ? 1 + k / 100 : 0));
    const q = space.project(all);
    expect(q.ok).toBe(true);
    if (q.ok) {
      expect(q.arch.adjacency.flat().filter((v) => v === 1).length).toBe(9);
      expect(q.arch.ops.length).toBe(7);
    }
  });

  it('project reports non-finite and wrongly sized logits', () => {
    expect(space.project(new Float64Array(35))).toMatchObject({ ok: false, reason: expect.stringMatching(/expected 36 logits, got 35/) });
    const z = new Float64Array(36);
    z[7] = NaN;
    expect(space.project(z)).toMatchObject({ ok: false, reason: expect.stringMatching(/logit 7 is NaN/) });
  });
});

describe('nb101 sampling and edits', () => {
  it('sample, mutate and neighbours are valid, pruned, deterministic, and differ from the parent', () => {
    fc.assert(
      fc.property(seedArb, (seed) => {
        const a = space.sample(new Rng(seed));
        expect(nb101Check(a)).toMatchObject({ ok: true, pruned: a });
        const m = space.mutate(a, new Rng(seed + 1));
        expect(m).toEqual(space.mutate(a, new Rng(seed + 1)));
        expect(nb101Check(m)).toMatchObject({ ok: true, pruned: m });
        expect(space.hash(m)).not.toBe(space.hash(a));
        const ns = space.neighbours(a);
        const hashes = ns.map((n) => space.hash(n));
        expect(new Set(hashes).size).toBe(ns.length);
        expect(hashes).not.toContain(space.hash(a));
        for (const n of ns) expect(nb101Check(n)).toMatchObject({ ok: true, pruned: n });
      }),
      { seed: 42, numRuns: 60 },
    );
  });

  it('neighbours can grow a cell by a vertex and mutation reaches larger cells', () => {
    const small = space.parse('010001000|IAO');
    const sizes = new Set(space.neighbours(small).map((n) => n.ops.length));
    expect(sizes).toEqual(new Set([3, 4])); // 0→1→2 loses no vertex in one edit: 0→2 alone is two edits away
    const rng = new Rng(3);
    const grown = Array.from({ length: 50 }, () => space.mutate(small, rng).ops.length);
    expect(Math.max(...grown)).toBeGreaterThan(3);
  });

  it('mutate and neighbours reject invalid cells', () => {
    const bad = space.parse('0000|IO');
    expect(() => space.mutate(bad, new Rng(1))).toThrow(/does not reach the output/);
    expect(() => space.neighbours(bad)).toThrow(/invalid NAS-Bench-101 cell 0000\|IO/);
    expect(() => space.encode(bad)).toThrow(/nb101 encode/);
  });
});
