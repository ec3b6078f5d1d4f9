/** JSON space specifications with a graph cell: validation, the spaces they build, the examples. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/autograd/random.js';
import type { SearchSpace } from '../src/nas/space.js';
import { ChoiceSpace } from '../src/nas/spaces/choices.js';
import { CellSpace } from '../src/nas/spaces/cell.js';
import { ChoiceCellSpace } from '../src/nas/spaces/cell-product.js';
import { SpecError, parseSpaceSpec, spaceFromSpec, specSpace, validateSpaceSpec } from '../src/nas/spaces/spec.js';

const CELL = { maxNodes: 7, ops: ['conv3x3', 'conv1x1', 'maxpool'], maxEdges: 9 };
const VARS = [{ name: 'width', type: 'log-int', min: 16, max: 64 }];

function specError(spec: unknown): SpecError {
  try {
    validateSpaceSpec(spec);
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    return e as SpecError;
  }
  throw new Error(`accepted ${JSON.stringify(spec)}`);
}

describe('specs with a cell', () => {
  it('a cell alone builds a CellSpace named after the spec; defaults are filled in', () => {
    const space = specSpace(JSON.stringify({ name: 'c', cell: CELL }));
    expect(space).toBeInstanceOf(CellSpace);
    expect(space.name).toBe('c');
    expect((space as CellSpace).spec).toEqual({ ...CELL, minNodes: 2 });
    expect(validateSpaceSpec({ name: 'c', variables: [], cell: { maxNodes: 4, ops: ['a'] } })).toEqual({
      name: 'c',
      variables: [],
      cell: { maxNodes: 4, ops: ['a'], maxEdges: 6, minNodes: 2 },
    });
  });

  it('variables and a cell build a ChoiceCellSpace whose parts are the variables and the cell', () => {
    const space = specSpace({ name: 'net', description: 'd', variables: VARS, cell: CELL });
    expect(space).toBeInstanceOf(ChoiceCellSpace);
    const p = space as ChoiceCellSpace;
    expect(p.name).toBe('net');
    expect(p.choices.valuesOf('width')).toEqual([16, 32, 64]);
    expect(p.cell.spec.maxEdges).toBe(9);
    expect(p.flatDim).toBe(1 + 36);
    expect(p.parse('width=32 + 0100|')).toEqual({ values: { width: 32 }, cell: { adjacency: [[0, 1], [0, 0]], ops: ['input', 'output'] } });
  });

  it('a validated spec is itself a valid spec (it survives a JSON round trip unchanged)', () => {
    for (const spec of [{ name: 'a', cell: CELL }, { name: 'b', variables: VARS, cell: { ...CELL, minNodes: 3 } }]) {
      const v = validateSpaceSpec(spec);
      expect(validateSpaceSpec(JSON.parse(JSON.stringify(v)))).toEqual(v);
    }
  });

  it('variables-only specs still build ChoiceSpaces; spaceFromSpec refuses a cell and points to specSpace', () => {
    expect(specSpace({ name: 'v', variables: VARS })).toBeInstanceOf(ChoiceSpace);
    expect(() => spaceFromSpec({ name: 'c', cell: CELL })).toThrow(/^cell: expected no "cell" for spaceFromSpec, which builds choice spaces only \(use specSpace/);
  });

  it.each([
    [{ cell: 7 }, 'cell', /^cell: expected an object with "maxNodes" and "ops"/],
    [{ cell: { ...CELL, edges: 9 } }, 'cell.edges', /expected no such key \(allowed: maxNodes, ops, maxEdges, minNodes\), got 9$/],
    [{ cell: { ops: ['a'] } }, 'cell.maxNodes', /expected an integer in \[2, 16\] \(input and output included\), got nothing \(key missing\)$/],
    [{ cell: { ...CELL, maxNodes: 1 } }, 'cell.maxNodes', /got 1$/],
    [{ cell: { ...CELL, maxNodes: 17 } }, 'cell.maxNodes', /got 17$/],
    [{ cell: { ...CELL, maxNodes: '7' } }, 'cell.maxNodes', /got "7"$/],
    [{ cell: { maxNodes: 4 } }, 'cell.ops', /expected a non-empty array of op names, got nothing/],
    [{ cell: { maxNodes: 4, ops: [] } }, 'cell.ops', /got an array of 0$/],
    [{ cell: { maxNodes: 4, ops: ['a', 3] } }, 'cell.ops[1]', /expected an op name matching .*, got 3$/],
    [{ cell: { maxNodes: 4, ops: ['a', 'b|c'] } }, 'cell.ops[1]', /got "b\|c"$/],
    [{ cell: { maxNodes: 4, ops: ['a', 'x,y'] } }, 'cell.ops[1]', /got "x,y"$/],
    [{ cell: { maxNodes: 4, ops: ['output'] } }, 'cell.ops[0]', /expected an op name other than "input" and "output"/],
    [{ cell: { maxNodes: 4, ops: ['a', 'b', 'a'] } }, 'cell.ops[2]', /expected distinct op names \(ops\[0\] is "a"\), got "a"$/],
    [{ cell: { ...CELL, maxEdges: 0 } }, 'cell.maxEdges', /expected an integer in \[1, 21\] \(21 = every vertex pair of 7 vertices\), got 0$/],
    [{ cell: { ...CELL, maxEdges: 22 } }, 'cell.maxEdges', /got 22$/],
    [{ cell: { ...CELL, maxEdges: 8.5 } }, 'cell.maxEdges', /got 8.5$/],
    [{ cell: { ...CELL, minNodes: 1 } }, 'cell.minNodes', /expected an integer in \[2, 7\]/],
    [{ cell: { ...CELL, minNodes: 8 } }, 'cell.minNodes', /got 8$/],
    [{ cell: { ...CELL, maxEdges: 3, minNodes: 5 } }, 'cell.minNodes', /expected an integer in \[2, 4\] \(at most maxNodes, and at most maxEdges \+ 1: m vertices need m − 1 edges\), got 5$/],
    [{ cell: CELL, variables: 'x' }, 'variables', /expected an array of variable objects \(or no "variables": the cell alone\), got "x"$/],
    [{ cell: CELL, variables: [{ name: 'a', type: 'int', min: 3, max: 1 }] }, 'variables[0].max', /expected an integer ≥ min \(3\), got 1$/],
  ])('rejects %j at %s', (extra, path, msg) => {
    const e = specError({ name: 'x', ...extra });
    expect(e.path).toBe(path);
    expect(e.message.startsWith(`${path}: expected `)).toBe(true);
    expect(e.message).toMatch(msg);
  });

  it('random cell specs, with and without variables, build spaces whose archs round-trip', () => {
    const cellArb = fc.record({
      maxNodes: fc.integer({ min: 2, max: 7 }),
      ops: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9_]{0,5}$/).filter((s) => s !== 'input' && s !== 'output'), { minLength: 1, maxLength: 4 }),
    });
    fc.assert(
      fc.property(cellArb, fc.boolean(), fc.integer({ min: 0, max: 1e6 }), (cell, withVars, seed) => {
        const spec = withVars ? { name: 'g', variables: VARS, cell } : { name: 'g', cell };
        const space = specSpace(parseSpaceSpec(JSON.stringify(spec))) as SearchSpace<unknown>;
        const rng = new Rng(seed);
        for (let i = 0; i < 3; i++) {
          const a = space.sample(rng);
          expect(space.parse(space.toString(a))).toEqual(a);
          expect(space.project(space.logits(a))).toEqual({ ok: true, arch: a });
        }
      }),
      { seed: 42, numRuns: 100 },
    );
  });

  it('the example specs build the documented spaces', () => {
    const dir = join(import.meta.dirname, '..', 'examples', 'spaces');
    const nb = specSpace(readFileSync(join(dir, 'cell.json'), 'utf8'));
    if (!(nb instanceof CellSpace)) throw new Error('cell.json must build a CellSpace');
    expect({ flat: nb.flatDim, graph: nb.graphDims }).toEqual({ flat: 36, graph: { n: 7, f: 5 } });
    const net = specSpace(readFileSync(join(dir, 'cell-with-variables.json'), 'utf8'));
    expect(net).toBeInstanceOf(ChoiceCellSpace);
    const p = net as ChoiceCellSpace;
    expect(p.cell.spec).toEqual({ maxNodes: 6, ops: ['conv3x3', 'conv1x1', 'sep_conv5x5', 'maxpool', 'skip'], maxEdges: 8, minNodes: 3 });
    const a = p.sample(new Rng(2));
    expect(a.cell.ops.length).toBeGreaterThanOrEqual(3);
    expect(p.parse(p.toString(a))).toEqual(a);
  });
});
