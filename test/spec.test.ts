import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/autograd/random.js';
import type { SearchSpace } from '../src/nas/space.js';
import { SpecError, parseSpaceSpec, spaceFromSpec, specSpace, validateSpaceSpec } from '../src/nas/spaces/spec.js';

const EXAMPLE = {
  name: 'toy',
  variables: [
    { name: 'depth', type: 'int', min: 1, max: 4 },
    { name: 'width', type: 'log-int', min: 16, max: 256 },
    { name: 'act', type: 'categorical', options: ['relu', 'tanh'] },
    { name: 'lr', type: 'ordinal', values: [0.1, 0.01] },
  ],
};

describe('JSON space specifications', () => {
  it('builds the space the issue describes, with the documented layout', () => {
    const space = spaceFromSpec(JSON.stringify(EXAMPLE));
    expect(space.name).toBe('toy');
    expect(space.flatDim).toBe(1 + 1 + 2 + 1);
    expect(space.valuesOf('width')).toEqual([16, 32, 64, 128, 256]);
    expect(space.size).toBe(4 * 5 * 2 * 2);
    expect(space.parse('depth=2,width=32,act=tanh,lr=0.01')).toEqual({ depth: 2, width: 32, act: 'tanh', lr: 0.01 });
  });

  it('accepts a parsed value and an optional description; keeps variables in order', () => {
    const spec = validateSpaceSpec({ ...EXAMPLE, description: 'demo' });
    expect(spec.description).toBe('demo');
    expect(spec.variables.map((v) => v.name)).toEqual(['depth', 'width', 'act', 'lr']);
  });

  it.each([
    ['[1, 2]', /^\$: expected a JSON object with "name" and "variables", got an array of 2$/],
    ['{"name": "x", "variables": [], "extra": 1}', /^\$\.extra: expected no such key \(allowed: name, description, variables, cell\), got 1$/],
    ['{"variables": [{"name": "a", "type": "int", "min": 1, "max": 2}]}', /^name: expected a non-empty string, got nothing \(key missing\)$/],
    ['{"name": "x"}', /^variables: expected a non-empty array of variable objects, got nothing/],
    ['{"name": "x", "variables": []}', /^variables: expected a non-empty array of variable objects, got an array of 0$/],
    ['{"name": "x", "variables": [3]}', /^variables\[0\]: expected an object with "name" and "type", got 3$/],
    ['{"name": "x", "variables": [{"name": "a", "type": "int", "min": 1, "max": 4}, {"name": "w", "type": "log-int", "min": 16, "max": 8}]}', /^variables\[1\]\.max: expected an integer ≥ min \(16\), got 8$/],
    ['{"name": "x", "variables": [{"name": "a", "type": "int", "min": "1", "max": 4}]}', /^variables\[0\]\.min: expected an integer, got "1"$/],
    ['{"name": "x", "variables": [{"name": "a", "type": "int", "min": 1, "max": 4, "options": ["p"]}]}', /^variables\[0\]\.options: expected no such key \(allowed: name, type, min, max, step\)/],
    ['{"name": "x", "variables": [{"name": "a", "type": "ordinal", "values": [0.1, null]}]}', /^variables\[0\]\.values\[1\]: expected a finite number, got null$/],
    ['{"name": "x", "variables": [{"name": "a", "type": "categorical", "options": ["p", 2]}]}', /^variables\[0\]\.options\[1\]: expected a non-empty string without commas/],
    ['{"name": "x", "variables": [{"name": "a", "type": "choice"}]}', /^variables\[0\]\.type: expected one of "categorical", "int", "log-int", "ordinal", got "choice"$/],
    ['{"name": "x", "variables": [{"type": "int", "min": 1, "max": 2}]}', /^variables\[0\]\.name: expected a name matching/],
    ['{"name": "x", "variables": [{"name": "a", "type": "int", "min": 1, "max": 2}, {"name": "a", "type": "int", "min": 1, "max": 2}]}', /^variables\[1\]\.name: expected a name not already used \(variables\[0\] is "a"\), got "a"$/],
    ['{"name": "x", "variables": [{"name": "a", "type": "int", "min": 1, "max": 2}], "cell": {"nodes": 7}}', /^cell\.nodes: expected no such key \(allowed: maxNodes, ops, maxEdges, minNodes\), got 7$/],
    ['{"name": "x", "variables": [', /^\$: expected valid JSON, got a syntax error/],
  ])('rejects %s with the JSON path, expectation and value', (text, msg) => {
    let err: unknown;
    try {
      parseSpaceSpec(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SpecError);
    expect((err as Error).message).toMatch(msg);
  });

  it('SpecError exposes the path, expectation and value separately', () => {
    try {
      validateSpaceSpec({ name: 'x', variables: [{ name: 'a', type: 'int', min: 1, max: 4, step: 2 }] });
      expect.unreachable();
    } catch (e) {
      const s = e as SpecError;
      expect(s.path).toBe('variables[0].max');
      expect(s.expected).toMatch(/min \+ k·step/);
      expect(s.got).toBe(4);
    }
  });

  it('random valid specs build spaces whose archs round-trip through print, parse and logits', () => {
    const varArb = fc.oneof(
      fc.record({ type: fc.constant('categorical'), options: fc.uniqueArray(fc.stringMatching(/^[a-z]{1,4}$/), { minLength: 1, maxLength: 4 }) }),
      fc.tuple(fc.integer({ min: -5, max: 5 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 3 })).map(([min, k, step]) => ({ type: 'int', min, max: min + k * step, step })),
      fc.tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 5 })).map(([m, e]) => ({ type: 'log-int', min: 8 * m, max: 8 * m * 2 ** e, multipleOf: 8 })),
      fc.uniqueArray(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 1, maxLength: 5 }).map((xs) => ({ type: 'ordinal', values: xs.sort((a, b) => a - b) })),
    );
    fc.assert(
      fc.property(fc.array(varArb, { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 1e6 }), (vars, seed) => {
        const spec = { name: 'gen', variables: vars.map((v, i) => ({ name: `v${i}`, ...v })) };
        const space = spaceFromSpec(JSON.parse(JSON.stringify(spec)));
        const rng = new Rng(seed);
        for (let i = 0; i < 5; i++) {
          const a = space.sample(rng);
          expect(space.parse(space.toString(a))).toEqual(a);
          expect(space.project(space.logits(a))).toEqual({ ok: true, arch: a });
        }
      }),
      { seed: 42, numRuns: 150 },
    );
  });

  it('every example spec in examples/spaces loads', () => {
    const dir = join(import.meta.dirname, '..', 'examples', 'spaces');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const f of files) {
      const space = specSpace(readFileSync(join(dir, f), 'utf8')) as SearchSpace<unknown>;
      expect(space.isValid(space.sample(new Rng(1)))).toBe(true);
    }
  });
});
