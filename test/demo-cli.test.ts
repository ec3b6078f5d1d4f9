/**
 * `prednas demo` and `prednas search --task mnist-mlp` as a user runs them (child processes, real
 * digits, tiny budgets): the --json shape, the report files, and the usage errors.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from './fixtures/cli.js';

describe('prednas demo', () => {
  it('--json prints one object with best.arch/val/test and queries, and writes the report', () => {
    const out = join(tempDir('prednas-demo-'), 'report');
    const r = runCli(['demo', '--budget', '5', '--fidelity', '1ep', '--quiet', '--json', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const j = JSON.parse(lines[0]!);
    expect(j.schema).toBe('prednas.demo/1');
    expect(j.queries).toBe(5);
    expect(typeof j.best.arch).toBe('string');
    expect(j.best.arch).toMatch(/^depth=\d,width1=\d+,.*act=(relu|tanh|silu),lr=[\d.]+,dropout=[\d.]+$/);
    expect(j.best.val).toBeGreaterThan(50);
    expect(j.best.val).toBeLessThanOrEqual(100);
    expect(j.best.test).toBeGreaterThan(50);
    expect(j.best.params).toBeLessThanOrEqual(50_000);
    expect(j.constraints).toEqual(['params<=50000']);
    expect(j.settings.epochs).toBe(1);
    for (const f of ['report.md', 'best-so-far.svg', 'run.json']) expect(existsSync(join(out, f)), f).toBe(true);
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(run.trajectory).toHaveLength(5);
    expect(Math.max(...run.trajectory.map((p: { val: number }) => p.val))).toBe(j.best.val);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain(`validation **${j.best.val.toFixed(2)} %**`);
    const svg = readFileSync(join(out, 'best-so-far.svg'), 'utf8');
    expect(svg).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    expect(svg).toContain('best val so far');
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  });

  it('refuses bad flags with exit 2 and one line', () => {
    const bad = runCli(['demo', '--fidelity', 'three']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^prednas demo: --fidelity: expected training epochs per candidate as Nep/);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    const c = runCli(['demo', '--constraint', 'weights<=3']);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/--constraint: invalid constraint 'weights<=3'/);
  });
});

describe('prednas search --task mnist-mlp', () => {
  it('runs a live search and rejects --space together with --task', () => {
    const r = runCli(['search', '--task', 'mnist-mlp', '--algo', 'random', '--budget', '3', '--fidelity', '1ep', '--seed', '4', '--quiet', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.benchmark).toBe('mnist-mlp');
    expect(j.dataset).toBe('mnist');
    expect(j.best.val).toBeGreaterThan(50);
    const both = runCli(['search', '--task', 'mnist-mlp', '--space', 'nb201']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/give --space or --task, not both/);
    const unknown = runCli(['search', '--task', 'cifar-cnn']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--task: expected one of mnist-mlp, mnist-regnet, got 'cifar-cnn'/);
  });
});
