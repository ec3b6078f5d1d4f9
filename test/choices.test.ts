import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkGrads, sum, mul, tensor, valueAndGrad, concat } from '../src/autograd/index.js';
import { Rng } from '../src/autograd/random.js';
import { ChoiceSpace, type ChoiceArch } from '../src/nas/spaces/choices.js';
import { orderedGrid, type ChoiceVariable } from '../src/nas/spaces/choices-vars.js';

const VARS: ChoiceVariable[] = [
  { type: 'int', name: 'depth', min: 1, max: 4 },
  { type: 'log-int', name: 'width', min: 16, max: 256 },
  { type: 'categorical', name: 'act', options: ['relu', 'tanh', 'gelu'] },
  { type: 'ordinal', name: 'lr', values: [0.1, 0.03, 0.01] },
  { type: 'int', name: 'k', min: 3, max: 7, step: 2 },
];
const space = new ChoiceSpace({ name: 'toy', variables: VARS });
const idxArb = fc.tuple(fc.nat(3), fc.nat(4), fc.nat(2), fc.nat(2), fc.nat(2));
const archOf = (idx: readonly number[]): ChoiceArch => space.fromIndices(idx);

describe('choice variables', () => {
  it('compiles grids: int with step, default log-int ratio 2, rounded log-int, ordinal order kept', () => {
    expect(space.valuesOf('depth')).toEqual([1, 2, 3, 4]);
    expect(space.valuesOf('width')).toEqual([16, 32, 64, 128, 256]);
    expect(space.valuesOf('k')).toEqual([3, 5, 7]);
    expect(orderedGrid({ type: 'log-int', name: 'w', min: 8, max: 256, steps: 16, multipleOf: 8 })).toEqual([8, 16, 24, 32, 40, 48, 64, 80, 104, 128, 160, 200, 256]);
    expect(orderedGrid({ type: 'log-int', name: 'w', min: 10, max: 1000, steps: 3 })).toEqual([10, 100, 1000]);
    expect(orderedGrid({ type: 'ordinal', name: 'lr', values: [0.1, 0.01] })).toEqual([0.1, 0.01]);
    expect(space.valuesOf('act')).toEqual(['relu', 'tanh', 'gelu']);
    expect(() => space.valuesOf('nope')).toThrow(/no variable 'nope' \(variables: depth, width, act, lr, k\)/);
  });

  it('lays out the flat vector in declaration order: 1 slot per ordered, k per categorical', () => {
    expect(space.flatDim).toBe(1 + 1 + 3 + 1 + 1);
    expect(space.logitDim).toBe(space.flatDim);
    expect(space.variables.map((v) => v.offset)).toEqual([0, 1, 2, 5, 6]);
    expect(space.size).toBe(4 * 5 * 3 * 3 * 3);
    const a = { depth: 2, width: 256, act: 'tanh', lr: 0.1, k: 5 };
    expect(Array.from(space.encode(a).flat)).toEqual([1.5 / 4, 4.5 / 5, 0, 1, 0, 0.5 / 3, 1.5 / 3].map(Math.fround));
  });

  it.each([
    [{ type: 'int', name: 'd', min: 1, max: 4, step: 2 }, /variables\[0\]\.max: expected min \+ k·step/],
    [{ type: 'int', name: 'd', min: 4, max: 1 }, /variables\[0\]\.max: expected an integer ≥ min \(4\), got 1/],
    [{ type: 'int', name: 'd', min: 1.5, max: 4 }, /variables\[0\]\.min: expected an integer, got 1.5/],
    [{ type: 'log-int', name: 'w', min: 0, max: 4 }, /variables\[0\]\.min: expected an integer ≥ 1, got 0/],
    [{ type: 'log-int', name: 'w', min: 12, max: 64, multipleOf: 8 }, /variables\[0\]\.min: expected a multiple of multipleOf \(8\), got 12/],
    [{ type: 'categorical', name: 'a', options: [] }, /variables\[0\]\.options: expected a non-empty array/],
    [{ type: 'categorical', name: 'a', options: ['x', 'x'] }, /variables\[0\]\.options\[1\]: expected distinct options/],
    [{ type: 'categorical', name: 'a', options: ['x,y'] }, /options\[0\]: expected a non-empty string without commas/],
    [{ type: 'ordinal', name: 'o', values: [1, 3, 2] }, /variables\[0\]\.values\[2\]: expected strictly increasing/],
    [{ type: 'ordinal', name: 'o', values: [3, 3] }, /values\[1\]/],
    [{ type: 'float', name: 'o' }, /variables\[0\]\.type: expected one of "categorical", "int", "log-int", "ordinal", got "float"/],
    [{ type: 'int', name: '1x', min: 1, max: 2 }, /variables\[0\]\.name: expected a name matching/],
    [{ type: 'int', name: 'd', min: 1, max: 2, stpe: 1 }, /variables\[0\]\.stpe: expected no such key \(allowed: name, type, min, max, step\)/],
  ])('rejects bad declaration %j with a precise message', (decl, msg) => {
    expect(() => new ChoiceSpace({ name: 'bad', variables: [decl as unknown as ChoiceVariable] })).toThrow(msg);
  });

  it('rejects duplicate variable names', () => {
    expect(() => new ChoiceSpace({ name: 'dup', variables: [VARS[0]!, VARS[0]!] })).toThrow(/variables\[1\]\.name: expected a name not used by an earlier variable, got "depth"/);
  });
});

