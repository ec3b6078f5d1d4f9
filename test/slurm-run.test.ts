/**
 * `prednas run --launcher slurm` against a real Slurm (scripts/slurm-local.sh; CI starts one).
 * Concurrency is measured from Slurm (squeue), not from prednas's own counter; "no trial ran
 * twice" is checked from Slurm's job records (jobcomp) and from the evaluator's own guard log.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJournal } from '../src/io/journal.js';
import { journalId } from '../src/io/run-loop.js';
import { FAKE_TEMPLATE, fakeMetric, ROOT, spawnCli, tempDir, writeSpec } from './fixtures/cli.js';
import { IN_FLIGHT, jobRecords, slurmAvailable, squeue } from './fixtures/slurm.js';

const GUARDED = join(ROOT, 'test', 'fixtures', 'guarded-eval.mjs');
const template = (logDir: string) => `'${process.execPath}' '${GUARDED}' '${logDir}' {arch_json_file} {arch} {trial}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function start(args: string[], env: Record<string, string>) {
  const child = spawnCli(args, env);
  let stderr = '', stdout = '';
  child.stderr!.on('data', (b: Buffer) => { stderr += b.toString(); });
  child.stdout!.on('data', (b: Buffer) => { stdout += b.toString(); });
  const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
  return { child, exited, out: () => ({ stdout, stderr }) };
}

/** The journal's token prefix (its jobs' names start with it), once the journal exists. */
function prefixOf(journal: string): string | null {
  try { return `prednas-${journalId(readJournal(journal).header)}-`; } catch { return null; }
}

/** Every trial has one ask and one ok result with the evaluator's metric. */
function checkJournal(journal: string, budget: number) {
  const j = readJournal(journal);
  const asks = j.events.filter((e) => e.type === 'ask');
  const results = j.events.filter((e) => e.type === 'result');
  expect(asks.map((e) => e.trial)).toEqual(Array.from({ length: budget }, (_, i) => i + 1));
  expect(results.map((e) => e.trial).sort((a, b) => a - b)).toEqual(asks.map((e) => e.trial));
  for (const r of results) expect([r.status, r.metric], r.error).toEqual(['ok', fakeMetric(r.arch)]);
  return j;
}

/** Slurm's records of this journal's jobs, by trial. */
function jobsByTrial(prefix: string) {
  const by = new Map<number, ReturnType<typeof jobRecords>>();
  for (const r of jobRecords().filter((x) => x.name.startsWith(prefix))) {
    const t = Number(/-t(\d+)-a\d+$/.exec(r.name)![1]);
    by.set(t, [...(by.get(t) ?? []), r]);
  }
  return by;
}

