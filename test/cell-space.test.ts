/** Generic DAG cell spaces: rules, printing, hash, encodings, relaxation, projection, edits — over random specs. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/autograd/random.js';
import { checkGrads, mul, sum, tensor, type Tensor } from '../src/autograd/index.js';
import { cellCheck, cellPrune, cellSpace, type CellArch, type CellSpace } from '../src/nas/spaces/cell.js';

const OPS = ['conv3x3', 'conv1x1', 'maxpool', 'skip'];

/** Random valid cell specs: 2..8 vertices, 1..4 ops, any feasible edge limit and vertex floor. */
const specArb = fc
  .tuple(fc.integer({ min: 2, max: 8 }), fc.integer({ min: 1, max: 4 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }))
  .map(([n, k, e, m]) => {
    const pairs = (n * (n - 1)) / 2;
    const maxEdges = 1 + Math.min(pairs - 1, Math.floor(e * pairs));
    const hi = Math.min(n, maxEdges + 1);
    const minNodes = 2 + Math.min(hi - 2, Math.floor(m * (hi - 1)));
    return { maxNodes: n, ops: OPS.slice(0, k), maxEdges, minNodes };
  });
const caseArb = fc.tuple(specArb, fc.integer({ min: 0, max: 2 ** 31 - 1 })).map(([spec, seed]) => ({ space: cellSpace(spec), seed }));

function nb101Like(): CellSpace {
  return cellSpace({ maxNodes: 7, ops: ['conv3x3', 'conv1x1', 'maxpool'], maxEdges: 9 });
}

/** The cell re-indexed along a random topological order (input first, output last): the same network. */
function relabel(a: CellArch, rng: Rng): CellArch {
  const n = a.ops.length;
  const indeg = Array.from({ length: n }, (_, j) => a.adjacency.reduce((s, r) => s + r[j]!, 0));
  const order: number[] = [];
  const ready = [0];
  while (ready.length > 0) {
    // The output is the only sink; keep it last by never choosing it while others are ready.
    const pool = ready.length > 1 ? ready.filter((v) => v !== n - 1) : ready;
    const v = rng.choice(pool);
    ready.splice(ready.indexOf(v), 1);
    order.push(v);
    for (let w = 0; w < n; w++) if (a.adjacency[v]![w] === 1 && --indeg[w]! === 0) ready.push(w);
  }
  const pos = new Array<number>(n);
  order.forEach((v, k) => (pos[v] = k));
  const adjacency = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (a.adjacency[i]![j] === 1) adjacency[pos[i]!]![pos[j]!] = 1;
  return { adjacency, ops: order.map((v) => a.ops[v]!) };
}

/** Brute-force canonical form of a pruned cell: the smallest printed form over all its topological orders. */
function canonical(space: CellSpace, a: CellArch): string {
  const n = a.ops.length;
  let best: string | null = null;
  const perm: number[] = [0];
  const used = new Array<boolean>(n).fill(false);
  used[0] = true;
  const go = (): void => {
    if (perm.length === n - 1) {
      const order = [...perm, n - 1];
      const pos = new Array<number>(n);
      order.forEach((v, k) => (pos[v] = k));
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (a.adjacency[i]![j] === 1 && pos[i]! > pos[j]!) return;
      const adjacency = order.map((i) => order.map((j) => a.adjacency[i]![j]!));
      const s = space.toString({ adjacency, ops: order.map((v) => a.ops[v]!) });
      if (best === null || s < best) best = s;
      return;
    }
    for (let v = 1; v < n - 1; v++) {
      if (used[v]) continue;
      used[v] = true;
      perm.push(v);
      go();
      perm.pop();
      used[v] = false;
    }
  };
  go();
  return best!;
}

