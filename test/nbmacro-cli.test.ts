/** The CLI on the macro benchmarks: info, a constrained search, and a small compare (real tables; skipped without them locally, fails under CI). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveDataDir } from '../src/io/data-dir.js';
import { runCli, tempDir } from './fixtures/cli.js';

const present = existsSync(join(resolveDataDir(), 'nasbench_macro')) && existsSync(join(resolveDataDir(), 'transnas101_macro'));
const env = { PREDNAS_DATA: resolveDataDir() };

describe.skipIf(!present && !process.env['CI'])('prednas CLI on nbmacro and tnb101-macro', () => {
  it('info describes both spaces: query semantics, cost range, optimum (per task for TransNAS)', () => {
    const nb = runCli(['info', '--space', 'nbmacro', '--json'], env);
    expect(nb.code, nb.stderr).toBe(0);
    const a = JSON.parse(nb.stdout);
    expect(a).toMatchObject({ space: 'nbmacro', withResults: 3969, semantics: 'sample', costs: { flops: { min: 7713280 } } });
    expect(a.optima[0].A.arch).toBe('22212220');
    const tn = runCli(['info', '--space', 'tnb101-macro', '--json'], env);
    expect(tn.code, tn.stderr).toBe(0);
    const b = JSON.parse(tn.stdout);
    expect(b.optima.map((x: { dataset: string }) => x.dataset)).toEqual(['class_scene', 'class_object', 'jigsaw', 'room_layout', 'segmentsemantic', 'normal', 'autoencoder']);
    expect(b.optima.every((x: { direction: string }) => x.direction === 'max')).toBe(true);
  }, 60_000);

  it('search honours flops<=40e6 (MACs) on nbmacro; compare runs a TransNAS task and needs --dataset', () => {
    const dir = tempDir();
    const s = runCli(['search', '--space', 'nbmacro', '--algo', 'rea', '--budget', '15', '--constraint', 'flops<=40e6', '--out', join(dir, 'run.json'), '-q'], env);
    expect(s.code, s.stderr).toBe(0);
    const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    expect(run.trajectory.length).toBe(15);
    const c = runCli(['compare', '--space', 'tnb101-macro', '--dataset', 'normal', '--algos', 'rea,random', '--budget', '10', '--seeds', '0..1', '--checkpoints', '5,10', '--out', dir, '-q'], env);
    expect(c.code, c.stderr).toBe(0);
    expect(readFileSync(join(dir, 'table.md'), 'utf8')).toMatch(/tnb101-macro · normal · protocol A · semantics single/);
    const bad = runCli(['search', '--space', 'tnb101-macro', '--budget', '5', '-q'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--dataset: tnb101-macro needs a task: class_scene, class_object, jigsaw, room_layout, segmentsemantic, normal, autoencoder/);
  }, 90_000);
});