describe.skipIf(!slurmAvailable())('prednas run on Slurm', () => {
  it('runs N trials as Slurm jobs with at most C queued or running (peak measured with squeue), sbatch options passed through', async () => {
    const dir = tempDir(), logDir = tempDir();
    const journal = join(dir, 'run.jsonl');
    const budget = 8, C = 3;
    const p = start(['run', '--space', writeSpec(dir), '--algo', 'random', '--seed', '5', '--budget', String(budget), '--concurrency', String(C),
      '--launcher', 'slurm', '--poll', '250ms', '--sbatch=--time=7 --comment=prednas-test', '--eval', template(logDir), '--journal', journal], { GUARD_SLEEP_MS: '1500' });
    let peak = 0, done = false, polls = 0;
    void p.exited.then(() => { done = true; });
    while (!done) {
      const prefix = prefixOf(journal);
      if (prefix !== null) {
        const live = squeue().filter((j) => j.name.startsWith(prefix) && IN_FLIGHT.has(j.state)).length;
        peak = Math.max(peak, live);
        polls++;
      }
      await sleep(100);
    }
    expect(await p.exited, p.out().stderr).toBe(0);
    expect(polls).toBeGreaterThan(20);
    expect(peak).toBe(C);
    const j = checkJournal(journal, budget);
    const jobIds = j.events.filter((e) => e.type === 'job').map((e) => e.jobId);
    expect(jobIds.length).toBe(budget);
    const by = jobsByTrial(prefixOf(journal)!);
    expect([...by.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: budget }, (_, i) => i + 1));
    for (const [, recs] of by) {
      expect(recs.length).toBe(1);
      expect(recs[0]!.state).toBe('COMPLETED');
      expect(recs[0]!.timeLimit).toBe('7'); // minutes: --sbatch reached sbatch // --sbatch reached sbatch
      expect(jobIds).toContain(recs[0]!.id);
    }
    expect(readFileSync(join(logDir, 'events.log'), 'utf8')).not.toMatch(/^duplicate/m);
  });

  it('records a failing job and a time-out (the job is scancelled, Slurm records it CANCELLED)', async () => {
    const dir = tempDir();
    const journal = join(dir, 'run.jsonl');
    // fake-eval.mjs: trial 2 exits 1 after printing to stderr, trial 3 never finishes.
    const p = start(['run', '--space', writeSpec(dir), '--algo', 'random', '--seed', '1', '--budget', '3', '--concurrency', '3', '--timeout', '4s',
      '--launcher', 'slurm', '--poll', '250ms', '--eval', FAKE_TEMPLATE, '--journal', journal, '--json'], { FAKE_EVAL_FAIL_TRIALS: '2', FAKE_EVAL_HANG_TRIALS: '3', FAKE_EVAL_SLEEP_MS: '300' });
    expect(await p.exited, p.out().stderr).toBe(0);
    expect(JSON.parse(p.out().stdout)).toMatchObject({ finished: 3, ok: 1, failed: 1, timeout: 1 });
    const results = new Map(readJournal(journal).events.filter((e) => e.type === 'result').map((e) => [e.trial, e]));
    expect(results.get(2)!.error).toMatch(/^exit code 1 \(Slurm job \d+\): CUDA out of memory \(simulated\)$/);
    expect(results.get(3)!.error).toMatch(/^timed out after 4\.0 s \(Slurm job \d+ cancelled\)$/);
    await sleep(1000);
    const by = jobsByTrial(prefixOf(journal)!);
    expect(by.get(1)![0]!.state).toBe('COMPLETED');
    expect(by.get(2)![0]!.state).toBe('FAILED');
    expect(by.get(3)![0]!.state).toBe('CANCELLED');
    expect(by.get(3)![0]!.timeLimit).toBe('2'); // --time = the timeout rounded up to minutes, plus one
  });

  it('SIGKILL of the coordinator while jobs run, then resume: every trial exactly once, by one Slurm job', async () => {
    const dir = tempDir(), logDir = tempDir();
    const journal = join(dir, 'run.jsonl');
    const budget = 6;
    const args = ['run', '--space', writeSpec(dir), '--algo', 'random', '--seed', '9', '--budget', String(budget), '--concurrency', '3',
      '--launcher', 'slurm', '--poll', '250ms', '--eval', template(logDir), '--journal', journal];
    const env = { GUARD_SLEEP_MS: '4000' };
    const first = start(args, env);
    // Kill once a result is in and jobs of pending trials are known to Slurm (journaled ids).
    let killedWith: number[] = [];
    for (;;) {
      await sleep(100);
      const prefix = prefixOf(journal);
      if (prefix === null) continue;
      const jn = readJournal(journal);
      const answered = new Set(jn.events.filter((e) => e.type === 'result').map((e) => e.trial));
      const pendingJobs = jn.events.filter((e) => e.type === 'job' && !answered.has(e.trial));
      if (answered.size >= 1 && pendingJobs.length >= 2) {
        first.child.kill('SIGKILL');
        killedWith = pendingJobs.map((e) => e.trial);
        break;
      }
    }
    expect(await first.exited).toBe(null);
    const prefix = prefixOf(journal)!;
    // The jobs live on without their coordinator.
    expect(squeue().filter((j) => j.name.startsWith(prefix) && IN_FLIGHT.has(j.state)).length).toBeGreaterThanOrEqual(1);
    await sleep(1500);
    const second = start(args, env);
    expect(await second.exited, second.out().stderr).toBe(0);
    const notes = second.out().stderr;
    for (const t of killedWith) expect(notes).toMatch(new RegExp(`prednas run: trial ${t}: Slurm job \\d+ (from the interrupted run is (pending|running); waiting for it|finished while prednas was not running; taking its result)`));
    const j = checkJournal(journal, budget);
    // One attempt per trial: nothing was launched twice.
    expect(j.events.filter((e) => e.type === 'launch').map((e) => e.trial).sort((a, b) => a - b)).toEqual(Array.from({ length: budget }, (_, i) => i + 1));
    const by = jobsByTrial(prefix);
    for (let t = 1; t <= budget; t++) {
      expect(by.get(t)?.length, `Slurm jobs for trial ${t}`).toBe(1);
      expect(by.get(t)![0]!.state).toBe('COMPLETED');
    }
    expect(readFileSync(join(logDir, 'events.log'), 'utf8')).not.toMatch(/^duplicate/m);
  });

  it('Ctrl-C cancels the jobs it launched (scancel); the resumed run relaunches them, never two at once', async () => {
    const dir = tempDir(), logDir = tempDir();
    const journal = join(dir, 'run.jsonl');
    const args = ['run', '--space', writeSpec(dir), '--algo', 'random', '--seed', '4', '--budget', '4', '--concurrency', '2',
      '--launcher', 'slurm', '--poll', '250ms', '--eval', template(logDir), '--journal', journal];
    const first = start(args, { GUARD_SLEEP_MS: '30000' });
    for (;;) {
      await sleep(100);
      if (existsSync(journal) && readJournal(journal).events.filter((e) => e.type === 'job').length >= 2) break;
    }
    first.child.kill('SIGINT');
    expect(await first.exited, first.out().stderr).toBe(130);
    const prefix = prefixOf(journal)!;
    await sleep(500);
    expect(squeue().filter((j) => j.name.startsWith(prefix) && IN_FLIGHT.has(j.state))).toEqual([]);
    const second = start(args, { GUARD_SLEEP_MS: '200' });
    expect(await second.exited, second.out().stderr).toBe(0);
    expect(second.out().stderr).toMatch(/trial 1: Slurm job \d+ ended \(CANCELLED\) without the command finishing; launching it again/);
    checkJournal(journal, 4);
    const by = jobsByTrial(prefix);
    for (const t of [1, 2]) {
      const recs = by.get(t)!.sort((a, b) => a.start - b.start);
      expect(recs.map((r) => r.state)).toEqual(['CANCELLED', 'COMPLETED']);
      expect(recs[1]!.start).toBeGreaterThanOrEqual(recs[0]!.end); // never two live jobs for one trial
    }
    expect(readFileSync(join(logDir, 'events.log'), 'utf8')).not.toMatch(/^duplicate/m);
  });
});
