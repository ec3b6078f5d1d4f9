/** Variables + cell: the product space a spec with both describes. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/autograd/random.js';
import { checkGrads, mul, sum, tensor } from '../src/autograd/index.js';
import { ChoiceSpace } from '../src/nas/spaces/choices.js';
import { CellSpace } from '../src/nas/spaces/cell.js';
import { ChoiceCellSpace, type ChoiceCellArch } from '../src/nas/spaces/cell-product.js';

const choices = new ChoiceSpace({
  name: 'net.variables',
  variables: [
    { name: 'depth', type: 'int', min: 1, max: 4 },
    { name: 'act', type: 'categorical', options: ['relu', 'a+b', 'x|y'] }, // '+' and '|' are legal in options
    { name: 'lr', type: 'ordinal', values: [1e21, 0.5, 1e-7] }, // 1e21 and 1e-7 print as 1e+21 and 1e-7
  ],
});
const cell = new CellSpace({ name: 'net.cell', maxNodes: 5, ops: ['conv', 'pool'], maxEdges: 6 });
const space = new ChoiceCellSpace(choices, cell, 'net');
const seedArb = fc.integer({ min: 0, max: 2 ** 31 - 1 });

describe('variables + cell product space', () => {
  it('concatenates layouts: flat and logits are the variables\' then the cell\'s; the graph view is the cell\'s', () => {
    expect(space.flatDim).toBe(choices.flatDim + cell.flatDim);
    expect(space.logitDim).toBe(choices.logitDim + cell.logitDim);
    expect(space.graphDims).toEqual(cell.graphDims);
    const a = space.sample(new Rng(3));
    const e = space.encode(a);
    expect(Array.from(e.flat)).toEqual([...choices.encode(a.values).flat, ...cell.encode(a.cell).flat]);
    expect(e.graph).toEqual(cell.encode(a.cell).graph);
    expect(Array.from(space.logits(a, 2))).toEqual([...choices.logits(a.values, 2), ...cell.logits(a.cell, 2)]);
  });

  it('parse ∘ toString = id, project(logits(a)) = a, and relax(logits(a)) ≈ encode(a)', () => {
    fc.assert(
      fc.property(seedArb, (seed) => {
        const a = space.sample(new Rng(seed));
        const s = space.toString(a);
        expect(space.parse(s)).toEqual(a);
        expect(space.hash(space.parse(s))).toBe(space.hash(a));
        expect(space.project(space.logits(a))).toEqual({ ok: true, arch: a });
        const r = space.relax(tensor(space.logits(a, 8), [1, space.logitDim], { dtype: 'float64' }));
        const e = space.encode(a);
        r.flat.toArray().forEach((v, k) => expect(Math.abs(v - e.flat[k]!)).toBeLessThan(0.01));
        r.adj!.toArray().forEach((v, k) => expect(Math.abs(v - e.graph!.adj[k]!)).toBeLessThan(0.01));
      }),
      { seed: 42, numRuns: 150 },
    );
  });

  it('prints "<variables> + <cell>" and parses it back even when options contain + and |', () => {
    const a: ChoiceCellArch = { values: { depth: 2, act: 'a+b', lr: 1e21 }, cell: cell.parse('011001000|pool') };
    expect(space.toString(a)).toBe('depth=2,act=a+b,lr=1e+21 + 011001000|pool');
    expect(space.parse('  depth=2,act=a+b,lr=1e+21   +  011001000|pool ')).toEqual(a);
    expect(space.hash(a)).toBe(`depth=2,act=a+b,lr=1e+21 + ${cell.hash(a.cell)}`);
    // Hash identifies isomorphic cells; the printed form keeps the cell as written.
    const b: ChoiceCellArch = { values: a.values, cell: cell.parse('0110000100010000|conv,pool') };
    const c: ChoiceCellArch = { values: a.values, cell: cell.parse('0110000100010000|pool,conv') };
    expect(space.hash(b)).toBe(space.hash(c));
    expect(space.toString(b)).not.toBe(space.toString(c));
  });

  it('parse errors name the part', () => {
    expect(() => space.parse('depth=2,act=relu,lr=0.5')).toThrow(/found 0 ' \+ ' separator\(s\), expected 1; expected '<variables> \+ <cell>'/);
    expect(() => space.parse('depth=2 + 0100| + 0100|')).toThrow(/found 2 ' \+ ' separator/);
    expect(() => space.parse('depth=9,act=relu,lr=0.5 + 0100|')).toThrow(/in the variables part: .*'9' is not a value of 'depth'/);
    expect(() => space.parse('depth=2,act=relu,lr=0.5 + 0100|conv')).toThrow(/in the cell part: .*4 adjacency bit\(s\) for 3 vertices/);
  });

  it('every finite logit vector projects to a valid architecture; errors name the part', () => {
    fc.assert(
      fc.property(seedArb, (seed) => {
        const rng = new Rng(seed);
        const p = space.project(Float64Array.from({ length: space.logitDim }, () => 3 * rng.normal()));
        expect(p.ok && space.isValid(p.arch)).toBe(true);
      }),
      { seed: 42, numRuns: 200 },
    );
    expect(space.project([1, 2])).toEqual({ ok: false, reason: `net project: expected ${space.logitDim} logits, got 2` });
    const z = new Float64Array(space.logitDim);
    z[choices.logitDim + 1] = NaN;
    expect(space.project(z)).toMatchObject({ ok: false, reason: expect.stringMatching(/^net project \(cell\): net\.cell project: logit 1 \(edge 0→2\) is NaN$/) });
  });

  it('mutate changes exactly one part; neighbours are one-part changes; all valid', () => {
    fc.assert(
      fc.property(seedArb, (seed) => {
        const rng = new Rng(seed);
        const a = space.sample(rng);
        const m = space.mutate(a, rng);
        expect(space.isValid(m)).toBe(true);
        const sameValues = choices.hash(m.values) === choices.hash(a.values);
        const sameCell = cell.hash(m.cell) === cell.hash(a.cell);
        expect(sameValues !== sameCell).toBe(true);
        const ns = space.neighbours(a);
        expect(ns.length).toBe(choices.neighbours(a.values).length + cell.neighbours(a.cell).length);
        for (const x of ns) {
          expect(space.isValid(x)).toBe(true);
          expect((choices.hash(x.values) === choices.hash(a.values)) !== (cell.hash(x.cell) === cell.hash(a.cell))).toBe(true);
        }
      }),
      { seed: 42, numRuns: 60 },
    );
  });

  it('mutate moves the part that can change when the other cannot', () => {
    const fixed = new ChoiceSpace({ name: 'fixed', variables: [{ name: 'k', type: 'int', min: 3, max: 3 }] });
    const p = new ChoiceCellSpace(fixed, cell, 'p');
    const rng = new Rng(1);
    const a = p.sample(rng);
    for (let t = 0; t < 10; t++) expect(p.hash(p.mutate(a, rng))).not.toBe(p.hash(a));
    const both = new ChoiceCellSpace(fixed, new CellSpace({ maxNodes: 2, ops: ['x'] }), 'both');
    expect(() => both.mutate(both.sample(rng), rng)).toThrow(/both mutate: neither part can change: .*nothing to mutate/);
  });

  it('relax is differentiable through both parts', () => {
    const rng = new Rng(9);
    const z = tensor(Float64Array.from({ length: 2 * space.logitDim }, () => rng.normal()), [2, space.logitDim], { dtype: 'float64' });
    const w = tensor(Float64Array.from({ length: space.flatDim }, () => rng.normal()), [1, space.flatDim], { dtype: 'float64' });
    expect(checkGrads((x) => {
      const r = space.relax(x!, { tau: 0.8 });
      return sum(mul(r.flat, w)).add(sum(mul(r.nodes!, 0.3)));
    }, [z], { directions: 4 }).ok).toBe(true);
    expect(() => space.relax(tensor(new Float64Array(4), [1, 4]))).toThrow(/net relax: logits must have shape \[B, \d+\], got \[1, 4\]/);
  });

  it('refuses malformed architectures naming the part', () => {
    expect(space.invalidReason({ values: { depth: 2, act: 'relu', lr: 0.5 } })).toMatch(/exactly the keys cell and values, got values/);
    expect(space.invalidReason({ values: { depth: 7, act: 'relu', lr: 0.5 }, cell: cell.parse('0100|') })).toMatch(/^values: 'depth' = 7/);
    expect(space.invalidReason({ values: { depth: 2, act: 'relu', lr: 0.5 }, cell: { adjacency: [[0, 0], [0, 0]], ops: ['input', 'output'] } })).toMatch(/^cell: the input does not reach/);
    expect(() => space.encode({ values: { depth: 2, act: 'relu', lr: 0.5 }, cell: { adjacency: [[0, 0], [0, 0]], ops: ['input', 'output'] } })).toThrow(/net encode: cell: /);
  });
});
