/**
 * `prednas run` as a real child process: architecture strings full of shell metacharacters must
 * reach the command verbatim and execute nothing; progress and summary reporting; a journal
 * locked from another host. (Kill-and-resume: run-kill.test.ts; on Slurm: slurm-run.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveDataDir } from '../src/io/data-dir.js';
import { readJournal } from '../src/io/journal.js';
import { FAKE_TEMPLATE, fakeMetric, runCli, tempDir, writeSpec } from './fixtures/cli.js';

/** Journal invariants: asks numbered 1..n, one result per trial, no architecture twice, metrics right. */
function checkFinal(path: string, budget: number): string[] {
  const j = readJournal(path);
  expect(j.tornBytes).toBe(0);
  const asks = j.events.filter((e) => e.type === 'ask');
  const results = j.events.filter((e) => e.type === 'result');
  expect(asks.map((e) => e.trial)).toEqual(Array.from({ length: budget }, (_, i) => i + 1));
  expect(results.map((e) => e.trial).sort((a, b) => a - b)).toEqual(asks.map((e) => e.trial));
  expect(new Set(asks.map((e) => e.arch)).size).toBe(budget);
  for (const r of results) {
    expect(r.status).toBe('ok');
    expect(r.metric).toBe(fakeMetric(r.arch));
  }
  return asks.map((e) => e.arch);
}

describe('prednas run safety and reporting', () => {
  it('leaves a journal locked from another host alone, naming the holder; --break-lock takes it', () => {
    const dir = tempDir();
    const spec = writeSpec(dir);
    const j = join(dir, 'shared.jsonl');
    writeFileSync(`${j}.lock`, JSON.stringify({ host: 'gpu-login-2', pid: 1, start: 'b:1', purpose: 'prednas run', since: '2026-01-01T00:00:00.000Z' }));
    const args = ['run', '--space', spec, '--eval', FAKE_TEMPLATE, '--algo', 'random', '--budget', '2', '--journal', j, '--quiet'];
    const r = runCli(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^prednas run: .*shared\.jsonl\.lock is held by process 1 on host gpu-login-2 \(prednas run, since 2026-01-01T00:00:00\.000Z\); this is host .*run the same command with --break-lock\n$/);
    expect(existsSync(j)).toBe(false);
    const b = runCli([...args, '--break-lock']);
    expect(b.code, b.stderr).toBe(0);
    checkFinal(j, 2);
    expect(existsSync(`${j}.lock`)).toBe(false);
  });

  it('passes architecture and space strings with shell metacharacters verbatim, executing nothing', () => {
    const dir = tempDir();
    const pwned = join(dir, 'PWNED');
    const payloads = [`$(touch\${IFS}${pwned}1)`, `\`touch\${IFS}${pwned}2\``, `;touch\${IFS}${pwned}3`, `|touch\${IFS}${pwned}4`, `&&touch\${IFS}${pwned}5`, `'"\\$HOME>${pwned}6`];
    const spec = writeSpec(dir, `evil;touch ${pwned}7;$(id)`, [{ name: 'x', type: 'categorical', options: payloads }]);
    const argvDir = join(dir, 'argv');
    mkdirSync(argvDir);
    const j = join(dir, 'evil.jsonl');
    const r = runCli(['run', '--space', spec, '--eval', FAKE_TEMPLATE, '--algo', 'random', '--budget', '24', '--concurrency', '4', '--journal', j, '--json'], { FAKE_EVAL_ARGV_DIR: argvDir });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ finished: 24, ok: 24, failed: 0 });
    const archs = checkFinal(j, 24);
    const seen = new Set<string>();
    for (const [i, arch] of archs.entries()) {
      const argv = JSON.parse(readFileSync(join(argvDir, `argv-${i + 1}.json`), 'utf8')) as string[];
      expect(argv[1]).toBe(arch);
      expect(argv[2]).toBe(String(i + 1));
      seen.add(arch.split('x=')[1]!);
    }
    expect(seen.size).toBeGreaterThanOrEqual(4);
    expect(readdirSync(dir).filter((f) => f.startsWith('PWNED'))).toEqual([]);
  });

  it('reports progress as plain lines when stderr is not a terminal, and a summary on stdout', () => {
    const dir = tempDir();
    const spec = writeSpec(dir);
    const r = runCli(['run', '--space', spec, '--eval', FAKE_TEMPLATE, '--budget', '4', '--algo', 'random', '--journal', join(dir, 'p.jsonl')], { FAKE_EVAL_FAIL_TRIALS: '2' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^run: 0\/4 · 1 running/m);
    expect(r.stderr).toMatch(/^run: 4\/4 · 0 running · ok 3 · failed 1 · timeout 0/m);
    expect(r.stdout).toMatch(/^done: 4\/4 trials finished \(ok 3, failed 1, timeout 0\)/);
    const bad = runCli(['run', '--space', spec, '--eval', 'python train.py | tee log', '--journal', join(dir, 'q.jsonl')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--eval: unquoted shell syntax '\|'/);
    expect(existsSync(join(dir, 'q.jsonl'))).toBe(false);
  });
});

const dataDir = resolveDataDir();
const haveNb201 = existsSync(join(dataDir, 'nasbench201'));
if (process.env['CI'] && !haveNb201) throw new Error(`CI: NB-201 data missing under ${dataDir}`);

describe.skipIf(!haveNb201)('prednas on NB-201 (shared data)', () => {
  it('info reports the table and its optima; search finds a good cell; run passes NB-201 arch strings intact', () => {
    const info = runCli(['info', '--space', 'nb201', '--json']);
    expect(info.code, info.stderr).toBe(0);
    const rec = JSON.parse(info.stdout);
    expect(rec).toMatchObject({ withResults: 15625, semantics: 'single', data: { present: true } });
    expect(rec.optima.map((o: { dataset: string }) => o.dataset)).toEqual(['cifar10', 'cifar100', 'ImageNet16-120']);
    const s = runCli(['search', '--space', 'nb201', '--algo', 'rea', '--budget', '60', '--seed', '0', '--json', '--quiet']);
    expect(s.code, s.stderr).toBe(0);
    expect(JSON.parse(s.stdout).reported).toBeGreaterThan(90);
    const dir = tempDir();
    const argvDir = join(dir, 'argv');
    mkdirSync(argvDir);
    const j = join(dir, 'nb.jsonl');
    const r = runCli(['run', '--space', 'nb201', '--eval', FAKE_TEMPLATE, '--budget', '6', '--concurrency', '2', '--algo', 'random', '--journal', j, '--quiet'], { FAKE_EVAL_ARGV_DIR: argvDir });
    expect(r.code, r.stderr).toBe(0);
    const archs = checkFinal(j, 6);
    for (const [i, a] of archs.entries()) {
      expect(a).toMatch(/^\|[a-z_0-9]+~0\|\+/);
      expect(JSON.parse(readFileSync(join(argvDir, `argv-${i + 1}.json`), 'utf8'))[1]).toBe(a);
    }
  });
});