describe('cell rules and printing', () => {
  it('parse ∘ toString = id on sampled cells, which are pruned and valid', () => {
    fc.assert(
      fc.property(caseArb, ({ space, seed }) => {
        const rng = new Rng(seed);
        for (let t = 0; t < 4; t++) {
          const a = space.sample(rng);
          expect(cellCheck(space.spec, a)).toEqual({ ok: true, pruned: a });
          const s = space.toString(a);
          expect(space.parse(s)).toEqual(a);
          expect(space.toString(space.parse(s))).toBe(s);
        }
      }),
      { seed: 42, numRuns: 120 },
    );
  });

  it('prints rows of bits and interior op names; the smallest cell is 0100|', () => {
    const space = nb101Like();
    expect(space.toString({ adjacency: [[0, 1], [0, 0]], ops: ['input', 'output'] })).toBe('0100|');
    const chain = space.parse('011001000|maxpool');
    expect(chain).toEqual({ adjacency: [[0, 1, 1], [0, 0, 1], [0, 0, 0]], ops: ['input', 'maxpool', 'output'] });
  });

  it('rejects malformed strings naming the bad part', () => {
    const space = cellSpace({ maxNodes: 4, ops: ['a', 'b'], maxEdges: 4, minNodes: 3 });
    expect(() => space.parse('0100')).toThrow(/found 0 '\|' separator/);
    expect(() => space.parse('011001000|a|b')).toThrow(/found 2 '\|' separator/);
    expect(() => space.parse('01100100|a')).toThrow(/8 adjacency bit\(s\) for 3 vertices, expected 9/);
    expect(() => space.parse('011001000|c')).toThrow(/unknown op 'c' at vertex 1 \(ops: a, b\)/);
    expect(() => space.parse('012001000|a')).toThrow(/adjacency character 2 is '2'/);
    expect(() => space.parse('011101000|a')).toThrow(/strictly upper triangular, but has an edge 1 → 0/);
    expect(() => space.parse(`${'0'.repeat(25)}|a,a,a`)).toThrow(/5 vertices, at most 4 allowed/);
    expect(() => space.parse('0100|')).toThrow(/2 vertices; at least 3 are required/);
    expect(() => space.parse('000001000|a')).toThrow(/does not reach the output/);
    expect(() => space.parse('0111001100010000|a,b')).toThrow(/the pruned cell has 6 edges; at most 4 are allowed/);
  });

  it('validity is checked on the pruned cell: dangling vertices and edges do not count', () => {
    const space = cellSpace({ maxNodes: 5, ops: ['a'], maxEdges: 3 });
    // 0→1→4 is the only input → output path; 0→2 and 0→3 lead nowhere, so 4 edges prune to 2.
    const a: CellArch = {
      adjacency: [[0, 1, 1, 1, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]],
      ops: ['input', 'a', 'a', 'a', 'output'],
    };
    expect(cellPrune(a)).toEqual({ adjacency: [[0, 1, 0], [0, 0, 1], [0, 0, 0]], ops: ['input', 'a', 'output'] });
    expect(space.isValid(a)).toBe(true);
    expect(space.hash(a)).toBe(space.hash(cellPrune(a)!));
    expect(space.invalidReason({ adjacency: [[0, 1], [0, 0]], ops: ['input', 'b'] })).toMatch(/vertex 1 \(the last\) must be 'output'/);
    expect(space.invalidReason({ adjacency: [[0, 1, 0], [0, 0, 1], [0, 0, 0]], ops: ['input', 'z', 'output'] })).toMatch(/vertex 1 has op 'z'; interior ops are a/);
  });
});

describe('cell hash', () => {
  it('is invariant under relabelling the interior vertices (any topological order)', () => {
    fc.assert(
      fc.property(caseArb, ({ space, seed }) => {
        const rng = new Rng(seed);
        for (let t = 0; t < 3; t++) {
          const a = space.sample(rng);
          const b = relabel(a, rng);
          expect(space.isValid(b)).toBe(true);
          expect(space.hash(b)).toBe(space.hash(a));
        }
      }),
      { seed: 42, numRuns: 150 },
    );
  });

  it('distinguishes exactly the non-isomorphic pruned cells (checked against brute-force canonical forms)', () => {
    for (const spec of [{ maxNodes: 6, ops: ['a', 'b'], maxEdges: 7 }, { maxNodes: 5, ops: ['a', 'b', 'c'] }]) {
      const space = cellSpace(spec);
      const rng = new Rng(11);
      const byCanon = new Map<string, string>();
      const byHash = new Map<string, string>();
      for (let t = 0; t < 400; t++) {
        const a = t % 2 === 0 ? space.sample(rng) : space.mutate(space.sample(rng), rng);
        const c = canonical(space, a);
        const h = space.hash(a);
        expect(byCanon.get(c) ?? h).toBe(h);
        expect(byHash.get(h) ?? c).toBe(c);
        byCanon.set(c, h);
        byHash.set(h, c);
      }
      expect(byHash.size).toBeGreaterThan(100);
    }
  });

  it('tells ops and the input/output roles apart', () => {
    const space = cellSpace({ maxNodes: 4, ops: ['a', 'b'] });
    expect(space.hash(space.parse('010001000|a'))).not.toBe(space.hash(space.parse('010001000|b')));
    // Same shape, ops swapped between the two interior vertices of a chain.
    expect(space.hash(space.parse('0100001000010000|a,b'))).not.toBe(space.hash(space.parse('0100001000010000|b,a')));
    expect(() => space.hash({ adjacency: [[0, 0], [0, 0]], ops: ['input', 'output'] })).toThrow(/cell hash: invalid cell 0000\|: the input does not reach the output/);
  });
});