describe('choice space: printing and parsing', () => {
  it('prints name=value in declaration order and parse ∘ print = id', () => {
    expect(space.toString({ depth: 3, width: 64, act: 'relu', lr: 0.01, k: 7 })).toBe('depth=3,width=64,act=relu,lr=0.01,k=7');
    fc.assert(
      fc.property(idxArb, (idx) => {
        const a = archOf(idx);
        const s = space.toString(a);
        expect(space.parse(s)).toEqual(a);
        expect(space.toString(space.parse(s))).toBe(s);
        expect(space.hash(a)).toBe(s);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('parses keys in any order with whitespace', () => {
    expect(space.parse(' k=3 , lr=0.03,act=gelu,width=16,depth=4 ')).toEqual({ depth: 4, width: 16, act: 'gelu', lr: 0.03, k: 3 });
  });

  it.each([
    ['depth=3,width=64,act=relu,lr=0.01', /missing variable\(s\) k/],
    ['depth=3,width=64,act=relu,lr=0.01,k=7,depth=2', /variable 'depth' is given twice/],
    ['depth=3,width=64,act=relu,lr=0.01,k=7,x=1', /unknown variable 'x' \(variables: depth, width, act, lr, k\)/],
    ['depth=3,width=60,act=relu,lr=0.01,k=7', /'60' is not a value of 'width' \(values: 16, 32, 64, 128, 256\)/],
    ['depth=3,width=64,act=elu,lr=0.01,k=7', /'elu' is not a value of 'act'/],
    ['depth=,width=64,act=relu,lr=0.01,k=7', /'' is not a value of 'depth'/],
    ['depth3,width=64,act=relu,lr=0.01,k=7', /'depth3' is not of the form name=value/],
    ['', /missing variable/],
  ])('parse rejects %j naming the offending part', (s, msg) => {
    expect(() => space.parse(s)).toThrow(msg);
  });

  it('isValid and invalidReason explain bad records', () => {
    expect(space.isValid({ depth: 3, width: 64, act: 'relu', lr: 0.01, k: 7 })).toBe(true);
    expect(space.invalidReason({ depth: 3, width: 64, act: 'relu', lr: 0.01 })).toMatch(/missing variable 'k'/);
    expect(space.invalidReason({ depth: 5, width: 64, act: 'relu', lr: 0.01, k: 7 })).toMatch(/'depth' = 5 is not one of 1, 2, 3, 4/);
    expect(space.invalidReason({ depth: '3', width: 64, act: 'relu', lr: 0.01, k: 7 })).toMatch(/'depth' = "3"/);
    expect(space.invalidReason({ depth: 3, width: 64, act: 'relu', lr: 0.01, k: 7, z: 1 })).toMatch(/unknown variable 'z'/);
    expect(space.invalidReason([1, 2])).toMatch(/expected a record/);
  });
});

describe('choice space: logits, relaxation and projection', () => {
  it('project(logits(a)) = a and relax(logits(a)) = encode(a) for every architecture', () => {
    for (const a of space.enumerate!()) {
      const z = space.logits(a);
      const p = space.project(z);
      expect(p).toEqual({ ok: true, arch: a });
      const r = space.relax(tensor(z, [1, space.logitDim], { dtype: 'float64' }), { tau: 1e-3 }).flat.toArray();
      const e = Array.from(space.encode(a).flat);
      r.forEach((x, i) => expect(x).toBeCloseTo(e[i]!, 5));
    }
  });

  it('every finite logit vector projects to a valid architecture; non-finite ones are refused', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 7, maxLength: 7 }), (z) => {
        const p = space.project(z);
        expect(p.ok).toBe(true);
        if (p.ok) expect(space.isValid(p.arch)).toBe(true);
      }),
      { seed: 42, numRuns: 300 },
    );
    expect(space.project([0, 0, NaN, 0, 0, 0, 0])).toEqual({ ok: false, reason: expect.stringMatching(/logit 2 \(act=relu\) is NaN/) });
    expect(space.project([0, 0])).toEqual({ ok: false, reason: expect.stringMatching(/expected 7 logits, got 2/) });
  });

  it('projection rounds ordered variables to the nearest grid cell and clamps', () => {
    const z = space.logits({ depth: 1, width: 16, act: 'relu', lr: 0.1, k: 3 });
    z[0] = 40; // far beyond the top: clamps to max
    z[1] = -40;
    z[6] = Math.log(0.5 / 0.5); // middle of 3 cells → k = 5
    const p = space.project(z);
    expect(p.ok && p.arch).toEqual({ depth: 4, width: 16, act: 'relu', lr: 0.1, k: 5 });
  });

  it('relax rows are well formed: categorical blocks sum to 1, ordered slots lie in (0, 1)', () => {
    const rng = new Rng(3);
    const b = 5;
    const z = tensor(Array.from({ length: b * 7 }, () => 3 * rng.normal()), [b, 7], { dtype: 'float64' });
    const flat = space.relax(z, { tau: 0.5 }).flat;
    expect(flat.shape).toEqual([b, 7]);
    const x = flat.toArray();
    for (let r = 0; r < b; r++) {
      const row = x.slice(r * 7, r * 7 + 7);
      expect(row[2]! + row[3]! + row[4]!).toBeCloseTo(1, 12);
      for (const i of [0, 1, 5, 6]) expect(row[i]! > 0 && row[i]! < 1).toBe(true);
    }
    expect(() => space.relax(z, { tau: 0 })).toThrow(/tau must be a finite number > 0, got 0/);
    expect(() => space.relax(tensor([1, 2], [1, 2]))).toThrow(/logits must have shape \[B, 7\], got \[1, 2\]/);
  });

  it('relax and relaxedValues are differentiable (finite differences)', () => {
    const rng = new Rng(8);
    const z = tensor(Array.from({ length: 14 }, () => rng.normal()), [2, 7], { dtype: 'float64' });
    const w = tensor(Array.from({ length: 14 }, () => rng.normal()), [2, 7], { dtype: 'float64' });
    const f = (x: typeof z) => {
      const v = space.relaxedValues(x, { tau: 0.7 });
      const vals = concat(['depth', 'width', 'lr', 'k'].map((n) => v.get(n)!.div(100)), 0);
      return sum(concat([sum(mul(space.relax(x, { tau: 0.7 }).flat, w)).reshape([1]), vals], 0));
    };
    const report = checkGrads(f, [z], { seed: 5 });
    expect(report.mismatches).toEqual([]);
    const { grads } = valueAndGrad(f)(z);
    expect(grads[0]!.toArray().every((g) => Math.abs(g) > 1e-9)).toBe(true);
  });

  it('relaxed values hit the grid at logits(a), interpolate between points, log-linearly for log-int', () => {
    fc.assert(
      fc.property(idxArb, (idx) => {
        const a = archOf(idx);
        const v = space.relaxedValues(tensor(space.logits(a), [1, 7], { dtype: 'float64' }));
        for (const n of ['depth', 'width', 'lr', 'k']) expect(v.get(n)!.item()).toBeCloseTo(a[n] as number, 9);
        expect(v.get('act')!.shape).toEqual([1, 3]);
      }),
      { seed: 42, numRuns: 50 },
    );
    const z = new Float64Array(7);
    z[1] = Math.log(2 / 3); // u = 0.4 → t = 1.5, halfway between 32 and 64 in log space
    z[0] = Math.log(0.625 / 0.375); // u = 0.625 → t = 2: depth exactly 3
    const v = space.relaxedValues(tensor(z, [1, 7], { dtype: 'float64' }));
    expect(v.get('width')!.item()).toBeCloseTo(Math.sqrt(32 * 64), 9);
    expect(v.get('depth')!.item()).toBeCloseTo(3, 12);
  });
});

