/**
 * The NB-201 table parser, oracle and loader on tables generated here (never the real rows):
 * a complete, internally consistent 15,625-row table with seeded metric values and a shuffled
 * index order, which the tests then corrupt one way at a time.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../src/autograd/random.js';
import { loadNb201Oracle, loadNb201Tables } from '../src/io/load-nb201.js';
import { nb201Oracle, parseNb201Latency, parseNb201Table, type Nb201Table } from '../src/nas/benchmarks/nb201.js';
import { nb201Cost, nb201CostModel } from '../src/nas/spaces/nb201-cost.js';
import { nb201FromCode, nb201IsoKey, nb201ToString, type Nb201Arch } from '../src/nas/spaces/nb201.js';

const KEYS = ['cifar10', 'cifar100', 'imagenet16'] as const;
const ACC = [
  ...KEYS.map((k) => `${k}_test_acc`), ...KEYS.map((k) => `naslib_val_acc_${k}`),
  'cifar10_valid_val_acc_12ep', 'cifar10_test_acc_12ep', 'cifar100_val_acc_12ep', 'cifar100_test_acc_12ep',
  'imagenet16_val_acc_12ep', 'imagenet16_test_acc_12ep',
];
const HEADER = ['index', 'arch_str', 'op0', 'op1', 'op2', 'op3', 'op4', 'op5', ...ACC,
  ...KEYS.flatMap((k) => [`params_${k}`, `flops_${k}`]), 'unique_str'];

interface Fixture {
  text: string;
  latencyText: string;
  /** Architecture at each benchmark index. */
  archOf: Nb201Arch[];
  /** Metric values by column name, by benchmark index. */
  values: Map<string, number[]>;
  latency: Map<string, number[]>;
}

function makeFixture(seed: number): Fixture {
  const rng = new Rng(seed);
  const codes = rng.shuffle(Array.from({ length: 15625 }, (_, i) => i));
  const archOf = codes.map((c) => nb201FromCode(c));
  const values = new Map<string, number[]>(ACC.map((c) => [c, archOf.map(() => Math.round(rng.uniform(0, 100) * 1e6) / 1e6)]));
  const models = KEYS.map((k) => nb201CostModel(k));
  const lines = [HEADER.join(',')];
  // Rows in a different order than the indices, to exercise the index join.
  const order = rng.shuffle(Array.from({ length: 15625 }, (_, i) => i));
  for (const ix of order) {
    const a = archOf[ix]!;
    const costs = models.flatMap((m) => {
      const c = nb201Cost(m, a);
      return [c.params.toFixed(6), c.flops.toFixed(6)];
    });
    lines.push([ix, nb201ToString(a), ...a, ...ACC.map((c) => values.get(c)![ix]), ...costs, nb201IsoKey(a)].join(','));
  }
  const latency = new Map<string, number[]>([['pixel3', archOf.map(() => rng.uniform(0, 20))], ['titanx_1', archOf.map(() => rng.uniform(0, 20))]]);
  const latLines = ['index,arch_str,lat_pixel3,lat_titanx_1'];
  for (let ix = 0; ix < 15625; ix++) {
    latLines.push(`${ix},${nb201ToString(archOf[ix]!)},${latency.get('pixel3')![ix]},${latency.get('titanx_1')![ix]}`);
  }
  return { text: lines.join('\n') + '\n', latencyText: latLines.join('\n') + '\n', archOf, values, latency };
}

/** Replace field `col` of 1-based line `line` of a CSV text. */
function setField(text: string, line: number, col: string, value: string): string {
  const lines = text.split('\n');
  const fields = lines[line - 1]!.split(',');
  fields[HEADER.indexOf(col)] = value;
  lines[line - 1] = fields.join(',');
  return lines.join('\n');
}

function fieldOf(text: string, line: number, col: string): string {
  return text.split('\n')[line - 1]!.split(',')[HEADER.indexOf(col)]!;
}

let fx: Fixture;
let table: Nb201Table;
beforeAll(() => {
  fx = makeFixture(2024);
  table = parseNb201Table(fx.text, 'gen.csv');
});

