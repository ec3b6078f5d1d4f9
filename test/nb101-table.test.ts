/**
 * NB-101 tables and oracle on generated data (never rows of the shared tables): strict parsing
 * with row/field errors, the pool oracle, and the general results type with repeats and test.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../src/autograd/random.js';
import { NB101_SUBSET_SIZE, nb101Oracle, parseNb101Space, parseNb101Subset, type Nb101Results } from '../src/nas/benchmarks/nb101.js';
import { loadNb101Oracle } from '../src/io/load-nb101.js';
import { distinctCells, specFields, SPACE_HEADER, subsetCsv, type Cell } from './nb101-fixtures.js';

let cells: Cell[];
let text: string;
let lines: string[];
let parsed: Nb101Results;
beforeAll(() => {
  cells = distinctCells(NB101_SUBSET_SIZE, 2024);
  text = subsetCsv(cells, 5);
  lines = text.split('\n');
  parsed = parseNb101Subset(text, 'gen.csv');
}, 60_000); // ≈3 s alone; generous for a loaded CI machine

/**
 * The first 2,000 rows with line `n` (1-based) replaced by `f(line)`: rows are checked before the
 * count, so a short table reaches the same row errors at a tenth of the hashing cost.
 */
function withLine(n: number, f: (line: string) => string): string {
  return lines.slice(0, 2001).map((l, i) => (i === n - 1 ? f(l) : l)).join('\n');
}
function withField(n: number, col: number, value: string): string {
  return withLine(n, (l) => l.split(',').map((v, k) => (k === col ? value : v)).join(','));
}