describe('choice space: sampling, mutation, neighbours, enumeration, constraints', () => {
  it('enumerates every architecture once', () => {
    const all = [...space.enumerate!()];
    expect(all.length).toBe(space.size);
    expect(new Set(all.map((a) => space.hash(a))).size).toBe(space.size);
  });

  it('does not offer enumerate for large spaces', () => {
    const big = new ChoiceSpace({ name: 'big', variables: [{ type: 'int', name: 'a', min: 0, max: 999 }, { type: 'int', name: 'b', min: 0, max: 9999 }] });
    expect(big.size).toBe(1e7);
    expect(big.enumerate).toBeUndefined();
  });

  it('samples deterministically per seed and covers the space', () => {
    const s1 = Array.from({ length: 50 }, ((r) => () => space.hash(space.sample(r)))(new Rng(1)));
    const s2 = Array.from({ length: 50 }, ((r) => () => space.hash(space.sample(r)))(new Rng(1)));
    expect(s1).toEqual(s2);
    const rng = new Rng(2);
    const acts = new Set(Array.from({ length: 200 }, () => space.sample(rng)['act']));
    expect(acts.size).toBe(3);
  });

  it('neighbours are exactly the one-variable changes to adjacent grid points / other options', () => {
    const a = { depth: 1, width: 64, act: 'relu', lr: 0.03, k: 7 };
    const ns = space.neighbours(a).map((n) => space.toString(n));
    expect(ns.sort()).toEqual(
      [
        'depth=2,width=64,act=relu,lr=0.03,k=7',
        'depth=1,width=32,act=relu,lr=0.03,k=7',
        'depth=1,width=128,act=relu,lr=0.03,k=7',
        'depth=1,width=64,act=tanh,lr=0.03,k=7',
        'depth=1,width=64,act=gelu,lr=0.03,k=7',
        'depth=1,width=64,act=relu,lr=0.1,k=7',
        'depth=1,width=64,act=relu,lr=0.01,k=7',
        'depth=1,width=64,act=relu,lr=0.03,k=5',
      ].sort(),
    );
  });

  it('mutate changes exactly one variable and stays valid', () => {
    fc.assert(
      fc.property(idxArb, fc.integer({ min: 0, max: 1e6 }), (idx, seed) => {
        const a = archOf(idx);
        const m = space.mutate(a, new Rng(seed));
        expect(space.isValid(m)).toBe(true);
        const diff = space.variables.filter((v) => m[v.name] !== a[v.name]);
        expect(diff.length).toBe(1);
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('a constraint filters sampling, enumeration, neighbours and mutation, and fails projection explicitly', () => {
    const cs = new ChoiceSpace({
      name: 'budget',
      variables: VARS,
      constraint: (a) => (a['depth'] as number) * (a['width'] as number) <= 128 || `depth×width = ${(a['depth'] as number) * (a['width'] as number)} > 128`,
    });
    const all = [...cs.enumerate!()];
    expect(all.length).toBe(27 * (4 + 3 + 2 + 2)); // (depth, width) pairs with d·w ≤ 128 per depth 1..4, times act×lr×k
    const rng = new Rng(4);
    for (let i = 0; i < 100; i++) {
      const a = cs.sample(rng);
      expect(cs.isValid(a)).toBe(true);
      expect(cs.isValid(cs.mutate(a, rng))).toBe(true);
      for (const n of cs.neighbours(a)) expect(cs.isValid(n)).toBe(true);
    }
    const z = space.logits({ depth: 4, width: 256, act: 'relu', lr: 0.1, k: 3 });
    expect(cs.project(z)).toEqual({ ok: false, reason: expect.stringMatching(/violates the constraint: depth×width = 1024 > 128/) });
    expect(() => cs.parse('depth=4,width=256,act=relu,lr=0.1,k=3')).toThrow(/violates the constraint/);
    const never = new ChoiceSpace({ name: 'never', variables: VARS, constraint: () => false, sampleTries: 20 });
    expect(() => never.sample(new Rng(0))).toThrow(/no architecture satisfying the constraint in 20 uniform draws/);
  });
});