describe('nb201 table parsing', () => {
  it('reads every row, joins on index, and keeps values exact', () => {
    expect(table.archs.length).toBe(15625);
    const o = nb201Oracle(table);
    for (const ix of [0, 1, 777, 15624]) {
      const a = fx.archOf[ix]!;
      expect(o.indexOf(a)).toBe(ix);
      expect(o.peek(a, { dataset: 'cifar100' }).test).toBe(fx.values.get('cifar100_test_acc')![ix]);
    }
  });

  const cases: [string, (t: string) => string, RegExp][] = [
    ['a truncated file (rows missing)', (t) => t.split('\n').slice(0, 15000).join('\n'), /gen\.csv: has 14999 data rows, expected 15625 .*truncated/],
    ['a file cut mid-line', (t) => t.slice(0, t.length - 40), /gen\.csv: line 15626 has \d+ fields, expected 27 \(truncated or corrupted row\?\)/],
    ['a non-numeric accuracy', (t) => setField(t, 500, 'cifar10_test_acc', 'abc'), /line 500, column 'cifar10_test_acc': expected a number, got 'abc'/],
    ['an empty number', (t) => setField(t, 9, 'flops_cifar100', ''), /line 9, column 'flops_cifar100': expected a number, got ''/],
    ['an accuracy out of range', (t) => setField(t, 42, 'naslib_val_acc_imagenet16', '150'), /line 42, column 'naslib_val_acc_imagenet16': value 150 is outside/],
    ['an op column disagreeing with arch_str', (t) => setField(t, 3, 'op4', String((Number(fieldOf(t, 3, 'op4')) + 1) % 5)), /line 3, column 'op4': \d disagrees with arch_str/],
    ['an op outside 0..4', (t) => setField(t, 3, 'op0', '7'), /line 3, column 'op0': expected an integer in \[0, 4\], got '7'/],
    ['a malformed arch_str', (t) => setField(t, 77, 'arch_str', '|nor_conv_3x3~0|+|none~0|'), /line 77, column 'arch_str': nb201: malformed arch string .*2 '\+'-separated group/],
    ['a duplicated architecture', (t) => {
      for (const c of ['arch_str', 'op0', 'op1', 'op2', 'op3', 'op4', 'op5']) t = setField(t, 5, c, fieldOf(t, 4, c));
      return t;
    }, /line 5: architecture .* already appeared on line 4/],
    ['a duplicated index', (t) => setField(t, 10, 'index', fieldOf(t, 2, 'index')), /line 10: index \d+ already appeared on line 2/],
    ['an index out of range', (t) => setField(t, 10, 'index', '15625'), /line 10, column 'index': expected an integer in \[0, 15624\]/],
    ['a missing column', (t) => t.replace('naslib_val_acc_cifar100', 'naslib_val_acc_c100'), /missing column\(s\) naslib_val_acc_cifar100 in header/],
    ['an empty file', () => '', /empty file/],
  ];
  it.each(cases)('rejects %s, naming line and field', (_, corrupt, msg) => {
    expect(() => parseNb201Table(corrupt(fx.text), 'gen.csv')).toThrow(msg);
  });
});

