/**
 * The real `prednas` binary in child processes, on generated space specs (and NB-201 where the
 * shared data is present): exit codes, output files, results.json against its schema.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJournal } from '../src/io/journal.js';
import { validateResults } from '../src/nas/report/results-schema.js';
import { readResultsFile } from '../src/io/results-file.js';
import { runCli, tempDir, writeSpec } from './fixtures/cli.js';

const COMMANDS = ['search', 'compare', 'predictor-eval', 'info', 'suggest', 'tell', 'run', 'status', 'export', 'plot', 'version'];

describe('prednas CLI basics', () => {
  it('has --help for every command (exit 0) and one-line errors with exit 2 for usage, 1 otherwise', () => {
    const top = runCli(['--help']);
    expect(top.code).toBe(0);
    for (const c of COMMANDS) expect(top.stdout).toContain(`  ${c} `);
    for (const c of COMMANDS) {
      const r = runCli([c, '--help']);
      expect(r.code, c).toBe(0);
      expect(r.stdout, c).toMatch(new RegExp(`^prednas ${c} — `));
    }
    const unknown = runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe("prednas: unknown command 'frobnicate' (commands: demo, search, compare, merge, predictor-eval, info, suggest, tell, run, serve, status, export, plot, version; see prednas --help)\n");
    const badFlag = runCli(['search', '--budgte', '5']);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr.trim().split('\n')).toHaveLength(1);
    expect(badFlag.stderr).toMatch(/^prednas search: Unknown option '--budgte'/);
    const dir = tempDir();
    const spec = writeSpec(dir);
    const noDataset = runCli(['search', '--space', spec, '--budget', '5']);
    expect(noDataset.code).toBe(1);
    expect(noDataset.stderr).toMatch(/space without a benchmark table: pass --dataset synthetic/);
    const badBudget = runCli(['search', '--space', spec, '--dataset', 'synthetic', '--budget', 'ten']);
    expect(badBudget.code).toBe(2);
    expect(badBudget.stderr).toMatch(/--budget: expected an integer >= 1, got 'ten'/);
    const noFile = runCli(['info', '--space', join(dir, 'missing.json')]);
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toMatch(/cannot read spec file .*missing\.json \(ENOENT\)/);
    const verbose = runCli(['info', '--space', join(dir, 'missing.json'), '--verbose']);
    expect(verbose.stderr).toMatch(/\n {4}at /);
  }, 240_000); // some twenty CLI processes, each starting tsx: a minute and more on a loaded machine

  it('info describes a spec space; search runs on its synthetic objective and writes the trajectory', () => {
    const dir = tempDir();
    const spec = writeSpec(dir);
    const info = runCli(['info', '--space', spec, '--json']);
    expect(info.code).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({ space: 'gen-space', size: 5 * 5 * 3 * 4, data: { present: false } });
    const out = join(dir, 'traj.json');
    const r = runCli(['search', '--space', spec, '--dataset', 'synthetic:2', '--algo', 'rea', '--budget', '25', '--seed', '1', '--out', out, '--json', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ schema: 'prednas.run/1', benchmark: 'synthetic(gen-space)', dataset: 'synthetic:2', algo: 'rea', seed: 1 });
    const traj = JSON.parse(readFileSync(out, 'utf8'));
    expect(traj.trajectory).toHaveLength(25);
    expect(new Set(traj.trajectory.map((p: { arch: string }) => p.arch)).size).toBe(25);
    // Plain (non-TTY) progress lines on stderr unless --quiet.
    const loud = runCli(['search', '--space', spec, '--dataset', 'synthetic', '--algo', 'random', '--budget', '5']);
    expect(loud.stderr).toMatch(/random synthetic\(gen-space\)\/synthetic:0: 5\/5 queries/);
    expect(loud.stderr).not.toContain('\r');
  });

  it('compare writes a schema-valid results.json.gz, table.md and both SVG plots, atomically', () => {
    const dir = tempDir();
    const spec = writeSpec(dir);
    const out = join(dir, 'cmp');
    const r = runCli(['compare', '--space', spec, '--dataset', 'synthetic', '--algos', 'random,rea,ls', '--budget', '20', '--seeds', '0..3', '--checkpoints', '5,10,20', '--workers', '2', '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    // compare.json is what merge and --resume read (the per-run checkpoints are gone once the results hold every run).
    expect(readdirSync(out).sort()).toEqual(['best-so-far.svg', 'compare.json', 'final-distribution.svg', 'results.json.gz', 'table.md']);
    const res = readResultsFile(out) as { runs: unknown[]; summary: { rea: object }; prednas: string };
    validateResults(res);
    expect(res.runs).toHaveLength(12);
    // The version that made them, in the results and the caption.
    const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
    expect(res.prednas).toBe(version);
    expect(Object.keys(res.summary.rea)).toEqual(['5', '10', '20']);
    const table = readFileSync(join(out, 'table.md'), 'utf8');
    expect(table).toContain('protocol A');
    expect(table).toContain('semantics single');
    expect(table).toContain(`; prednas ${version}.`);
    const svg = readFileSync(join(out, 'best-so-far.svg'), 'utf8');
    expect(svg.startsWith('<?xml')).toBe(true);
    expect(svg.match(/<polygon/g)).toHaveLength(3);
    expect(readFileSync(join(out, 'final-distribution.svg'), 'utf8').match(/<circle/g)).toHaveLength(12);
    // A broken results file is caught by the validator.
    expect(() => validateResults({ ...res, runs: res.runs.slice(1) })).toThrow(/\$\.runs: expected 3 algorithms × 4 seeds = 12 runs/);
  });

  it('predictor-eval writes a metrics table and a scatter plot per train size', () => {
    const dir = tempDir();
    const spec = writeSpec(dir);
    const out = join(dir, 'pe');
    const r = runCli(['predictor-eval', '--space', spec, '--dataset', 'synthetic', '--train-sizes', '10,40', '--seeds', '0,1', '--test-size', '60', '--epochs', '60', '--ensemble', '1', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['results.json.gz', 'scatter-n10.svg', 'scatter-n40.svg', 'table.md']);
    const res = readResultsFile(out) as any; // parsed JSON, as loosely typed as JSON.parse's
    expect(res.rows).toHaveLength(4);
    // On a smooth synthetic objective 40 samples rank clearly better than chance.
    expect(res.summary['40'].kendall.mean).toBeGreaterThan(0.3);
    // precision@k per seed and in the summary (k = 100 > 60 test cells: the whole set, so 1).
    expect(Object.keys(res.rows[0].metrics.precisionAtK).sort()).toEqual(['10', '100', '50']);
    expect(res.summary['40'].precisionAt100).toEqual({ mean: 1, std: 0 });
    const p10 = res.rows.filter((x: { trainSize: number }) => x.trainSize === 40).map((x: { metrics: { precisionAtK: Record<string, number> } }) => x.metrics.precisionAtK['10']!);
    expect(res.summary['40'].precisionAt10.mean).toBeCloseTo((p10[0] + p10[1]) / 2, 12);
    const table = readFileSync(join(out, 'table.md'), 'utf8');
    expect(table).toContain('| train size | Kendall τ | Spearman ρ | Pearson r | MAE | RMSE | P@10 | P@50 | P@100 | fit time (ms) |');
    expect(table).toMatch(/\| 40 \|( [0-9.-]+ ± [0-9.]+ \|){8} [0-9]+ ± [0-9]+ \|/);
    expect(readFileSync(join(out, 'scatter-n40.svg'), 'utf8')).toMatch(/Kendall τ = [0-9.-]+/);
    expect(readFileSync(join(out, 'scatter-n40.svg'), 'utf8').match(/<circle/g)).toHaveLength(60);
    // The kernels are recorded (js unless --backend says otherwise) and a bad choice is refused.
    expect(res.kernelBackend).toBe('js');
    expect(table).toMatch(/\(prednas [^,]+, kernels js\)\.\n$/);
    const wasmOut = join(dir, 'pe-wasm');
    const w = runCli(['predictor-eval', '--space', spec, '--dataset', 'synthetic', '--train-sizes', '10', '--seeds', '0', '--test-size', '60', '--ensemble', '1', '--backend', 'wasm', '--out', wasmOut, '--json']);
    expect(w.code, w.stderr).toBe(0);
    expect((readResultsFile(wasmOut) as any).kernelBackend).toBe('wasm');
    const bad = runCli(['predictor-eval', '--space', spec, '--dataset', 'synthetic', '--backend', 'gpu', '--out', join(dir, 'pe-bad')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--backend: expected one of js, wasm, auto, got 'gpu'/);
    expect(existsSync(join(dir, 'pe-bad'))).toBe(false);
    const tooBig = runCli(['predictor-eval', '--space', spec, '--dataset', 'synthetic', '--train-sizes', '200', '--test-size', '200', '--out', out]);
    expect(tooBig.code).toBe(1);
    expect(tooBig.stderr).toMatch(/has 300 architectures with results, fewer than the largest train size \(200\) \+ test size \(200\)/);
  });
});

describe('prednas suggest / tell', () => {
  it('suggests, records results, refuses double or unknown tells, and lists pending suggestions', () => {
    const dir = tempDir();
    const spec = writeSpec(dir);
    const j = join(dir, 'run.jsonl');
    const s1 = runCli(['suggest', '--space', spec, '--journal', j, '-n', '3', '--algo', 'rea', '--seed', '4']);
    expect(s1.code, s1.stderr).toBe(0);
    const sug = s1.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(sug.map((x) => x.trial)).toEqual([1, 2, 3]);
    expect(Object.keys(sug[0].config)).toEqual(['depth', 'width', 'act', 'lr']);
    expect(runCli(['tell', '--journal', j, '--trial', '1', '--metric', '0.71', '--cost', '2.5']).code).toBe(0);
    expect(runCli(['tell', '--journal', j, '--arch', sug[1].arch, '--failed', 'NaN loss']).code).toBe(0);
    const twice = runCli(['tell', '--journal', j, '--trial', '1', '--metric', '0.9']);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/trial 1 .* already has a result/);
    const never = runCli(['tell', '--journal', j, '--trial', '9', '--metric', '0.9']);
    expect(never.stderr).toMatch(/trial 9 was never suggested/);
    expect(runCli(['tell', '--journal', j, '--trial', '3']).code).toBe(2);
    const pend = runCli(['suggest', '--journal', j, '--pending']);
    expect(pend.stdout.trim().split('\n').map((l) => JSON.parse(l).trial)).toEqual([3]);
    const other = runCli(['suggest', '--journal', j, '--seed', '5']);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/--seed: journal has 4, command line says 5/);
    // A crash mid-append leaves a torn line: the next suggest repairs it and continues exactly.
    const before = readFileSync(j, 'utf8');
    const s2 = runCli(['suggest', '--journal', j, '-n', '2']);
    const expected = s2.stdout;
    writeFileSync(j, before + '{"type":"ask","trial":4,"arch":"dep');
    const s3 = runCli(['suggest', '--journal', j, '-n', '2']);
    expect(s3.code, s3.stderr).toBe(0);
    expect(s3.stdout).toBe(expected);
    const events = readJournal(j).events;
    expect(events.filter((e) => e.type === 'ask').map((e) => e.trial)).toEqual([1, 2, 3, 4, 5]);
    expect(events.find((e) => e.type === 'result' && e.trial === 1)).toMatchObject({ status: 'ok', metric: 0.71, cost: 2.5 });
  });
});