describe('parseNb101Subset', () => {
  it('parses a well-formed 20,001-row table, recomputing every hash', () => {
    const r = parsed;
    expect(r.archs).toHaveLength(NB101_SUBSET_SIZE);
    expect(r.archs[123]).toEqual(cells[123]!.arch);
    expect(r.rowOf.get(cells[77]!.hash)).toBe(77);
    expect(r.repeats).toBe(1);
    expect(r.complete).toBe(false);
    expect(r.val.get(108)![5]).toBeCloseTo(Number(lines[6]!.split(',')[8]), 6);
    expect(r.params[5]).toBe(Number(lines[6]!.split(',')[10]));
  });

  it('names the line and column of a corrupted row', () => {
    const line = 1000;
    const good = lines[line - 1]!.split(',');
    const wrongHash = good[0]!.slice(0, 31) + (good[0]!.endsWith('0') ? '1' : '0');
    expect(() => parseNb101Subset(withField(line, 0, good[0]!.toUpperCase()), 's')).toThrow(/line 1000, column 'hash': expected 32 lower-case hex/);
    expect(() => parseNb101Subset(withField(line, 0, wrongHash), 's')).toThrow(/line 1000, column 'hash': stored [0-9a-f]+, but the spec hashes to/);
    expect(() => parseNb101Subset(withField(line, 0, lines[1]!.split(',')[0]!), 's')).toThrow(/line 1000, column 'hash': [0-9a-f]+ already appeared on line 2/);
    expect(() => parseNb101Subset(withField(line, 1, '9'), 's')).toThrow(/line 1000, column 'n_vertices': expected an integer in \[2, 7\], got '9'/);
    expect(() => parseNb101Subset(withField(line, 2, '0'), 's')).toThrow(/line 1000, column 'n_edges': says 0/);
    expect(() => parseNb101Subset(withField(line, 3, good[3]!.replace(/^0/, '1')), 's')).toThrow(/line 1000, column 'adjacency\/ops': an edge 0 → 0/);
    expect(() => parseNb101Subset(withField(line, 4, good[4]!.replace(/O$/, 'A')), 's')).toThrow(/line 1000, column 'adjacency\/ops': ops must start with I and end with O/);
    expect(() => parseNb101Subset(withField(line, 4, good[4]!.replace(/^I./, 'IX')), 's')).toThrow(/line 1000, column 'adjacency\/ops': vertex 1 has op letter 'X'/);
    expect(() => parseNb101Subset(withField(line, 8, '101'), 's')).toThrow(/line 1000, column 'val_acc_108ep': expected a number in \[0, 100\], got '101'/);
    expect(() => parseNb101Subset(withField(line, 6, 'nan'), 's')).toThrow(/line 1000, column 'val_acc_12ep': expected a number, got 'nan'/);
    expect(() => parseNb101Subset(withField(line, 10, '12.5'), 's')).toThrow(/line 1000, column 'params': expected an integer/);
    expect(() => parseNb101Subset(withLine(line, (l) => l.slice(0, 40)), 's')).toThrow(/line 1000 has \d+ fields, expected 11/);
  });

  it('rejects specs that are not pruned, and truncated or headerless files', () => {
    // 0→1, 0→2, 1→3, 2→(nothing): vertex 2 has no out-edge.
    const unpruned = ['0'.repeat(32), '4', '3', '0110000100000000', 'IAAO'];
    const t1 = withLine(10, (l) => [...unpruned, ...l.split(',').slice(5)].join(','));
    expect(() => parseNb101Subset(t1, 's')).toThrow(/line 10, column 'adjacency\/ops': vertex 2 has no out-edge/);
    const truncated = lines.slice(0, 1500).join('\n');
    expect(() => parseNb101Subset(truncated, 'cut.csv')).toThrow(/cut.csv: has 1499 data rows, expected 20001/);
    expect(() => parseNb101Subset(lines.slice(1).join('\n'), 'nohead.csv')).toThrow(/missing column/);
    expect(() => parseNb101Subset('', 'empty.csv')).toThrow(/empty file/);
  });

  it('space table: rows are checked first, then the count', () => {
    const small = [SPACE_HEADER, ...cells.slice(0, 50).map((c) => specFields(c).join(','))].join('\n');
    expect(() => parseNb101Space(small, 'sp.csv')).toThrow(/sp.csv: has 50 data rows, expected 423624/);
    const bad = small.replace(/\n[^,]+,/, '\nxyz,');
    expect(() => parseNb101Space(bad, 'sp.csv')).toThrow(/line 2, column 'hash'/);
  });

  it('a missing data directory names the path and how to fix it', () => {
    expect(() => loadNb101Oracle({ dataDir: '/nonexistent/prednas-data' })).toThrow(/data file not found: \/nonexistent\/prednas-data\/nasbench101\/nb101_subset20k.csv.gz[\s\S]*PREDNAS_DATA/);
  });
});

