import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveDataDir } from '../src/io/data-dir.js';
import { configFromSpec, runExperimentParallel, type ExperimentSpec } from '../src/io/parallel.js';
import { runExperiment } from '../src/nas/experiment/runner.js';
import { readResultsFile } from '../src/io/results-file.js';
import { loadBenchmark } from '../src/io/benchmarks.js';

const dataDir = resolveDataDir();
const hasData = existsSync(join(dataDir, 'nasbench201', 'nb201.csv.gz'));
if (!hasData && process.env.CI) throw new Error(`CI: NB-201 table missing under ${dataDir}`);

const fast = { predictor: { epochs: 40, ensemble: 2, hidden: 32 } };
const spec: ExperimentSpec = {
  benchmark: { space: 'nb201', dataset: 'cifar100', dataDir },
  algorithms: ['prednas', 'random', 'rea', 'ls', 'wen'],
  budget: 25,
  seeds: [0, 1],
  protocol: 'A',
  constraints: [],
  algorithmOptions: { prednas: { ...fast, steps: 50 }, wen: { ...fast, pool: 200 } },
};

describe.skipIf(!hasData)('end to end on the real NB-201 table (pipeline check, not headline numbers)', () => {
  it('runs every algorithm; parallel workers give the serial trajectories', async () => {
    const serial = runExperiment(configFromSpec(spec));
    const parallel = await runExperimentParallel(spec, { workers: 2 });
    expect(parallel.runs.map((r) => r.trajectory)).toEqual(serial.runs.map((r) => r.trajectory));
    expect(parallel.summary).toEqual(serial.summary);
    expect(serial.optimum.value).toBeCloseTo(73.48, 2);
    for (const a of spec.algorithms) {
      const s = serial.summary[a]!['20']!;
      expect(s.mean).toBeGreaterThan(60);
      expect(s.mean).toBeLessThanOrEqual(serial.optimum.value + 1e-9 + 0.5);
    }
  }, 120_000);

  it('screens at 12 epochs first: the same cells in workers, the 12-epoch column as val, full queries after', async () => {
    const screened: ExperimentSpec = { ...spec, algorithms: ['prednas', 'rea'], budget: 20, screening: { fidelity: '12ep', queries: 20, promote: 4 }, constraints: ['latency:pixel3<=10.68'] };
    const serial = runExperiment(configFromSpec(screened));
    const parallel = await runExperimentParallel(screened, { workers: 2 });
    expect(parallel.runs.map((r) => [r.screening, r.trajectory])).toEqual(serial.runs.map((r) => [r.screening, r.trajectory]));
    // 20 queries at 12 of 200 epochs cost 1.2 full queries: 2 in whole queries, so 18 full ones.
    expect(serial.screening).toEqual({ fidelity: '12ep', queries: 20, promote: 4, costPerQuery: 0.06, offset: 2 });
    const low = loadBenchmark({ space: 'nb201', dataset: 'cifar100', dataDir, fidelity: '12ep' });
    const cfg = configFromSpec(spec);
    for (const r of serial.runs) {
      expect(r.screening).toHaveLength(20);
      expect(r.trajectory.map((p) => p.query)).toEqual(Array.from({ length: 18 }, (_, i) => i + 3));
      for (const o of r.screening!) {
        const a = low.space.parse(o.arch);
        expect(o.val).toBe(low.oracle.peek(a, { dataset: 'cifar100' }).val);
        expect(cfg.oracle.peek(a, { dataset: 'cifar100' }).cost.latencies!['pixel3']!).toBeLessThanOrEqual(10.68);
      }
      for (const p of r.trajectory) expect(p.val).toBe(cfg.oracle.peek(cfg.space!.parse(p.arch), { dataset: 'cifar100' }).val);
    }
    expect(() => configFromSpec({ ...screened, benchmark: { ...screened.benchmark, space: 'nbmacro', dataset: 'cifar10' } })).toThrow(/--screen: only nb201 and nb101 have a cheaper fidelity/);
    expect(() => configFromSpec({ ...screened, benchmark: { ...screened.benchmark, fidelity: '12ep' } })).toThrow(/screening: 12ep \(12 epochs\) is not cheaper than the fidelity searched in full \(12 epochs\)/);
    expect(() => configFromSpec({ ...screened, screening: { fidelity: '4ep', queries: 20, promote: 4 } })).toThrow(/--screen: nb201's cheaper fidelity is 12ep, got '4ep'/);
  }, 120_000);

  it('a latency constraint from the table is a hard filter on every query', () => {
    const res = runExperiment(configFromSpec({ ...spec, seeds: [3], budget: 15, constraints: ['latency:pixel3<=10.68'] }));
    const cfg = configFromSpec(spec);
    for (const run of res.runs) {
      for (const p of run.trajectory) {
        const lat = cfg.oracle.peek(cfg.space!.parse(p.arch), { dataset: 'cifar100' }).cost.latencies!['pixel3']!;
        expect(lat).toBeLessThanOrEqual(10.68);
      }
    }
  }, 60_000);

  it('the CLI writes results.json.gz (schema prednas.results/1) and table.md, and rejects bad flags', () => {
    const out = mkdtempSync(join(tmpdir(), 'prednas-cli-'));
    const cli = resolve('src/cli/prednas.ts');
    execFileSync('npx', ['tsx', cli, 'compare', '--space', 'nb201', '--dataset', 'imagenet16', '--algos', 'random,rea', '--seeds', '0..2', '--budget', '12', '--data', dataDir, '--out', out], { stdio: 'pipe' });
    const res = readResultsFile(out) as any; // parsed JSON, as loosely typed as JSON.parse's
    expect(res.schema).toBe('prednas.results/1');
    expect(res.dataset).toBe('ImageNet16-120');
    expect(res.runs).toHaveLength(6);
    expect(res.runs[0].trajectory[0]).toEqual(expect.objectContaining({ query: 1, arch: expect.stringMatching(/^\|.*\|$/) }));
    expect(readFileSync(join(out, 'table.md'), 'utf8')).toMatch(/protocol A/);
    // A screened search says what it screened; a malformed --screen is a usage error.
    const screened = spawnSync('npx', ['tsx', cli, 'search', '--space', 'nb201', '--algo', 'random', '--budget', '12', '--screen', '12ep:50:5', '--data', dataDir, '--json'], { encoding: 'utf8' });
    expect(screened.status, screened.stderr).toBe(0);
    const rec = JSON.parse(screened.stdout);
    expect(rec.screening).toHaveLength(50);
    expect(rec.best.query).toBeGreaterThanOrEqual(4); // 50 × 12/200 = 3 full queries' worth first
    const badScreen = spawnSync('npx', ['tsx', cli, 'compare', '--space', 'nb201', '--screen', '12ep:50', '--out', out], { encoding: 'utf8' });
    expect(badScreen.status).toBe(2);
    expect(badScreen.stderr).toMatch(/--screen: expected FIDELITY:QUERIES:PROMOTE/);
    const bad = spawnSync('npx', ['tsx', cli, 'compare', '--space', 'nb201', '--seeds', '5..1', '--out', out], { encoding: 'utf8' });
    expect(bad.status).toBe(2); // usage error
    expect(bad.stderr).toMatch(/--seeds: empty range '5\.\.1'/);
    // info reports missing data as a status; a search that needs the table fails with the path.
    const info = spawnSync('npx', ['tsx', cli, 'info', '--space', 'nb201', '--data', join(out, 'nowhere')], { encoding: 'utf8' });
    expect(info.status).toBe(0);
    expect(info.stdout).toMatch(/data: .*nowhere.*not found/);
    const missing = spawnSync('npx', ['tsx', cli, 'search', '--space', 'nb201', '--budget', '5', '--data', join(out, 'nowhere')], { encoding: 'utf8' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/data file not found: .*nowhere.*nb201\.csv\.gz/);
  }, 60_000);
});
