/**
 * `prednas run` and `prednas tell` killed at moments that matter (issue 21, item 3): every kill of
 * `run` is checked, after the fact, to have landed while the journal held asks and trials were in
 * flight (and, in one case, results too); kills that landed elsewhere are not counted. The final
 * journal must equal an uninterrupted run's (same trials, architectures and results: nothing
 * lost, nothing twice), the resumed runs must say what they did with each trial left in flight,
 * and the evaluator's own log must show that no trial ever had two live evaluations.
 */
import { describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJournal } from '../src/io/journal.js';
import type { ParsedJournal } from '../src/io/journal-format.js';
import { fakeMetric, ROOT, runCli, spawnCli, tempDir, writeSpec } from './fixtures/cli.js';

const GUARDED = join(ROOT, 'test', 'fixtures', 'guarded-eval.mjs');
const template = (logDir: string) => `'${process.execPath}' '${GUARDED}' '${logDir}' {arch_json_file} {arch} {trial}`;

interface Counts { asks: number; results: number; inflight: number[]; justStarted: boolean }
function counts(j: ParsedJournal): Counts {
  const asked = j.events.filter((e) => e.type === 'ask').map((e) => e.trial);
  const done = new Set(j.events.filter((e) => e.type === 'result').map((e) => e.trial));
  // The last event records a process that has just been started: killed now, it is orphaned
  // for a whole evaluation's time, longer than the resumed run takes to start.
  const justStarted = j.events[j.events.length - 1]?.type === 'job';
  return { asks: asked.length, results: done.size, inflight: asked.filter((t) => !done.has(t)), justStarted };
}
function tryRead(p: string): ParsedJournal | null {
  try { return existsSync(p) ? readJournal(p) : null; } catch { return null; }
}

/** What must be equal to an uninterrupted run: each trial's architecture and result, times aside. */
function essence(p: string) {
  const j = readJournal(p);
  expect(j.tornBytes).toBe(0);
  const asks = j.events.filter((e) => e.type === 'ask').map((e) => [e.trial, e.arch]);
  const results = j.events.filter((e) => e.type === 'result').map((e) => [e.trial, e.arch, e.status, e.metric, e.cost, e.error ?? null] as const).sort((a, b) => a[0] - b[0]);
  return { asks, results };
}

/**
 * Run until `want` kills have landed while `when` held (checked again on the journal the killed
 * run left), then let the last run finish. Returns each resumed run's stderr with what it found.
 */
async function killAt(args: string[], journal: string, env: Record<string, string>, want: number, when: (c: Counts, prev: Counts | null) => boolean) {
  const kills: Counts[] = [];
  const resumedStderr: string[] = [];
  for (let runs = 0; runs < want + 8; runs++) {
    const child = spawnCli(args, env);
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => { stderr += b.toString(); });
    const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
    if (runs > 0) resumedStderr.push('');
    let killed = false;
    if (kills.length < want) {
      const prev = kills[kills.length - 1] ?? null;
      let done = false;
      void exited.then(() => { done = true; });
      while (!done && !killed) {
        const j = tryRead(journal);
        if (j !== null && when(counts(j), prev)) { child.kill('SIGKILL'); killed = true; }
        else await new Promise((r) => setTimeout(r, 15));
      }
    }
    const code = await exited;
    if (runs > 0) resumedStderr[resumedStderr.length - 1] = stderr;
    if (!killed) {
      expect(code, stderr).toBe(0);
      return { kills, resumedStderr };
    }
    expect(code, stderr).toBe(null);
    // The kill counts only if the journal it left still shows the state we killed in.
    const after = counts(readJournal(journal));
    if (when(after, kills[kills.length - 1] ?? null)) kills.push(after);
  }
  throw new Error(`only ${kills.length} of ${want} kills landed in the wanted state`);
}

function checkNoDuplicates(logDir: string, resumedStderr: string[], kills: Counts[]) {
  const log = readFileSync(join(logDir, 'events.log'), 'utf8');
  expect(log).not.toMatch(/^duplicate/m);
  // Each resumed run reported every trial the kill left in flight, and at least one found the
  // killed run's evaluation still alive and stopped it (else the duplicate check proved nothing).
  kills.forEach((k, i) => {
    for (const t of k.inflight) expect(resumedStderr[i], `resumed run ${i + 1}`).toMatch(new RegExp(`prednas run: trial ${t}: .*(relaunching|launching) it`));
  });
  const stopped = resumedStderr.join('\n').match(/trial \d+: stopped \d+ process(es)? left running by the interrupted run \(process group \d+\); relaunching it/g) ?? [];
  expect(stopped.length).toBeGreaterThanOrEqual(kills.length);
}

