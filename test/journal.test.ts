import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { appendFileSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { JOURNAL_SCHEMA, journalLine, parseJournal, type JournalEvent, type JournalHeader } from '../src/io/journal-format.js';
import { acquireLock, JournalFile, readJournal } from '../src/io/journal.js';
import { checkHeaderAgrees, replay } from '../src/io/journal-state.js';
import { makeAlgorithm } from '../src/nas/search/registry.js';
import { spaceFromSpec } from '../src/nas/spaces/spec.js';
import { tempDir } from './fixtures/cli.js';

const spec = {
  name: 'j', variables: [
    { name: 'a', type: 'int', min: 0, max: 9 },
    { name: 'b', type: 'categorical', options: ['x', 'y', 'z'] },
    { name: 'c', type: 'ordinal', values: [1, 2, 4, 8] },
  ],
};

function header(algo = 'rea', seed = 0): JournalHeader {
  return { type: 'header', schema: JOURNAL_SCHEMA, space: { kind: 'spec', spec }, algo, seed, direction: 'max', predictor: 'mlp', constraints: [], created: 't' };
}

const metric = (arch: string) => arch.length + (arch.charCodeAt(2) % 7) / 10;

/** Drive a journaled search: `n` trials, results told in a permuted order with some failures. */
function journaledRun(h: JournalHeader, n: number, seed: number): JournalEvent[] {
  const state = replay(h, [], 'mem');
  const events: JournalEvent[] = [];
  const open: { trial: number; arch: string }[] = [];
  let k = 0;
  while (events.filter((e) => e.type === 'result').length < n) {
    if (state.trials.length < n && (open.length < 3 || k % 2 === 0)) {
      const p = state.next()!;
      const e: JournalEvent = { type: 'ask', trial: p.trial, arch: p.arch, time: '' };
      state.apply(e); events.push(e); open.push(p);
    } else {
      const t = open.splice((k * 7 + seed) % open.length, 1)[0]!;
      const failed = t.trial % 5 === 0;
      const e: JournalEvent = failed
        ? { type: 'result', trial: t.trial, arch: t.arch, status: 'failed', error: 'boom', time: '' }
        : { type: 'result', trial: t.trial, arch: t.arch, status: 'ok', metric: metric(t.arch), time: '' };
      state.apply(e); events.push(e);
    }
    k++;
  }
  return events;
}

describe('journal format', () => {
  const h = header();
  const ask: JournalEvent = { type: 'ask', trial: 1, arch: 'a=1,b=x,c=2', time: 't' };
  const res: JournalEvent = { type: 'result', trial: 1, arch: 'a=1,b=x,c=2', status: 'ok', metric: 3.5, time: 't' };
  const text = journalLine(h) + journalLine(ask) + journalLine(res);

  it('parses what it writes', () => {
    const p = parseJournal(text, 'j');
    expect(p.header).toEqual(h);
    expect(p.events).toEqual([ask, res]);
    expect(p.tornBytes).toBe(0);
    expect(p.validBytes).toBe(Buffer.byteLength(text));
  });

  it('ignores any torn prefix of a line at the end, keeping every complete line', () => {
    const next = journalLine({ type: 'ask', trial: 2, arch: 'a=2,b=y,c=4', time: 'tü' });
    fc.assert(fc.property(fc.integer({ min: 1, max: next.length - 1 }), fc.nat(3), (cut, nuls) => {
      const torn = text + next.slice(0, cut) + '\0'.repeat(nuls);
      const p = parseJournal(torn, 'j');
      expect(p.events).toEqual([ask, res]);
      expect(p.validBytes).toBe(Buffer.byteLength(text));
      expect(p.tornBytes).toBe(Buffer.byteLength(torn) - Buffer.byteLength(text));
    }), { seed: 42, numRuns: 60 });
  });

  it('reports a damaged complete line with its line number instead of skipping it', () => {
    const bad = journalLine(h) + '{"type":"ask","tri\n' + journalLine(res);
    expect(() => parseJournal(bad, 'run.jsonl')).toThrow(/run\.jsonl:2: corrupt line/);
  });

  it('rejects impossible sequences: a result before its ask, a second result, a skipped trial number', () => {
    expect(() => parseJournal(journalLine(h) + journalLine(res), 'j')).toThrow(/j:2: result for trial 1, which was never asked/);
    expect(() => parseJournal(text + journalLine(res), 'j')).toThrow(/j:4: second result for trial 1/);
    expect(() => parseJournal(journalLine(h) + journalLine({ ...ask, trial: 2 }), 'j')).toThrow(/out of sequence \(expected trial 1\)/);
    expect(() => parseJournal(journalLine(h) + journalLine(ask) + journalLine({ ...res, arch: 'a=2,b=x,c=2' }), 'j')).toThrow(/names a=2,b=x,c=2 but the trial asked a=1,b=x,c=2/);
    expect(() => parseJournal(journalLine(h) + journalLine({ ...res, status: 'ok', metric: undefined } as unknown as JournalEvent), 'j')).toThrow(/finite numeric metric/);
    expect(() => parseJournal(journalLine({ ...h, schema: 'other/9' } as unknown as JournalHeader), 'j')).toThrow(/unsupported journal schema/);
    expect(() => parseJournal('', 'j')).toThrow(/empty journal/);
  });
});

describe('replaying a journal', () => {
  it('restores every algorithm exactly: the next proposals equal those of the uninterrupted search', () => {
    for (const algo of ['random', 'rea', 'ls', 'prednas']) {
      const h = header(algo, 3);
      const events = journaledRun(h, algo === 'prednas' ? 14 : 25, 1);
      // Two independent replays continue identically.
      const again = replay(h, events, 'again');
      const x = Array.from({ length: 4 }, () => again.search.ask(1)[0]).map((v) => again.space.toString(v));
      const y = replay(h, events, 'third');
      const z = Array.from({ length: 4 }, () => y.search.ask(1)[0]).map((v) => y.space.toString(v));
      expect(z, algo).toEqual(x);
      // And replay equals driving the algorithm directly with the same calls.
      const space = spaceFromSpec(spec);
      const direct = makeAlgorithm(algo, { space, seed: 3 }, { prednas: { predictor: { kind: 'mlp' } }, wen: { predictor: { kind: 'mlp' } } });
      for (const e of events) {
        if (e.type === 'ask') expect(space.toString(direct.ask(1)[0]!), `${algo} trial ${e.trial}`).toBe(e.arch);
        else if (e.type === 'result' && e.status === 'ok') direct.tell(space.parse(e.arch), e.metric!);
      }
      expect(Array.from({ length: 4 }, () => space.toString(direct.ask(1)[0]!))).toEqual(x);
    }
  });

  it('fails loudly when the journal does not match the search (other seed)', () => {
    const events = journaledRun(header('random', 1), 5, 0);
    expect(() => replay(header('random', 2), events, 'j.jsonl')).toThrow(/j\.jsonl: event 1 \(line 2\): replaying the search proposed .* but the journal recorded/);
  });

  it('never proposes a failed architecture again and reports the best ok trial (minimising too)', () => {
    const h = header('random', 0);
    const events = journaledRun(h, 20, 0);
    const st = replay(h, events, 'j');
    const failed = st.trials.filter((t) => t.result?.status === 'failed').map((t) => t.hash);
    expect(failed.length).toBeGreaterThan(0);
    const more = Array.from({ length: 200 }, () => st.search.ask(1)[0]).filter((v) => v !== undefined).map((v) => st.space.hash(v));
    for (const f of failed) expect(more).not.toContain(f);
    const oks = st.trials.filter((t) => t.result?.status === 'ok').map((t) => t.result!.metric!);
    expect(st.best()!.result!.metric).toBe(Math.max(...oks));
    const stMin = replay({ ...h, direction: 'min' }, events, 'j');
    expect(stMin.best()!.result!.metric).toBe(Math.min(...oks));
  });

  it('checks flags given again against the journal header', () => {
    const h = header('rea', 1);
    expect(checkHeaderAgrees(h, { algo: 'rea', seed: 1 }, 'p')).toBe(h);
    expect(() => checkHeaderAgrees(h, { seed: 2 }, 'p')).toThrow(/--seed: journal has 1, command line says 2/);
    expect(() => checkHeaderAgrees(h, { space: { kind: 'builtin', name: 'nb201' } }, 'p')).toThrow(/--space: the journal was started with the spec of space 'j'/);
  });
});

describe('journal file', () => {
  it('creates, appends with fsync, and cuts a torn tail before the next append', () => {
    const dir = tempDir();
    const p = join(dir, 'run.jsonl');
    const jf = JournalFile.open(p, header());
    jf.append([{ type: 'ask', trial: 1, arch: 'a=1,b=x,c=2', time: '' }]);
    jf.close();
    appendFileSync(p, '{"type":"result","trial":1,"ar');
    const again = JournalFile.open(p, null);
    expect(again.parsed.tornBytes).toBeGreaterThan(0);
    again.append([{ type: 'result', trial: 1, arch: 'a=1,b=x,c=2', status: 'ok', metric: 2, time: '' }]);
    again.close();
    const text = readFileSync(p, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(readJournal(p).events.map((e) => e.type)).toEqual(['ask', 'result']);
    expect(existsSync(`${p}.lock`)).toBe(false);
  });

  it('re-creates a journal whose header line never completed (crash during creation)', () => {
    const dir = tempDir();
    const p = join(dir, 'run.jsonl');
    writeFileSync(p, '{"type":"hea');
    const jf = JournalFile.open(p, header());
    jf.close();
    expect(readJournal(p).header.algo).toBe('rea');
  });

  it('locks: a live holder blocks with a message naming it; a dead holder\'s lock on this host is broken', () => {
    const dir = tempDir();
    const p = join(dir, 'run.jsonl');
    const release = acquireLock(p, { purpose: 'test holder' });
    expect(() => acquireLock(p, { waitMs: 100 })).toThrow(new RegExp(`held by process ${process.pid} on host ${hostname()} \\(test holder`));
    release();
    // A lock left by a process that no longer exists (as after SIGKILL).
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(`${p}.lock`, JSON.stringify({ host: hostname(), pid: Number(dead.stdout), purpose: 'prednas run' }));
    const r2 = acquireLock(p, { waitMs: 100 });
    r2();
    expect(existsSync(`${p}.lock`)).toBe(false);
  });
});
