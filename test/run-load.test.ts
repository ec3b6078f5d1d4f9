/**
 * `prednas run` under load, scaled down from bench/run-load.bench.ts (2,000 trials at 64): 300
 * trials at concurrency 32 with a /bin/echo evaluator must leave a consistent journal, every
 * trial asked and answered exactly once, no architecture twice. Asserts consistency, not speed.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkJournal, runLoad } from '../bench/lib/run-load.js';
import { JOURNAL_SCHEMA, journalLine, type JournalEvent, type JournalHeader } from '../src/io/journal-format.js';

describe.skipIf(!existsSync('/bin/echo'))('prednas run under load', () => {
  it('300 trials at concurrency 32: every trial exactly once, peak RSS reported', async () => {
    const r = await runLoad({ trials: 300, concurrency: 32 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.journalProblems).toEqual([]);
    expect(r.peakRssMiB).toBeGreaterThan(10);
  }, 180_000);

  it('the journal check catches a lost, a duplicated and a wrong trial', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prednas-loadcheck-'));
    try {
      const header: JournalHeader = {
        type: 'header', schema: JOURNAL_SCHEMA, space: { kind: 'builtin', name: 'nb201' }, algo: 'random', seed: 0,
        direction: 'max', predictor: 'mlp', constraints: [], created: '',
      };
      const ask = (t: number, arch: string): JournalEvent => ({ type: 'ask', trial: t, arch, time: '' });
      const ok = (t: number, arch: string, metric: number): JournalEvent => ({ type: 'result', trial: t, arch, status: 'ok', metric, time: '' });
      const write = (events: JournalEvent[]) => {
        const p = join(dir, 'j.jsonl');
        writeFileSync(p, [header, ...events].map(journalLine).join(''));
        return p;
      };
      const good = write([ask(1, 'a'), ask(2, 'b'), ok(2, 'b', 2), ok(1, 'a', 1)]);
      expect(checkJournal(good, 2)).toEqual([]);
      expect(checkJournal(good, 3)).toEqual(['trial 3 never asked', 'trial 3 has no result', '2 trials asked, expected 3']);
      const unanswered = write([ask(1, 'a'), ask(2, 'b'), ok(1, 'a', 1)]);
      expect(checkJournal(unanswered, 2)).toEqual(['trial 2 has no result']);
      const wrong = write([ask(1, 'a'), ok(1, 'a', 7)]);
      expect(checkJournal(wrong, 1)).toEqual(['trial 1: ok metric 7 (expected ok 1)']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
