/**
 * The result verbs of the CLI, run as a user would (child processes): `export` (tidy CSV of a
 * results folder, gzipped or plain, or of a journal), `plot` (several folders on one chart) and
 * `status` (where a journal stands), plus the version that new journals record.
 */
import { appendFileSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { readJournal } from '../src/io/journal.js';
import { readResultsFile } from '../src/io/results-file.js';
import type { ExperimentResults } from '../src/nas/experiment/runner.js';
import { runCli, tempDir, writeSpec } from './fixtures/cli.js';

const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
const dir = tempDir();
const spec = writeSpec(dir);
const cmpA = join(dir, 'cmp-a'), cmpB = join(dir, 'cmp-b');

beforeAll(() => {
  for (const [out, seeds] of [[cmpA, '0..2'], [cmpB, '3,4']] as const) {
    const r = runCli(['compare', '--space', spec, '--dataset', 'synthetic', '--algos', 'random,rea', '--budget', '15', '--seeds', seeds, '--checkpoints', '5,15', '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
  }
}, 120_000);

describe('prednas export', () => {
  it('writes one CSV row per query with the run, budget and metrics, from .json.gz and plain .json alike', () => {
    const res = readResultsFile(cmpA) as ExperimentResults;
    const r = runCli(['export', cmpA, '--csv']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('algorithm,seed,query,budget,fidelity,architecture,val,test');
    expect(lines).toHaveLength(1 + res.runs.reduce((n, x) => n + x.trajectory.length, 0));
    const p = res.runs[1]!.trajectory[4]!;
    // This space's architectures hold commas, so the field is quoted (RFC 4180).
    expect(p.arch).toContain(',');
    expect(lines).toContain(`${res.runs[1]!.algo},${res.runs[1]!.seed},5,5,full,"${p.arch}",${p.val},${p.test}`);
    // A folder written before results were gzipped (plain results.json) exports the same rows.
    const legacy = join(dir, 'legacy');
    mkdirSync(legacy);
    writeFileSync(join(legacy, 'results.json'), gunzipSync(readFileSync(join(cmpA, 'results.json.gz'))));
    expect(runCli(['export', join(legacy, 'results.json')]).stdout).toBe(r.stdout);
    // --out writes the same text atomically.
    const out = join(dir, 'a.csv');
    expect(runCli(['export', cmpA, '--out', out, '--quiet']).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(r.stdout);
    const none = runCli(['export']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/expected one results folder, results file or journal, got none/);
    const both = join(dir, 'both');
    mkdirSync(both);
    copyFileSync(join(cmpA, 'results.json.gz'), join(both, 'results.json.gz'));
    copyFileSync(join(legacy, 'results.json'), join(both, 'results.json'));
    expect(runCli(['export', both]).stderr).toMatch(/holds both results\.json and results\.json\.gz: remove the stale one/);
  });
});

describe('prednas plot', () => {
  it('draws every folder × algorithm with legends naming both, dashed by folder', () => {
    const out = join(dir, 'both.svg');
    const r = runCli(['plot', cmpA, cmpB, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const svg = readFileSync(out, 'utf8');
    for (const name of ['cmp-a · random', 'cmp-a · rea', 'cmp-b · random', 'cmp-b · rea']) expect(svg).toContain(`>${name}</text>`);
    expect(svg.match(/<polyline/g)).toHaveLength(4);
    // Colour follows the algorithm, the dash pattern the folder.
    const lines = [...svg.matchAll(/<polyline [^>]*stroke="(#[0-9A-F]+)"[^>]*?(?: stroke-dasharray="([^"]+)")?\/>/g)].map((m) => [m[1], m[2] ?? '']);
    expect(lines[0]![0]).toBe(lines[2]![0]);
    expect(lines[0]![1]).toBe('');
    expect(lines[2]![1]).not.toBe('');
    expect(svg).toContain('Regret vs queries — cmp-a, cmp-b');
    expect(runCli(['plot', '--out', out]).code).toBe(2);
    expect(runCli(['plot', cmpA, '--out', join(dir, 'x.png')]).stderr).toMatch(/--out: expected a file name ending in \.svg/);
  });
});

describe('prednas status and journal export', () => {
  it('counts done, failed and pending trials, names the best, and records the version in the header', () => {
    const journal = join(dir, 'run.jsonl');
    expect(runCli(['suggest', '--space', spec, '--journal', journal, '-n', '4', '--algo', 'random']).code).toBe(0);
    expect(readJournal(journal).header.prednas).toBe(VERSION);
    expect(runCli(['tell', '--journal', journal, '--trial', '1', '--metric', '0.5']).code).toBe(0);
    expect(runCli(['tell', '--journal', journal, '--trial', '2', '--metric', '0.75', '--cost', '3']).code).toBe(0);
    expect(runCli(['tell', '--journal', journal, '--trial', '3', '--failed', 'diverged']).code).toBe(0);
    const s = runCli(['status', '--journal', journal, '--json']);
    expect(s.code, s.stderr).toBe(0);
    const st = JSON.parse(s.stdout);
    expect(st.counts).toEqual({ trials: 4, done: 2, failed: 1, inFlight: 0, pending: 1 });
    expect(st.best).toMatchObject({ trial: 2, metric: 0.75 });
    expect(st.prednas).toBe(VERSION);
    const text = runCli(['status', '--journal', journal]).stdout;
    expect(text).toMatch(/4 trials: 2 done, 1 failed, 0 in flight, 1 pending/);
    expect(text).toMatch(/best so far: trial 2, metric 0\.75/);
    expect(text).toMatch(/failed: trial 3 \(failed: diverged\)/);
    expect(text).toMatch(/pending: 4/);
    const csv = runCli(['export', journal]).stdout.trimEnd().split('\n');
    expect(csv[0]).toBe('algorithm,seed,query,budget,architecture,val,test,status,cost,seconds,error');
    expect(csv).toHaveLength(5);
    expect(csv[2]).toMatch(/^random,0,2,2,.*,0\.75,,ok,3,,$/);
    expect(csv[3]).toMatch(/,failed,,,diverged$/);
    expect(csv[4]).toMatch(/,pending,,,$/);
    expect(runCli(['status']).code).toBe(2);
    // A trial that `prednas run` launched (a launch event, written before the evaluation starts)
    // and that has no result yet is in flight, not pending.
    appendFileSync(journal, JSON.stringify({ type: 'launch', trial: 4, attempt: 1, launcher: 'local', host: 'h', token: 't4', time: new Date().toISOString() }) + '\n');
    const launched = JSON.parse(runCli(['status', '--journal', journal, '--json']).stdout);
    expect(launched.counts).toEqual({ trials: 4, done: 2, failed: 1, inFlight: 1, pending: 0 });
    expect(runCli(['status', '--journal', journal]).stdout).toMatch(/in flight: 4/);
  });
});
