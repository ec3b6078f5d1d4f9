/**
 * `prednas run` as a real child process: SIGKILLed at random points many times with a fake
 * evaluator, it must end with every trial evaluated exactly once in a valid journal; architecture
 * strings full of shell metacharacters must reach the command verbatim and execute nothing.
 */
import { describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../src/autograd/random.js';
import { resolveDataDir } from '../src/io/data-dir.js';
import { readJournal } from '../src/io/journal.js';
import { FAKE_TEMPLATE, fakeMetric, runCli, spawnCli, tempDir, writeSpec } from './fixtures/cli.js';

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

async function killLoop(args: string[], env: Record<string, string>, rng: Rng, maxKills: number): Promise<number> {
  let kills = 0;
  for (;;) {
    const child = spawnCli(args, env);
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => { stderr += b.toString(); });
    const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
    if (kills < maxKills) {
      // Start-up takes ~0.4 s; kill anywhere from during start-up to deep into the run.
      const delay = 150 + rng.int(900);
      const t = setTimeout(() => child.kill('SIGKILL'), delay);
      const code = await exited;
      clearTimeout(t);
      if (code === 0) return kills;
      expect(code, stderr).toBe(null); // killed, not failed
      kills++;
      // Now and then, simulate a crash mid-append on top: a torn, half-written line.
      const journal = args[args.indexOf('--journal') + 1]!;
      if (kills % 3 === 0 && existsSync(journal)) appendFileSync(journal, '{"type":"result","trial":');
    } else {
      const code = await exited;
      expect(code, stderr).toBe(0);
      return kills;
    }
  }
}

describe('prednas run under SIGKILL', () => {
  it('random search, 3 in flight: after many kills the journal equals an uninterrupted run', async () => {
    const dir = tempDir();
    const spec = writeSpec(dir);
    const env = { FAKE_EVAL_SLEEP_MS: '150' };
    const base = ['run', '--space', spec, '--eval', FAKE_TEMPLATE, '--algo', 'random', '--seed', '7', '--budget', '24', '--concurrency', '3', '--quiet'];
    const ref = runCli([...base, '--journal', join(dir, 'ref.jsonl')], env);
    expect(ref.code, ref.stderr).toBe(0);
    const refArchs = checkFinal(join(dir, 'ref.jsonl'), 24);
    const kills = await killLoop([...base, '--journal', join(dir, 'killed.jsonl')], env, new Rng(1), 6);
    expect(kills).toBeGreaterThanOrEqual(2);
    // Random search's proposals do not depend on results, so trial i is the same architecture.
    expect(checkFinal(join(dir, 'killed.jsonl'), 24)).toEqual(refArchs);
  });

  it('regularized evolution, 1 in flight: resumed runs reproduce the uninterrupted search exactly', async () => {
    const dir = tempDir();
    const spec = writeSpec(dir);
    const env = { FAKE_EVAL_SLEEP_MS: '20' };
    const base = ['run', '--space', spec, '--eval', FAKE_TEMPLATE, '--algo', 'rea', '--seed', '3', '--budget', '25', '--quiet'];
    expect(runCli([...base, '--journal', join(dir, 'ref.jsonl')], env).code).toBe(0);
    const refArchs = checkFinal(join(dir, 'ref.jsonl'), 25);
    const kills = await killLoop([...base, '--journal', join(dir, 'killed.jsonl')], env, new Rng(2), 5);
    expect(kills).toBeGreaterThanOrEqual(2);
    expect(checkFinal(join(dir, 'killed.jsonl'), 25)).toEqual(refArchs);
  });
});

describe('prednas run safety and reporting', () => {
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