describe('nb101 oracle', () => {
  it('the subset is a pool: single semantics, val at the chosen fidelity, no test, params and time', () => {
    const r = parsed;
    const o = nb101Oracle(r);
    expect(o.benchmark).toBe('nb101-pool');
    expect(o.isPool).toBe(true);
    expect(o.semantics).toBe('single');
    expect(o.space.name).toBe('nb101-pool');
    expect(o.datasets).toEqual(['cifar10']);
    const a = cells[42]!.arch;
    const q = o.query(a, { dataset: 'cifar10' });
    expect(q).toEqual({ val: r.val.get(108)![42], test: null, cost: { params: r.params[42] }, trainTime: r.trainTime.get(108)![42] });
    expect(o.queryCount).toBe(1);
    expect(o.peek(a, { dataset: 'CIFAR10' }).val).toBe(q.val);
    expect(o.queryCount).toBe(1);
    const low = nb101Oracle(r, { fidelity: 12 });
    expect(low.peek(a, { dataset: 'cifar10' })).toEqual({ val: r.val.get(12)![42], test: null, cost: { params: r.params[42] } });
    expect(() => o.query(a, { dataset: 'cifar100' })).toThrow(/unknown dataset 'cifar100'; NAS-Bench-101 has cifar10 only/);
    expect(() => nb101Oracle(r, { semantics: 'mean' })).toThrow(/'mean' needs the three training runs[\s\S]*only 'single'/);
    expect(() => nb101Oracle(r, { fidelity: 50 as never })).toThrow(/unknown fidelity 50/);
  });

  it('optimum is computed from the data under both protocols, with feasibility', () => {
    const r = parsed;
    const o = nb101Oracle(r);
    const val = r.val.get(108)!;
    const best = val.indexOf(Math.max(...val));
    for (const p of ['A', 'B'] as const) expect(o.optimum('cifar10', p)).toEqual({ value: val[best], arch: r.archs[best] });
    const small = o.optimum('cifar10', 'A', (a) => a.ops.length <= 4);
    expect(small.arch.ops.length).toBeLessThanOrEqual(4);
    expect(small.value).toBe(Math.max(...r.archs.map((a, i) => (a.ops.length <= 4 ? val[i]! : -1))));
    expect(() => o.optimum('cifar10', 'A', () => false)).toThrow(/no cell of gen.csv satisfies/);
  });

  it('cells outside the pool and invalid cells are refused with the reason', () => {
    const o = nb101Oracle(parsed);
    const rng = new Rng(7);
    let outside = cells[0]!.arch;
    while (o.has(outside)) outside = o.fullSpace.mutate(outside, rng);
    expect(() => o.query(outside, { dataset: 'cifar10' })).toThrow(/has no results in gen.csv \(outside the 20001-cell pool/);
    expect(o.queryCount).toBe(0);
    expect(o.has(o.space.parse('0000|IO'))).toBe(false);
  });

  it('a general table with 3 repeats and test accuracy supports mean and sample semantics', () => {
    const few = cells.slice(0, 50);
    const rng = new Rng(9);
    const col = () => Float64Array.from({ length: few.length * 3 }, () => 80 + 10 * rng.next());
    const results: Nb101Results = {
      source: 'synthetic', archs: few.map((c) => c.arch), hashes: few.map((c) => c.hash), rowOf: new Map(few.map((c, i) => [c.hash, i])),
      repeats: 3, val: new Map([[108, col()]]), test: new Map([[108, col()]]), trainTime: new Map(), params: new Float64Array(few.length).fill(1e6), complete: true,
    };
    const mean = nb101Oracle(results, { semantics: 'mean' });
    expect(mean.isPool).toBe(false);
    expect(mean.benchmark).toBe('nb101');
    const v = results.val.get(108)!, t = results.test.get(108)!;
    const m = mean.query(few[3]!.arch, { dataset: 'cifar10' });
    expect(m.val).toBeCloseTo((v[9]! + v[10]! + v[11]!) / 3, 12);
    expect(m.test).toBeCloseTo((t[9]! + t[10]! + t[11]!) / 3, 12);
    const sample = nb101Oracle(results);
    expect(sample.semantics).toBe('sample');
    expect(() => sample.query(few[3]!.arch, { dataset: 'cifar10' })).toThrow(/needs opts.rng/);
    const seen = new Set<number>();
    const qr = new Rng(1);
    for (let i = 0; i < 40; i++) {
      const s = sample.query(few[3]!.arch, { dataset: 'cifar10', rng: qr });
      const k = [9, 10, 11].find((j) => v[j] === s.val)!;
      expect(s.test).toBe(t[k]); // val and test come from the same run
      seen.add(k);
    }
    expect(seen.size).toBe(3);
    const best = [...Array(50).keys()].reduce((b, i) => ((v[3 * i]! + v[3 * i + 1]! + v[3 * i + 2]!) > (v[3 * b]! + v[3 * b + 1]! + v[3 * b + 2]!) ? i : b), 0);
    expect(mean.optimum('cifar10', 'A').arch).toBe(few[best]!.arch);
    expect(mean.optimum('cifar10', 'A').value).toBeCloseTo((t[3 * best]! + t[3 * best + 1]! + t[3 * best + 2]!) / 3, 12);
    expect(() => nb101Oracle(results, { semantics: 'single' })).toThrow(/3 runs per cell/);
  });
});