describe('nb201 oracle', () => {
  it('resolves dataset names and aliases, and lists the valid ones otherwise', () => {
    const o = nb201Oracle(table);
    expect(o.datasets).toEqual(['cifar10', 'cifar100', 'ImageNet16-120']);
    expect(o.dataset('imagenet16')).toBe('ImageNet16-120');
    expect(o.dataset('ImageNet16-120')).toBe('ImageNet16-120');
    expect(o.dataset('CIFAR10')).toBe('cifar10');
    expect(() => o.peek([0, 0, 0, 0, 0, 0], { dataset: 'svhn' })).toThrow(/unknown dataset 'svhn'; valid names: cifar10, cifar100, ImageNet16-120/);
  });

  it('answers val/test/cost from the right columns, counts queries but not peeks', () => {
    const o = nb201Oracle(table);
    const a = fx.archOf[123]!;
    const r = o.query(a, { dataset: 'imagenet16' });
    expect(r.val).toBe(fx.values.get('naslib_val_acc_imagenet16')![123]);
    expect(r.test).toBe(fx.values.get('imagenet16_test_acc')![123]);
    const c = nb201Cost(nb201CostModel('ImageNet16-120'), a);
    expect(r.cost.params).toBeCloseTo(c.params, 6);
    expect(r.cost.flops).toBeCloseTo(c.flops, 6);
    expect(r.cost.latencies).toBeUndefined();
    o.peek(a, { dataset: 'cifar10' });
    o.query(a, { dataset: 'cifar10' });
    expect(o.queryCount).toBe(2);
    expect(o.semantics).toBe('single');
    expect(o.isPool).toBe(false);
    expect(o.metricColumns('cifar10')).toEqual({ val: 'naslib_val_acc_cifar10', test: 'cifar10_test_acc' });
  });

  it("fidelity '12ep' switches val to the 12-epoch validation columns, test stays at 200 epochs", () => {
    const o = nb201Oracle(table, { fidelity: '12ep' });
    const a = fx.archOf[9]!;
    expect(o.peek(a, { dataset: 'cifar10' }).val).toBe(fx.values.get('cifar10_valid_val_acc_12ep')![9]);
    expect(o.peek(a, { dataset: 'cifar100' }).val).toBe(fx.values.get('cifar100_val_acc_12ep')![9]);
    expect(o.peek(a, { dataset: 'cifar100' }).test).toBe(fx.values.get('cifar100_test_acc')![9]);
    expect(() => nb201Oracle(table, { fidelity: '50ep' as never })).toThrow(/unknown fidelity '50ep'/);
  });

  it('rejects invalid architectures by value', () => {
    const o = nb201Oracle(table);
    expect(o.has([0, 1, 2, 3, 4, 0])).toBe(true);
    expect(o.has([0, 1, 2, 3, 4])).toBe(false);
    expect(() => o.query([0, 1, 2, 3, 4, 5], { dataset: 'cifar10' })).toThrow(/not a NAS-Bench-201 architecture: \[0,1,2,3,4,5\]/);
    expect(o.queryCount).toBe(0);
  });

  it('optimum under protocols A and B, with and without a feasible set, matches brute force', () => {
    const o = nb201Oracle(table);
    const val = fx.values.get('naslib_val_acc_cifar100')!, test = fx.values.get('cifar100_test_acc')!;
    const argmax = (xs: number[], ok: (i: number) => boolean) => xs.reduce((b, v, i) => (ok(i) && (b < 0 || v > xs[b]!) ? i : b), -1);
    const all = () => true;
    const iA = argmax(val, all), iB = argmax(test, all);
    expect(o.optimum('cifar100', 'A')).toEqual({ value: test[iA], arch: fx.archOf[iA] });
    expect(o.optimum('cifar100', 'B')).toEqual({ value: test[iB], arch: fx.archOf[iB] });
    const cheap = (a: Nb201Arch) => o.costOf(a, 'flops', 'cifar100') <= 40;
    const iF = argmax(val, (i) => cheap(fx.archOf[i]!));
    expect(o.optimum('cifar100', 'A', cheap)).toEqual({ value: test[iF], arch: fx.archOf[iF] });
    expect(() => o.optimum('cifar100', 'A', () => false)).toThrow(/no architecture satisfies/);
    expect(() => o.optimum('cifar100', 'C' as never)).toThrow(/unknown protocol 'C'/);
  });

  it('joins latencies on index and exposes them as named costs', () => {
    const lat = parseNb201Latency(fx.latencyText, 'lat.csv', table);
    expect(lat.devices).toEqual(['pixel3', 'titanx_1']);
    const o = nb201Oracle(table, { latency: lat, latencyDevice: 'pixel3' });
    const a = fx.archOf[4321]!;
    const r = o.peek(a, { dataset: 'cifar10' });
    expect(r.cost.latency).toBe(fx.latency.get('pixel3')![4321]);
    expect(r.cost.latencies).toEqual({ pixel3: fx.latency.get('pixel3')![4321], titanx_1: fx.latency.get('titanx_1')![4321] });
    expect(o.costOf(a, 'latency:titanx_1', 'cifar10')).toBe(fx.latency.get('titanx_1')![4321]);
    expect(o.costNames()).toEqual(['params', 'flops', 'latency:pixel3', 'latency:titanx_1']);
    expect(() => o.costOf(a, 'latency:pixel4', 'cifar10')).toThrow(/unknown latency device 'pixel4'; devices: pixel3, titanx_1/);
    expect(() => o.costOf(a, 'energy', 'cifar10')).toThrow(/unknown cost 'energy'; valid: params, flops, latency:pixel3/);
    expect(() => nb201Oracle(table).costOf(a, 'latency:pixel3', 'cifar10')).toThrow(/needs the latency table/);
    expect(() => nb201Oracle(table, { latency: lat, latencyDevice: 'tpu' })).toThrow(/unknown latency device 'tpu'/);
  });

  it('rejects a latency table that disagrees with the main table', () => {
    const lines = fx.latencyText.split('\n');
    const f = lines[6]!.split(',');
    f[1] = nb201ToString(fx.archOf[(Number(f[0]) + 1) % 15625]!);
    lines[6] = f.join(',');
    expect(() => parseNb201Latency(lines.join('\n'), 'lat.csv', table)).toThrow(/lat\.csv: line 7: index 5 has arch_str '.*' but gen\.csv line \d+ has '/);
    expect(() => parseNb201Latency('index,arch_str,x\n', 'lat.csv', table)).toThrow(/no 'lat_<device>' columns/);
    expect(() => parseNb201Latency(fx.latencyText.replace(/\n5,([^,]*),[^,]*,/, '\n5,$1,-1,'), 'lat.csv', table)).toThrow(/line 7, column 'lat_pixel3': value -1 is outside/);
  });
});

describe('nb201 loader', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'prednas-nb201-'));
    mkdirSync(join(dir, 'nasbench201'));
    writeFileSync(join(dir, 'nasbench201', 'nb201.csv.gz'), gzipSync(fx.text));
  });

  it('loads from a data directory; the latency table is optional unless required', () => {
    const o = loadNb201Oracle({ dataDir: dir });
    expect(o.archs().length).toBe(15625);
    expect(o.latencyDevices).toEqual([]);
    expect(() => loadNb201Tables({ dataDir: dir, latency: true })).toThrow(/data file not found: .*nb201_latency_help\.csv\.gz[\s\S]*PREDNAS_DATA/);
    writeFileSync(join(dir, 'nasbench201', 'nb201_latency_help.csv.gz'), gzipSync(fx.latencyText));
    expect(loadNb201Oracle({ dataDir: dir }).latencyDevices).toEqual(['pixel3', 'titanx_1']);
    expect(loadNb201Tables({ dataDir: dir, latency: false }).latency).toBeUndefined();
  });

  it('names the missing path and how to fix it', () => {
    const empty = mkdtempSync(join(tmpdir(), 'prednas-empty-'));
    expect(() => loadNb201Oracle({ dataDir: empty })).toThrow(/data file not found: .*nasbench201[/\\]nb201\.csv\.gz[\s\S]*--data DIR or set PREDNAS_DATA/);
  });

  it('reports a truncated gzip download and errors carry the file path', () => {
    const bad = mkdtempSync(join(tmpdir(), 'prednas-bad-'));
    mkdirSync(join(bad, 'nasbench201'));
    const gz = gzipSync(fx.text);
    writeFileSync(join(bad, 'nasbench201', 'nb201.csv.gz'), gz.subarray(0, gz.length >> 1));
    expect(() => loadNb201Oracle({ dataDir: bad })).toThrow(/nb201\.csv\.gz: not a valid gzip file .*truncated/);
    writeFileSync(join(bad, 'nasbench201', 'nb201.csv.gz'), gzipSync(setField(fx.text, 12, 'flops_cifar10', 'x')));
    expect(() => loadNb201Oracle({ dataDir: bad })).toThrow(/nasbench201[/\\]nb201\.csv\.gz: line 12, column 'flops_cifar10'/);
  });
});