describe('cell encodings, logits, relaxation and projection', () => {
  it('project(logits(a)) = a, and relax(logits(a)) ≈ encode(a) in flat, adj and nodes', () => {
    fc.assert(
      fc.property(caseArb, ({ space, seed }) => {
        const rng = new Rng(seed);
        const a = space.sample(rng);
        expect(space.project(space.logits(a))).toEqual({ ok: true, arch: a });
        const z = space.logits(a, 8);
        const r = space.relax(tensor(z, [1, space.logitDim], { dtype: 'float64' }));
        const e = space.encode(a);
        const { n, f } = space.graphDims;
        expect(e.flat.length).toBe(space.flatDim);
        expect(e.graph!.adj.length).toBe(n * n);
        expect(e.graph!.nodes.length).toBe(n * f);
        expect(r.flat.shape).toEqual([1, space.flatDim]);
        expect(r.adj!.shape).toEqual([1, n, n]);
        expect(r.nodes!.shape).toEqual([1, n, f]);
        r.flat.toArray().forEach((v, k) => expect(Math.abs(v - e.flat[k]!)).toBeLessThan(0.01));
        r.adj!.toArray().forEach((v, k) => expect(Math.abs(v - e.graph!.adj[k]!)).toBeLessThan(0.01));
        r.nodes!.toArray().forEach((v, k) => expect(Math.abs(v - e.graph!.nodes[k]!)).toBeLessThan(0.01));
      }),
      { seed: 42, numRuns: 150 },
    );
  });

  it('encodes in slot form: the output in the last slot, unused slots zero, node features [input, ops…, output]', () => {
    const space = cellSpace({ maxNodes: 5, ops: ['a', 'b'] });
    const e = space.encode(space.parse('011001000|b')); // 0→1, 0→2, 1→2 with vertex 2 the output
    expect(space.flatDim).toBe(10 + 3 * 2);
    // Edge order 0→1, 0→2, 0→3, 0→4, 1→2, 1→3, 1→4, 2→3, 2→4, 3→4; the output moves to slot 4.
    expect(Array.from(e.flat.subarray(0, 10))).toEqual([1, 0, 0, 1, 0, 0, 1, 0, 0, 0]);
    expect(Array.from(e.flat.subarray(10))).toEqual([0, 1, 0, 0, 0, 0]);
    expect(Array.from(e.graph!.nodes)).toEqual([1, 0, 0, 0, /* */ 0, 0, 1, 0, /* */ 0, 0, 0, 0, /* */ 0, 0, 0, 0, /* */ 0, 0, 0, 1]);
    expect(e.graph!.adj[0 * 5 + 4]).toBe(1);
    expect(e.graph!.adj[1 * 5 + 4]).toBe(1);
  });

  it('every finite logit vector projects to a valid pruned cell', () => {
    fc.assert(
      fc.property(caseArb, fc.double({ min: -3, max: 3, noNaN: true }), ({ space, seed }, bias) => {
        const rng = new Rng(seed);
        for (let t = 0; t < 3; t++) {
          const z = Float64Array.from({ length: space.logitDim }, () => bias + 2 * rng.normal());
          const p = space.project(z);
          expect(p.ok).toBe(true);
          if (p.ok) expect(cellCheck(space.spec, p.arch)).toEqual({ ok: true, pruned: p.arch });
        }
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('repair: connects along the most probable path, revives vertices up to minNodes, trims to maxEdges', () => {
    const space = cellSpace({ maxNodes: 5, ops: ['a', 'b'], maxEdges: 4, minNodes: 4 });
    const none = new Float64Array(space.logitDim).fill(-4);
    const p = space.project(none);
    expect(p.ok && p.arch.ops.length).toBe(4); // all edges equally unlikely: the shortest path allowed, 4 vertices
    if (p.ok) expect(p.arch.adjacency.flat().filter((x) => x === 1).length).toBe(3);
    const all = Float64Array.from({ length: space.logitDim }, (_, k) => (k < 10 ? 1 + k / 100 : 0));
    const q = space.project(all);
    expect(q.ok).toBe(true);
    if (q.ok) {
      expect(q.arch.adjacency.flat().filter((x) => x === 1).length).toBe(4);
      expect(q.arch.ops.length).toBeGreaterThanOrEqual(4);
    }
    // A long thresholded chain under a tight edge limit falls back to the best short path.
    const tight = cellSpace({ maxNodes: 6, ops: ['a'], maxEdges: 2 });
    const chain = new Float64Array(tight.logitDim).fill(-2);
    for (let i = 0; i < 5; i++) chain[edgeSlot(6, i, i + 1)] = 3;
    const r = tight.project(chain);
    expect(r).toEqual({ ok: true, arch: tight.parse('0100|') }); // direct 0→5 (σ(−2)) beats 0→1→5 (σ(3)·σ(−2))
  });

  it('relax is differentiable: engine gradients match finite differences', () => {
    const space = cellSpace({ maxNodes: 5, ops: ['a', 'b', 'c'], maxEdges: 6 });
    const rng = new Rng(3);
    const { n, f } = space.graphDims;
    const w = (len: number, shape: number[]): Tensor => tensor(Float64Array.from({ length: len }, () => rng.normal()), shape, { dtype: 'float64' });
    const wf = w(space.flatDim, [1, space.flatDim]);
    const wa = w(n * n, [1, n, n]);
    const wn = w(n * f, [1, n, f]);
    const z = w(2 * space.logitDim, [2, space.logitDim]);
    const report = checkGrads((x) => {
      const r = space.relax(x!, { tau: 0.7 });
      return sum(mul(r.flat, wf)).add(sum(mul(r.adj!, wa))).add(sum(mul(r.nodes!, wn)));
    }, [z], { directions: 4 });
    expect(report.ok).toBe(true);
    expect(() => space.relax(tensor(new Float64Array(3), [1, 3]))).toThrow(/shape \[B, 19\], got \[1, 3\]/);
    expect(() => space.relax(z, { tau: 0 })).toThrow(/tau must be a finite number > 0/);
  });

  it('project reports wrongly sized and non-finite logits, naming the slot', () => {
    const space = cellSpace({ maxNodes: 4, ops: ['a', 'b'] });
    expect(space.project(new Float64Array(3))).toEqual({ ok: false, reason: 'cell project: expected 10 logits, got 3' });
    const z = new Float64Array(10);
    z[4] = NaN;
    expect(space.project(z)).toMatchObject({ ok: false, reason: expect.stringMatching(/logit 4 \(edge 1→3\) is NaN/) });
    z[4] = 0;
    z[9] = Infinity;
    expect(space.project(z)).toMatchObject({ ok: false, reason: expect.stringMatching(/logit 9 \(vertex 2 op b\) is Infinity/) });
  });
});

describe('cell sampling and edits', () => {
  it('sample, mutate and neighbours are valid, pruned, deterministic, and differ from the parent', () => {
    fc.assert(
      fc.property(caseArb, ({ space, seed }) => {
        const a = space.sample(new Rng(seed));
        expect(space.sample(new Rng(seed))).toEqual(a);
        const ns = space.neighbours(a);
        const hashes = ns.map((x) => space.hash(x));
        expect(new Set(hashes).size).toBe(ns.length);
        expect(hashes).not.toContain(space.hash(a));
        for (const x of ns) expect(cellCheck(space.spec, x)).toEqual({ ok: true, pruned: x });
        if (ns.length === 0) return; // only one cell reachable: nothing to mutate to (checked below)
        const m = space.mutate(a, new Rng(seed + 1));
        expect(space.mutate(a, new Rng(seed + 1))).toEqual(m);
        expect(cellCheck(space.spec, m)).toEqual({ ok: true, pruned: m });
        expect(space.hash(m)).not.toBe(space.hash(a));
      }),
      { seed: 42, numRuns: 120 },
    );
  });

  it('a single-cell space says it cannot mutate; invalid cells are refused by name', () => {
    const single = cellSpace({ maxNodes: 2, ops: ['a'] });
    const only = single.sample(new Rng(1));
    expect(single.toString(only)).toBe('0100|');
    expect(single.neighbours(only)).toEqual([]);
    expect(() => single.mutate(only, new Rng(1))).toThrow(/the space has a single cell/);
    const space = nb101Like();
    const bad: CellArch = { adjacency: [[0, 0], [0, 0]], ops: ['input', 'output'] };
    expect(() => space.encode(bad)).toThrow(/cell encode: invalid cell 0000\|: the input does not reach the output/);
    expect(() => space.neighbours(bad)).toThrow(/cell neighbours/);
    expect(() => space.mutate(bad, new Rng(1))).toThrow(/cell mutate/);
  });

  it('neighbours grow a cell by a vertex; sampling under tight limits still succeeds', () => {
    const space = nb101Like();
    const sizes = new Set(space.neighbours(space.parse('010001000|conv3x3')).map((x) => x.ops.length));
    expect(sizes).toEqual(new Set([3, 4]));
    const tight = cellSpace({ maxNodes: 12, ops: ['a', 'b'], maxEdges: 3 });
    const rng = new Rng(4);
    for (let t = 0; t < 5; t++) expect(tight.isValid(tight.sample(rng))).toBe(true);
  });
});

/** Position of edge slot (i, j) among the row-major pairs of an n-slot cell. */
function edgeSlot(n: number, i: number, j: number): number {
  let e = 0;
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++, e++) if (a === i && b === j) return e;
  throw new Error(`no edge slot ${i}→${j}`);
}
