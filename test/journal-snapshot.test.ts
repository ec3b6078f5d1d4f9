/**
 * The journal snapshot (src/io/journal-snapshot.ts): `suggest`/`tell` give the same suggestions,
 * statuses and journal with it as without it, and a snapshot that does not fit the journal
 * (deleted, another journal's, corrupt, another version's, a journal truncated, replaced or with
 * a torn last line) is never trusted: the journal is read instead and the snapshot rebuilt.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, copyFileSync, existsSync, readFileSync, renameSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Ctx } from '../src/cli/context.js';
import { suggest, tell } from '../src/cli/commands/suggest.js';
import { packageVersion } from '../src/cli/commands/version.js';
import { Progress } from '../src/io/progress.js';
import { readJournal } from '../src/io/journal.js';
import { journalLine, type JournalEvent } from '../src/io/journal-format.js';
import { openSearch, snapshotModeFromEnv, snapshotPath, type SnapshotMode } from '../src/io/journal-snapshot.js';
import { tempDir } from './fixtures/cli.js';

const spec = {
  name: 'snap', variables: [
    { name: 'a', type: 'int', min: 0, max: 9 },
    { name: 'b', type: 'categorical', options: ['x', 'y', 'z'] },
    { name: 'c', type: 'ordinal', values: [1, 2, 4, 8] },
  ],
};
/** 4 architectures only: the search runs dry. */
const tiny = { name: 'tiny', variables: [{ name: 'p', type: 'int', min: 0, max: 1 }, { name: 'q', type: 'int', min: 0, max: 1 }] };

const savedMode = process.env['PREDNAS_JOURNAL_SNAPSHOT'];
afterEach(() => {
  if (savedMode === undefined) delete process.env['PREDNAS_JOURNAL_SNAPSHOT'];
  else process.env['PREDNAS_JOURNAL_SNAPSHOT'] = savedMode;
});

/** Run suggest or tell in this process; what it printed (stdout lines and notes). */
function call(mode: SnapshotMode, cmd: 'suggest' | 'tell', v: Record<string, string | boolean>): { out: string[]; notes: string[] } {
  process.env['PREDNAS_JOURNAL_SNAPSHOT'] = mode;
  const out: string[] = [], notes: string[] = [];
  const ctx: Ctx = { v, quiet: true, json: true, out: (s) => out.push(s), note: (s) => notes.push(s), progress: (l) => new Progress(l, { quiet: true }) };
  (cmd === 'suggest' ? suggest : tell)(ctx);
  return { out, notes };
}

const metricOf = (arch: string) => (arch.length * 7 + arch.charCodeAt(arch.length - 1)) % 23;

/**
 * A suggest/tell loop: batches of suggestions, results told out of order, some failed, a
 * `--pending` listing now and then, tells by --arch too. Returns everything printed.
 */
function loop(mode: SnapshotMode, journal: string, specPath: string, algo: string, rounds: number): string[] {
  const log: string[] = [];
  const open: { trial: number; arch: string }[] = [];
  for (let r = 0; r < rounds; r++) {
    const s = call(mode, 'suggest', { journal, space: specPath, algo, seed: '3', count: String(1 + (r % 3)) });
    log.push(...s.out, ...s.notes);
    for (const line of s.out.join('\n').split('\n')) open.push(JSON.parse(line) as { trial: number; arch: string });
    if (r % 4 === 3) log.push(...call(mode, 'suggest', { journal, pending: true }).out);
    const told = open.splice((r * 5) % Math.max(1, open.length), r % 2 === 0 ? 2 : 1);
    for (const t of told) {
      const v = t.trial % 5 === 0 ? { failed: 'oom' } : { metric: String(metricOf(t.arch)) };
      const by = t.trial % 3 === 0 ? { arch: t.arch } : { trial: String(t.trial) };
      log.push(...call(mode, 'tell', { journal, ...by, ...v }).out);
    }
  }
  return log;
}

/** The journal's events without their times (two runs at different moments). */
function events(journal: string): unknown[] {
  return readJournal(journal).events.map((e) => ({ ...e, time: '' }));
}

function setup(s: object = spec): { dir: string; specPath: string } {
  const dir = tempDir('prednas-snap-');
  const specPath = join(dir, 'space.json');
  writeFileSync(specPath, JSON.stringify(s));
  return { dir, specPath };
}

