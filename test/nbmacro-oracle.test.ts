/**
 * NAS-Bench-Macro table parser and oracle on a table generated here (no real data needed): strict
 * validation with errors naming file/line/column, and the 'sample' query semantics.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/autograd/random.js';
import { nbmacroOracle, parseNbMacroTable } from '../src/nas/benchmarks/nbmacro.js';
import { NBMACRO_ENCODINGS, nbmacroCanonical, nbmacroCode, nbmacroCost, nbmacroFromCode, nbmacroParse, nbmacroToString } from '../src/nas/spaces/nbmacro.js';

const HEADER = 'arch,l1,l2,l3,l4,l5,l6,l7,l8,canonical_arch,is_canonical,n_identity,n_mb3k3,n_mb6k5,test_acc_run1,test_acc_run2,test_acc_run3,test_acc_mean,test_acc_std,params,flops';

/** Three synthetic runs per network, a deterministic function of its canonical code. */
function runsOf(canonCode: number): number[] {
  return [0, 1, 2].map((k) => 60 + (canonCode % 301) / 10 + [0.13, -0.21, 0.05][k]!);
}

/** A complete, valid table in the shared file's format, generated from our own space code. */
function syntheticTable(): string[] {
  const lines = [HEADER];
  for (let c = 0; c < NBMACRO_ENCODINGS; c++) {
    const a = nbmacroFromCode(c);
    const canon = nbmacroCanonical(a);
    const r = runsOf(nbmacroCode(canon));
    const m = (r[0]! + r[1]! + r[2]!) / 3;
    const sd = Math.sqrt(r.reduce((s, v) => s + (v - m) ** 2, 0) / 3);
    const cost = nbmacroCost(a);
    const counts = [0, 1, 2].map((k) => a.filter((x) => x === k).length);
    const s = nbmacroToString(a), cs = nbmacroToString(canon);
    lines.push([s, ...a, cs, s === cs ? 1 : 0, ...counts, ...r.map((v) => v.toFixed(2)), m.toFixed(4), sd.toFixed(4), cost.params, cost.flops].join(','));
  }
  return lines;
}

const LINES = syntheticTable();
const TEXT = LINES.join('\n') + '\n';
const SRC = 'gen/nbmacro.csv';

/** The table with line `line` (1-based, header = 1) passed through `edit`. */
function edited(line: number, edit: (fields: string[]) => void): string {
  const out = [...LINES];
  const f = out[line - 1]!.split(',');
  edit(f);
  out[line - 1] = f.join(',');
  return out.join('\n') + '\n';
}

const col = (name: string) => HEADER.split(',').indexOf(name);

describe('nbmacro table parser', () => {
  it('accepts a complete table and lists 3,969 canonical networks', () => {
    const t = parseNbMacroTable(TEXT, SRC);
    expect(t.canonical.length).toBe(3969);
    expect(t.params[nbmacroCode(nbmacroParse('22212220'))]).toBe(nbmacroCost(nbmacroParse('22212220')).params);
  });

  it.each([
    ['a missing row', () => LINES.slice(0, -1).join('\n'), /gen\/nbmacro\.csv: has 6560 data rows, expected 6561/],
    ['a layer column that disagrees with arch', () => edited(5, (f) => (f[col('l3')] = '2')), /gen\/nbmacro\.csv: line 5, column 'l3': 2 disagrees with arch '00000010'/],
    ['a wrong canonical_arch', () => edited(3, (f) => (f[col('canonical_arch')] = '00000001')), /line 3, column 'canonical_arch': '00000001' but the canonical form of 00000001 .* is '00000010'/],
    ['an is_canonical flag that lies', () => edited(2, (f) => (f[col('is_canonical')] = '0')), /line 2, column 'is_canonical': 0 but arch '00000000' is canonical/],
    ['a mean that is not the runs\' mean', () => edited(10, (f) => (f[col('test_acc_mean')] = '12.5')), /line 10, column 'test_acc_mean': 12.5 is not the mean of the three runs/],
    ['an accuracy above 100', () => edited(7, (f) => (f[col('test_acc_run2')] = '101')), /line 7, column 'test_acc_run2': accuracy 101 is outside \[0, 100\]/],
    ['a non-numeric cost', () => edited(8, (f) => (f[col('flops')] = 'n/a')), /line 8, column 'flops': expected a number, got 'n\/a'/],
    ['a malformed arch', () => edited(4, (f) => (f[col('arch')] = '0000003')), /line 4, column 'arch': nbmacro: malformed arch '0000003'/],
    ['an alias whose record differs from its network', () => edited(3, (f) => (f[col('params')] = String(Number(f[col('params')]) + 1))), /line 3, column 'params': \d+ differs from \d+ of its canonical network on line 5/],
  ])('rejects %s', (_, text, msg) => {
    expect(() => parseNbMacroTable(text(), SRC)).toThrow(msg);
  });

  it('rejects a duplicated encoding', () => {
    const out = [...LINES];
    out[3] = out[2]!;
    expect(() => parseNbMacroTable(out.join('\n'), SRC)).toThrow(/line 4: arch 00000001 already appeared on line 3/);
  });
});

describe('nbmacro oracle (sample semantics)', () => {
  const o = nbmacroOracle(parseNbMacroTable(TEXT, SRC));
  const a = nbmacroParse('21220200');
  const runs = runsOf(nbmacroCode(a));
  const mean = (runs[0]! + runs[1]! + runs[2]!) / 3;

  it('a query returns one of the three runs as val and the 3-run mean as test, and counts', () => {
    const rng = new Rng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 60; i++) {
      const r = o.query(a, { dataset: 'cifar10', rng });
      expect(runs.map((v) => Number(v.toFixed(2)))).toContain(r.val);
      expect(r.test).toBeCloseTo(mean, 4);
      seen.add(r.val);
    }
    expect(seen.size).toBe(3);
    expect(o.queryCount).toBe(60);
    expect(o.semantics).toBe('sample');
  });

  it('is deterministic in the RNG seed, needs an RNG to query, and peeks the mean without one', () => {
    const draw = (seed: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: 20 }, () => o.peek(a, { dataset: 'cifar10', rng }).val);
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    expect(() => o.query(a, { dataset: 'cifar10' })).toThrow(/needs opts\.rng/);
    expect(o.peek(a, { dataset: 'cifar10' }).val).toBeCloseTo(mean, 4);
    expect(() => o.peek(a, { dataset: 'cifar100' })).toThrow(/unknown dataset 'cifar100'; NAS-Bench-Macro has one: cifar10/);
  });

  it('answers a non-canonical encoding with its network\'s record', () => {
    expect(o.peek(nbmacroParse('21202200'), { dataset: 'cifar10' })).toEqual(o.peek(a, { dataset: 'cifar10' }));
  });

  it('optimum is the best 3-run mean over networks, under both protocols and within a constraint', () => {
    let best = -Infinity;
    for (const x of o.archs()) best = Math.max(best, o.peek(x, { dataset: 'cifar10' }).test!);
    expect(o.optimum('cifar10', 'A').value).toBe(best);
    expect(o.optimum('cifar10', 'B')).toEqual(o.optimum('cifar10', 'A'));
    const feasible = (x: readonly number[]) => nbmacroCost(x).flops <= 20e6;
    const c = o.optimum('cifar10', 'A', feasible);
    expect(feasible(c.arch)).toBe(true);
    for (const x of o.archs()) if (feasible(x)) expect(o.peek(x, { dataset: 'cifar10' }).test!).toBeLessThanOrEqual(c.value);
    expect(() => o.optimum('cifar10', 'A', () => false)).toThrow(/no network satisfies/);
  });
});