describe('prednas run killed (SIGKILL) while trials are in flight', () => {
  it('regularized evolution, 1 in flight: killed only after an ask with its trial running, the journal equals the uninterrupted run', async () => {
    const dir = tempDir();
    const spec = writeSpec(dir);
    // Evaluations outlive a coordinator's restart (~1-2 s under load), so the resumed run finds
    // them alive; the reference run's speed does not matter (1 in flight: order is fixed).
    const env = { GUARD_SLEEP_MS: '3500' };
    const base = ['run', '--space', spec, '--algo', 'rea', '--seed', '3', '--budget', '4'];
    const ref = runCli([...base, '--eval', template(tempDir()), '--journal', join(dir, 'ref.jsonl'), '--quiet'], { GUARD_SLEEP_MS: '0' });
    expect(ref.code, ref.stderr).toBe(0);
    const logDir = tempDir();
    const journal = join(dir, 'killed.jsonl');
    const { kills, resumedStderr } = await killAt([...base, '--eval', template(logDir), '--journal', journal], journal, env, 3,
      (c, prev) => c.asks >= 1 && c.inflight.length > 0 && c.justStarted && c.asks > (prev?.asks ?? 0));
    expect(kills.length).toBe(3);
    expect(essence(journal)).toEqual(essence(join(dir, 'ref.jsonl')));
    for (const [, arch, status, metric] of essence(journal).results) expect([status, metric]).toEqual(['ok', fakeMetric(arch)]);
    checkNoDuplicates(logDir, resumedStderr, kills);
  });

  it('random search, 3 in flight: killed only with results in the journal and trials running, the journal equals the uninterrupted run', async () => {
    const dir = tempDir();
    const spec = writeSpec(dir);
    const env = { GUARD_SLEEP_MS: '3500' };
    const base = ['run', '--space', spec, '--algo', 'random', '--seed', '7', '--budget', '9', '--concurrency', '3'];
    // Random search's proposals do not depend on results or their order: the reference may be fast.
    const ref = runCli([...base, '--eval', template(tempDir()), '--journal', join(dir, 'ref.jsonl'), '--quiet'], { GUARD_SLEEP_MS: '0' });
    expect(ref.code, ref.stderr).toBe(0);
    const logDir = tempDir();
    const journal = join(dir, 'killed.jsonl');
    const { kills, resumedStderr } = await killAt([...base, '--eval', template(logDir), '--journal', journal], journal, env, 2,
      (c, prev) => c.results >= 1 && c.inflight.length > 0 && c.justStarted && c.results > (prev?.results ?? 0));
    expect(kills.length).toBe(2);
    expect(essence(journal)).toEqual(essence(join(dir, 'ref.jsonl')));
    checkNoDuplicates(logDir, resumedStderr, kills);
  });
});

describe('prednas tell killed between write and fsync', () => {
  it('a torn last line (any prefix of the line, NUL padding) is dropped, and telling again gives the uninterrupted journal', () => {
    const dir = tempDir();
    const spec = writeSpec(dir);
    const j0 = join(dir, 'j.jsonl');
    const s = runCli(['suggest', '--space', spec, '--journal', j0, '--algo', 'random', '--seed', '2', '-n', '3', '--quiet']);
    expect(s.code, s.stderr).toBe(0);
    const tellArgs = (j: string) => ['tell', '--journal', j, '--trial', '2', '--metric', '0.625', '--cost', '3', '--quiet'];
    const ref = join(dir, 'ref.jsonl');
    copyFileSync(j0, ref);
    expect(runCli(tellArgs(ref)).code).toBe(0);
    const before = readFileSync(j0, 'utf8');
    const line = readFileSync(ref, 'utf8').slice(before.length);
    expect(line).toMatch(/^\{"type":"result","trial":2,.*\}\n$/);
    // A crash between write() and fsync can leave any prefix of the line (and, after a power
    // loss, NULs where the file system had allocated but not written blocks).
    const cuts = [1, 20, Math.floor(line.length / 2), line.length - 1];
    for (const [i, cut] of cuts.entries()) {
      const p = join(dir, `torn-${i}.jsonl`);
      writeFileSync(p, before + line.slice(0, cut) + (i % 2 === 1 ? '\0'.repeat(64) : ''));
      const pend = runCli(['suggest', '--journal', p, '--pending', '--quiet']);
      expect(pend.code, pend.stderr).toBe(0);
      expect(pend.stdout).toMatch(/"trial":2/); // the torn result was never acknowledged
      const r = runCli(tellArgs(p));
      expect(r.code, r.stderr).toBe(0);
      expect(essence(p)).toEqual(essence(ref));
      // Nothing but the new line after the old content: the torn bytes are gone.
      const text = readFileSync(p, 'utf8');
      expect(text.startsWith(before)).toBe(true);
      expect(text.slice(before.length)).toMatch(/^\{"type":"result","trial":2,[^\n\0]*\}\n$/);
    }
    // The whole line written (fsync or not, it is complete): the result stands, telling again is refused.
    const full = join(dir, 'full.jsonl');
    writeFileSync(full, before + line);
    const again = runCli(tellArgs(full));
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^prednas tell: trial 2 \(.*\) already has a result in .*; a journal is append-only\n$/);
    expect(readFileSync(full, 'utf8')).toBe(before + line);
  });
});