/** Whether a call would resume from the snapshot now (and the state it would build). */
function resumes(journal: string): boolean {
  const o = openSearch(journal, null, { version: packageVersion(), mode: 'auto' });
  try {
    return o.jf.resumed !== null;
  } finally {
    o.jf.close();
  }
}

describe('journal snapshot: same results as reading the whole journal', () => {
  for (const algo of ['random', 'rea', 'ls']) {
    it(`${algo}: same suggestions, statuses and journal with a snapshot after every call as without one`, () => {
      const { dir, specPath } = setup();
      try {
        const off = loop('off', join(dir, 'off.jsonl'), specPath, algo, 14);
        const on = loop('always', join(dir, 'on.jsonl'), specPath, algo, 14);
        expect(on).toEqual(off);
        expect(events(join(dir, 'on.jsonl'))).toEqual(events(join(dir, 'off.jsonl')));
        expect(existsSync(snapshotPath(join(dir, 'off.jsonl')))).toBe(false);
        expect(existsSync(snapshotPath(join(dir, 'on.jsonl')))).toBe(true);
        expect(resumes(join(dir, 'on.jsonl'))).toBe(true);
        // Random search resumes from its RNG state; the others are fed the recorded trials.
        const snap = JSON.parse(readFileSync(snapshotPath(join(dir, 'on.jsonl')), 'utf8').split('\n')[1]!) as { checkpoint: unknown };
        expect(snap.checkpoint === null).toBe(algo !== 'random');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('a search that ran dry (its last ask drew without proposing) resumes as a full read does', () => {
    const { dir, specPath } = setup(tiny);
    try {
      const run = (mode: SnapshotMode, j: string) => [
        ...call(mode, 'suggest', { journal: j, space: specPath, algo: 'random', count: '3' }).out,
        ...call(mode, 'tell', { journal: j, trial: '2', metric: '1' }).out,
        ...call(mode, 'suggest', { journal: j, count: '3' }).out,
        ...call(mode, 'suggest', { journal: j, count: '1' }).notes,
        ...call(mode, 'suggest', { journal: j, pending: true }).out,
      ];
      expect(run('always', join(dir, 'on.jsonl'))).toEqual(run('off', join(dir, 'off.jsonl')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('auto mode writes no snapshot for a small journal and one once the journal outgrows 16 KiB', () => {
    const { dir, specPath } = setup({ name: 'wide', variables: Array.from({ length: 6 }, (_, i) => ({ name: `v${i}`, type: 'int', min: 0, max: 9 })) });
    try {
      const j = join(dir, 'j.jsonl');
      call('auto', 'suggest', { journal: j, space: specPath, algo: 'random', count: '5' });
      expect(existsSync(snapshotPath(j))).toBe(false);
      call('auto', 'suggest', { journal: j, count: '250' });
      expect(existsSync(snapshotPath(j))).toBe(true);
      expect(resumes(j)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('PREDNAS_JOURNAL_SNAPSHOT: auto, off, always; anything else is a one-line error', () => {
    expect(snapshotModeFromEnv({})).toBe('auto');
    expect(snapshotModeFromEnv({ PREDNAS_JOURNAL_SNAPSHOT: 'off' })).toBe('off');
    expect(() => snapshotModeFromEnv({ PREDNAS_JOURNAL_SNAPSHOT: 'yes' })).toThrow(/^PREDNAS_JOURNAL_SNAPSHOT must be auto, off or always, got "yes"$/);
  });
});

describe('journal snapshot: never trusted blindly', () => {
  /**
   * Two journals driven alike up to a point; then `damage` is done to the snapshotted one (and
   * the same to the journal of the reference when it changes the journal), and the next calls
   * must match the reference read in full. Returns the snapshotted journal's path.
   */
  function check(damage: (j: string, ref: string, dir: string) => void, expectResume = false, deleted = false): void {
    const { dir, specPath } = setup();
    try {
      const j = join(dir, 'on.jsonl'), ref = join(dir, 'off.jsonl');
      for (const [mode, path] of [['always', j], ['off', ref]] as const) {
        call(mode, 'suggest', { journal: path, space: specPath, algo: 'random', seed: '1', count: '6' });
        call(mode, 'tell', { journal: path, trial: '2', metric: '5' });
        call(mode, 'tell', { journal: path, trial: '4', failed: 'x' });
      }
      damage(j, ref, dir);
      expect(resumes(j)).toBe(expectResume);
      const after = (mode: SnapshotMode, path: string) => [
        ...call(mode, 'suggest', { journal: path, count: '2' }).out,
        ...call(mode, 'tell', { journal: path, trial: '1', metric: '7' }).out,
        ...call(mode, 'suggest', { journal: path, pending: true }).out,
      ];
      expect(after('auto', j)).toEqual(after('off', ref));
      expect(events(j)).toEqual(events(ref));
      // Rebuilt: the snapshot fits the journal again. A deleted one is not missed: a journal this
      // small is read whole until it outgrows 16 KiB.
      call('auto', 'suggest', { journal: j, pending: true });
      expect(resumes(j)).toBe(!deleted);
      expect(existsSync(snapshotPath(j))).toBe(!deleted);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('a valid snapshot is used', () => check(() => {}, true));

  it('snapshot deleted', () => check((j) => unlinkSync(snapshotPath(j)), false, true));

  it("another journal's snapshot (different header)", () => check((j, _ref, dir) => {
    const { specPath } = setup();
    const other = join(dir, 'other.jsonl');
    call('always', 'suggest', { journal: other, space: specPath, algo: 'random', seed: '1', count: '6' });
    copyFileSync(snapshotPath(other), snapshotPath(j));
  }));

  it('snapshot of a journal that was then replaced by a copy (another file)', () => check((j) => {
    copyFileSync(j, `${j}.copy`);
    renameSync(`${j}.copy`, j);
  }));

  it('journal truncated before the snapshot offset (offset beyond the end)', () => check((j, ref) => {
    for (const p of [j, ref]) {
      const text = readFileSync(p, 'utf8');
      const lines = text.split('\n');
      truncateSync(p, Buffer.byteLength(lines.slice(0, -2).join('\n') + '\n'));
    }
  }));

  it('journal truncated and grown again past the offset with other lines', () => check((j, ref) => {
    // Drop the last tell and write a different one in its place (then one more line), so the file
    // is longer than the snapshot's offset but the bytes before it are not what it covered.
    for (const p of [j, ref]) {
      const lines = readFileSync(p, 'utf8').split('\n').slice(0, -2);
      const e: JournalEvent = { type: 'result', trial: 4, arch: (JSON.parse(lines[4]!) as { arch: string }).arch, status: 'ok', metric: 3, time: 'now' };
      const e3: JournalEvent = { type: 'result', trial: 3, arch: (JSON.parse(lines[3]!) as { arch: string }).arch, status: 'ok', metric: 4, time: 'now' };
      writeFileSync(p, lines.join('\n') + '\n' + journalLine(e) + journalLine(e3));
    }
  }));

  it('journal with a torn last line after the snapshot: the snapshot is used, the tail cut', () => check((j, ref) => {
    for (const p of [j, ref]) appendFileSync(p, '{"type":"result","trial":3,"ar');
  }, true));

  /** The snapshot's body, and a writer of a changed one (with its checksum fixed, or not). */
  const snapshotBody = (j: string) => JSON.parse(readFileSync(snapshotPath(j), 'utf8').split('\n')[1]!) as Record<string, unknown>;
  const writeSnapshot = (j: string, body: string, fixSum = true) => {
    const sum = fixSum ? createHash('sha256').update(body).digest('hex') : readFileSync(snapshotPath(j), 'utf8').slice(0, 64);
    writeFileSync(snapshotPath(j), `${sum}\n${body}`);
  };

  it('damaged snapshots: cut short, a byte changed, not a snapshot at all', () => {
    check((j) => writeFileSync(snapshotPath(j), readFileSync(snapshotPath(j), 'utf8').slice(0, 100)));
    check((j) => writeFileSync(snapshotPath(j), readFileSync(snapshotPath(j), 'utf8').replace('"status":"', '"status":"o')));
    check((j) => writeFileSync(snapshotPath(j), 'not json'));
    // An architecture changed without fixing the checksum: refused on the checksum alone.
    check((j) => {
      const s = snapshotBody(j) as { archs: string[] };
      s.archs[2] = s.archs[2] === 'a=0,b=x,c=1' ? 'a=1,b=x,c=1' : 'a=0,b=x,c=1';
      writeSnapshot(j, JSON.stringify(s), false);
    });
  });

  it('snapshots with a valid checksum but content that does not hang together, or not ours', () => {
    const cases: ((s: Record<string, unknown>) => string)[] = [
      (s) => JSON.stringify({ ...s, status: `${s['status'] as string}o` }),
      (s) => JSON.stringify({ ...s, told: [...(s['told'] as number[]), 1, 1] }),
      (s) => JSON.stringify({ ...s, best: 4 }),
      (s) => JSON.stringify({ ...s, metrics: (s['metrics'] as unknown[]).map(() => null) }),
      (s) => JSON.stringify({ ...s, prednas: '0.0.0-other' }),
      (s) => JSON.stringify({ ...s, schema: 'prednas.journal-snapshot/0' }),
      (s) => JSON.stringify({ ...s, journal: { ...(s['journal'] as object), offset: 10 } }),
      (s) => JSON.stringify({ ...s, journal: { ...(s['journal'] as object), lines: 2 } }),
      (s) => JSON.stringify({ ...s, checkpoint: { rng: [1, 2] } }),
      (s) => JSON.stringify({ ...s, archs: 'x' }),
    ];
    for (const mutate of cases) check((j) => writeSnapshot(j, mutate(snapshotBody(j))));
  });

  it('a snapshot whose trials the tail contradicts is dropped, not believed', () => check((j) => {
    // Trial 3's architecture altered in the snapshot: tell --trial 3 in the tail would name
    // another architecture than the snapshot, so the tail fails its checks against it.
    const s = snapshotBody(j) as { archs: string[] };
    const journalArch = (JSON.parse(readFileSync(j, 'utf8').split('\n')[3]!) as { arch: string }).arch;
    s.archs[2] = journalArch === 'a=0,b=x,c=1' ? 'a=1,b=x,c=1' : 'a=0,b=x,c=1';
    writeSnapshot(j, JSON.stringify(s));
    const ref = j.replace('on.jsonl', 'off.jsonl');
    for (const p of [j, ref]) call('off', 'tell', { journal: p, trial: '3', metric: '2' });
  }));

  it('fed searches (REA) drop a snapshot whose recorded proposals the search does not make', () => {
    const { dir, specPath } = setup();
    try {
      const j = join(dir, 'on.jsonl'), ref = join(dir, 'off.jsonl');
      for (const [mode, path] of [['always', j], ['off', ref]] as const) {
        call(mode, 'suggest', { journal: path, space: specPath, algo: 'rea', seed: '2', count: '5' });
        call(mode, 'tell', { journal: path, trial: '2', metric: '5' });
      }
      const body = readFileSync(snapshotPath(j), 'utf8').split('\n')[1]!;
      const s = JSON.parse(body) as { archs: string[] };
      s.archs[0] = s.archs[0] === 'a=0,b=x,c=1' ? 'a=1,b=x,c=1' : 'a=0,b=x,c=1';
      const text = JSON.stringify(s);
      writeFileSync(snapshotPath(j), `${createHash('sha256').update(text).digest('hex')}\n${text}`);
      expect(call('auto', 'suggest', { journal: j, count: '3' }).out).toEqual(call('off', 'suggest', { journal: ref, count: '3' }).out);
      expect(events(j)).toEqual(events(ref));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("`prednas run`'s launch and job events after the snapshot are checked against its attempts", () => {
    const { dir, specPath } = setup();
    try {
      const j = join(dir, 'on.jsonl'), ref = join(dir, 'off.jsonl');
      const launch = (attempt: number): JournalEvent[] => [
        { type: 'launch', trial: 2, attempt, launcher: 'local', host: 'h', token: `t${attempt}`, time: '' },
        { type: 'job', trial: 2, attempt, pid: 99, pgid: 99, time: '' },
      ];
      for (const [mode, path] of [['always', j], ['off', ref]] as const) {
        call(mode, 'suggest', { journal: path, space: specPath, algo: 'random', count: '3' });
        appendFileSync(path, launch(1).map(journalLine).join(''));
        call(mode, 'suggest', { journal: path, count: '1' }); // the snapshot now holds attempt 1 of trial 2
        appendFileSync(path, launch(2).map(journalLine).join(''));
      }
      expect(resumes(j)).toBe(true);
      expect(call('auto', 'tell', { journal: j, trial: '2', metric: '9' }).out).toEqual(call('off', 'tell', { journal: ref, trial: '2', metric: '9' }).out);
      // An attempt out of sequence after the snapshot is refused with the journal's own message.
      const bad = launch(4).slice(0, 1).map((e) => ({ ...e, trial: 1 }));
      for (const p of [j, ref]) appendFileSync(p, bad.map(journalLine).join(''));
      const msg = (p: string) => {
        try {
          call('auto', 'tell', { journal: p, trial: '1', metric: '1' });
          return null;
        } catch (e) {
          return (e as Error).message.replace(p, 'J');
        }
      };
      expect(msg(j)).toMatch(/^J:11: launch of trial 1 attempt 4 out of sequence \(expected attempt 1\)$/);
      expect(msg(j)).toBe(msg(ref));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('journal snapshot: mutated journals (fast-check)', () => {
  it('a command on a mutated journal with its old snapshot gives what it gives without one', async () => {
    const fc = (await import('fast-check')).default;
    const { dir, specPath } = setup();
    let used = 0, cases = 0;
    try {
      const kinds = ['drop', 'dup', 'swap', 'digit', 'torn', 'tell', 'none'] as const;
      const commands = [
        { cmd: 'suggest' as const, v: { count: '2' } },
        { cmd: 'suggest' as const, v: { pending: true } },
        { cmd: 'tell' as const, v: { trial: '3', metric: '55' } },
        { cmd: 'tell' as const, v: { trial: '5', failed: 'x' } },
      ];
      fc.assert(
        fc.property(fc.constantFrom(...kinds), fc.nat(40), fc.nat(3), (kind, at, which) => {
          const d = join(dir, `c${cases++}`);
          const j = join(d, 'j.jsonl'), ref = join(d, 'ref.jsonl');
          call('always', 'suggest', { journal: j, space: specPath, algo: 'random', seed: '4', count: '6' });
          call('always', 'tell', { journal: j, trial: '2', metric: '5' });
          call('always', 'tell', { journal: j, trial: '4', failed: 'x' });
          const lines = readFileSync(j, 'utf8').split('\n');
          lines.pop();
          const i = 1 + (at % (lines.length - 1));
          if (kind === 'drop') lines.splice(i, 1);
          if (kind === 'dup') lines.splice(i, 0, lines[i]!);
          if (kind === 'swap' && i + 1 < lines.length) [lines[i], lines[i + 1]] = [lines[i + 1]!, lines[i]!];
          if (kind === 'digit') lines[i] = lines[i]!.replace(/[0-9]/, (c) => String((Number(c) + 1) % 10));
          let text = lines.join('\n') + '\n';
          if (kind === 'torn') text += lines[i]!.slice(0, at);
          if (kind === 'tell') text += journalLine({ type: 'result', trial: 1, arch: (JSON.parse(lines[1]!) as { arch: string }).arch, status: 'ok', metric: at, time: '' });
          writeFileSync(j, text); // in place: same file, so only the content tells the snapshot apart
          writeFileSync(ref, text);
          try {
            if (resumes(j)) used++;
          } catch {
            // unreadable: the commands below must refuse it alike
          }
          const { cmd, v } = commands[which]!;
          const outcome = (mode: SnapshotMode, p: string) => {
            try {
              return { ok: call(mode, cmd, { journal: p, ...v }).out };
            } catch (e) {
              return { error: (e as Error).message.replaceAll(p, 'J') };
            }
          };
          expect(outcome('auto', j)).toEqual(outcome('off', ref));
          expect(readFileSync(j, 'utf8').replace(/"time":"[^"]*"/g, '')).toBe(readFileSync(ref, 'utf8').replace(/"time":"[^"]*"/g, ''));
        }),
        { seed: 21, numRuns: 40 },
      );
      // Not vacuous: some mutated journals still fit their snapshot (appended lines, a torn tail).
      expect(used).toBeGreaterThan(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
