/**
 * A snapshot beside an ask/tell journal (`<journal>.snapshot`), so that `prednas suggest` and
 * `prednas tell` read only the journal lines written since it instead of the whole journal.
 *
 * The journal stays the single source of truth; the snapshot is a cache of what reading it gives
 * up to a byte offset: each trial's architecture, hash, status and metric, the order in which
 * results were told, the best trial, the sequence state that checks the lines after it (attempt
 * numbers of launched trials), and for random search the RNG state (BaseSearch.checkpoint), which
 * with the taken set is all its next proposal depends on. Other searches are fed the recorded asks
 * and tells again from the snapshot, without parsing the journal.
 *
 * A snapshot is used only when its own SHA-256 checks out and it names this journal: the SHA-256 of its header line (which holds
 * the creation time), the file's device and inode, an offset inside the file, the SHA-256 of the
 * 4 KiB before that offset, and the version of prednas that wrote it. Anything else (missing,
 * unparsable, inconsistent, another journal's, a journal truncated, replaced or rewritten, another
 * prednas) and the journal is read from the start, as if there were no snapshot, and a fresh
 * snapshot replaces the bad one. What no cheap check sees is an edit inside the covered bytes that
 * keeps their length and last 4 KiB: a journal is only ever appended to by prednas, and the full
 * read that would notice such an edit happens again whenever the snapshot is rebuilt.
 *
 * The snapshot is written atomically (atomic-write.ts), under the journal's lock, after the
 * command's events are fsync'd in the journal, so it never covers bytes that are not on disk. It is
 * rewritten when the lines after it outgrow max(16 KiB, 1/32 of the snapshot): each call then
 * replays a short tail, and the rewrites cost O(1) amortised per call. Loading the snapshot itself
 * is O(trials), with a small constant (a JSON of ~55 bytes per trial and a pass over it).
 */
import { sha256 } from './sha256.js';
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic-write.js';
import { JournalSequence } from './journal-format.js';
import { JournalFile, type JournalPeek, type JournalResume, type LockOptions } from './journal.js';
import type { JournalHeader } from './journal-format.js';
import { replay, STATUS_CHAR, type ReplayStart, type SearchState } from './journal-state.js';

export const SNAPSHOT_SCHEMA = 'prednas.journal-snapshot/1';

/** Bytes before the offset whose hash must match (a journal line is ~150 bytes: about 25 lines). */
const CHECK_BYTES = 4096;
/** Below this many bytes after the snapshot (or without one) reading them costs less than writing one. */
const MIN_TAIL_BYTES = 16 * 1024;
/**
 * Rewrite when the tail exceeds this fraction of the snapshot, so rewriting costs O(1) amortised
 * (at most 32 bytes of snapshot written per journal byte appended). A tail line costs far more
 * than a snapshot byte to take in (an ask is proposed again and checked), hence a small fraction.
 */
const TAIL_FRACTION = 1 / 32;

export function snapshotPath(journal: string): string {
  return `${journal}.snapshot`;
}

/**
 * 'auto': use a valid snapshot, write one as described above; 'off': never read or write one
 * (PREDNAS_JOURNAL_SNAPSHOT=off, e.g. to measure without); 'always': rewrite it after every
 * call (tests, so that every call exercises it).
 */
export type SnapshotMode = 'auto' | 'off' | 'always';

export function snapshotModeFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): SnapshotMode {
  const v = env['PREDNAS_JOURNAL_SNAPSHOT'];
  if (v === undefined || v === '' || v === 'auto') return 'auto';
  if (v === 'off' || v === 'always') return v;
  throw new Error(`PREDNAS_JOURNAL_SNAPSHOT must be auto, off or always, got ${JSON.stringify(v)}`);
}

/** The snapshot file. Arrays per trial (trial k at index k - 1) keep it small and quick to parse. */
interface SnapshotFile {
  readonly schema: typeof SNAPSHOT_SCHEMA;
  readonly prednas: string;
  readonly journal: { readonly header: string; readonly dev: number; readonly ino: number; readonly offset: number; readonly lines: number; readonly check: string };
  readonly archs: readonly string[];
  /** Hashes that differ from the arch string (NB-101's), by trial index. */
  readonly hashes: Readonly<Record<string, string>>;
  /** One character per trial: '-' no result yet, 'o' ok, 'f' failed, 't' timed out. */
  readonly status: string;
  /** The metric of each ok trial, null for the others. */
  readonly metrics: readonly (number | null)[];
  /** Latest launch attempt of trials without a result that `prednas run` launched. */
  readonly attempts: Readonly<Record<string, number>>;
  /** [trial, trials asked then, ...] for each ok result in the order told. */
  readonly told: readonly number[];
  readonly best: number | null;
  readonly checkpoint: { readonly rng: readonly number[] } | null;
}


/** A snapshot read and checked against the open journal. */
interface Loaded {
  readonly start: ReplayStart;
  readonly resume: JournalResume;
  readonly bytes: number;
}

/**
 * The snapshot at `path` as a replay start for the journal `peek` shows, or null when it is
 * missing or does not fit (see the file comment). Never throws: a bad snapshot is only a cache miss.
 */
function load(path: string, peek: JournalPeek, version: string): Loaded | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  try {
    // Line 1: the SHA-256 of the rest, so a damaged or edited snapshot is not read as a valid one.
    const nl = text.indexOf('\n');
    const body = text.slice(nl + 1);
    if (nl !== 64 || text.slice(0, 64) !== sha256(body)) return null;
    const f = JSON.parse(body) as SnapshotFile;
    const j = f.journal;
    if (f.schema !== SNAPSHOT_SCHEMA || f.prednas !== version || typeof j !== 'object' || j === null) return null;
    const headerBytes = Buffer.byteLength(peek.headerLine);
    if (j.header !== sha256(peek.headerLine) || j.dev !== peek.dev || j.ino !== peek.ino) return null;
    if (!Number.isInteger(j.offset) || j.offset < headerBytes || j.offset > peek.size || !Number.isInteger(j.lines) || j.lines < 1) return null;
    const before = peek.read(Math.max(0, j.offset - CHECK_BYTES), Math.min(j.offset, CHECK_BYTES));
    if (before[before.length - 1] !== 10 || j.check !== sha256(before)) return null;
    const start = checkContent(f);
    if (start === null) return null;
    let answeredCount = 0;
    const answered = new TrialBits(start.status.length);
    for (let i = 0; i < start.status.length; i++) {
      if (start.status[i] !== '-') {
        answered.add(i + 1);
        answeredCount++;
      }
    }
    if (j.lines < 1 + start.archs.length + answeredCount) return null;
    const attempts = new Map<number, number>();
    for (const [k, a] of Object.entries(f.attempts)) {
      const trial = Number(k);
      if (!Number.isInteger(trial) || trial < 1 || trial > start.archs.length || answered.has(trial) || !Number.isInteger(a) || a < 1) return null;
      attempts.set(trial, a);
    }
    // A copy: the sequence grows as lines are read and appended, the start must not.
    const seq = new JournalSequence(f.archs.slice(), answered, attempts);
    return { start, resume: { offset: j.offset, line: j.lines + 1, seq }, bytes: Buffer.byteLength(text) };
  } catch {
    return null;
  }
}

/** The snapshot's trials, results and search state, or null if they do not hang together. */
function checkContent(f: SnapshotFile): ReplayStart | null {
  if (!Array.isArray(f.archs) || typeof f.status !== 'string' || !Array.isArray(f.metrics) || !Array.isArray(f.told)) return null;
  if (typeof f.hashes !== 'object' || f.hashes === null || typeof f.attempts !== 'object' || f.attempts === null) return null;
  const n = f.archs.length;
  if (f.status.length !== n || f.metrics.length !== n || f.told.length % 2 !== 0) return null;
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const arch = f.archs[i], st = f.status[i], metric = f.metrics[i];
    if (typeof arch !== 'string' || arch === '') return null;
    if (st === STATUS_CHAR.ok) {
      if (typeof metric !== 'number' || !Number.isFinite(metric)) return null;
      ok++;
    } else if ((st !== '-' && st !== STATUS_CHAR.failed && st !== STATUS_CHAR.timeout) || metric !== null) return null;
  }
  const hashes = new Map<number, string>();
  for (const [k, h] of Object.entries(f.hashes)) {
    const i = Number(k);
    if (!Number.isInteger(i) || i < 0 || i >= n || typeof h !== 'string' || h === '') return null;
    hashes.set(i, h);
  }
  // Each ok trial told once, in journal order: after it was asked, never before an earlier tell.
  const told = new TrialBits(n);
  let lastAsked = 0;
  for (let j = 0; j < f.told.length; j += 2) {
    const trial = f.told[j]!, asked = f.told[j + 1]!;
    if (!Number.isInteger(trial) || !Number.isInteger(asked) || trial < 1 || asked < trial || asked > n || asked < lastAsked) return null;
    if (f.status[trial - 1] !== STATUS_CHAR.ok || told.has(trial)) return null;
    told.add(trial);
    lastAsked = asked;
  }
  if (told.size !== ok) return null;
  if (f.best !== null && (!Number.isInteger(f.best) || !told.has(f.best))) return null;
  const cp = f.checkpoint;
  if (cp !== null && (typeof cp !== 'object' || !Array.isArray(cp.rng))) return null;
  return { archs: f.archs, hashes, status: f.status, metrics: f.metrics, told: f.told, checkpoint: cp === null ? null : { rng: cp.rng.slice() }, best: f.best };
}

/** Trial numbers as a bitmap: a Set of 10^4 numbers costs more to build than the rest of a call. */
class TrialBits {
  private bits: Uint8Array;
  size = 0;

  constructor(capacity: number) {
    this.bits = new Uint8Array(capacity + 2);
  }

  has(trial: number): boolean {
    return Number.isInteger(trial) && trial >= 0 && trial < this.bits.length && this.bits[trial] === 1;
  }

  add(trial: number): this {
    if (!Number.isInteger(trial) || trial < 0) throw new Error(`TrialBits: ${trial} is not a trial number`);
    if (trial >= this.bits.length) {
      const grown = new Uint8Array(Math.max(2 * this.bits.length, trial + 1));
      grown.set(this.bits);
      this.bits = grown;
    }
    if (this.bits[trial] === 0) {
      this.bits[trial] = 1;
      this.size++;
    }
    return this;
  }
}

/** A locked journal and the search state after it, from the snapshot and the lines after it. */
export interface OpenSearch {
  readonly jf: JournalFile;
  readonly state: SearchState;
  /**
   * Call after the command's events were appended, before close(): writes a snapshot when the
   * policy says so. A failure to write it is not the command's failure (the journal has the
   * events; the next call reads a little more), so it is returned for a note, not thrown.
   */
  saveSnapshot(): Error | null;
}

export interface OpenSearchOptions {
  /** The prednas version: a snapshot written by another version is not used. */
  readonly version: string;
  readonly mode?: SnapshotMode;
  readonly lock?: LockOptions;
}

/**
 * JournalFile.open + replay, starting from the journal's snapshot when it fits. The result is the
 * same as replaying the whole journal (test/journal-snapshot.test.ts holds it to that); any doubt
 * about the snapshot means the whole journal is read.
 */
export function openSearch(path: string, header: JournalHeader | null, opts: OpenSearchOptions): OpenSearch {
  const mode = opts.mode ?? 'auto';
  const snap = snapshotPath(path);
  let loaded: Loaded | null = null;
  const jf = JournalFile.open(path, header, opts.lock ?? {}, mode === 'off' ? undefined : (peek) => {
    loaded = load(snap, peek, opts.version);
    return loaded?.resume ?? null;
  });
  try {
    let state: SearchState | null = null;
    // (`as`: TypeScript does not see the assignment in open's callback.)
    let used = jf.resumed === null ? null : (loaded as Loaded | null);
    if (used !== null) {
      try {
        state = replay(jf.parsed.header, jf.parsed.events, path, used.start);
      } catch {
        // The snapshot does not fit this search after all: the journal decides.
        used = null;
        jf.rereadAll();
      }
    }
    state ??= replay(jf.parsed.header, jf.parsed.events, path);
    const finalState = state;
    // A snapshot there but not used (it did not fit, or the lines after it contradicted it) is
    // replaced now, whatever the journal's size: otherwise every call would read it in vain.
    const stale = mode !== 'off' && used === null && existsSync(snap);
    const coveredBytes = used?.resume.offset ?? 0, snapshotBytes = used?.bytes ?? 0;
    return {
      jf, state: finalState,
      saveSnapshot(): Error | null {
        if (mode === 'off') return null;
        const tail = jf.parsed.validBytes - coveredBytes;
        if (mode === 'auto' && !stale && tail < Math.max(MIN_TAIL_BYTES, snapshotBytes * TAIL_FRACTION)) return null;
        try {
          writeFileAtomic(snap, renderSnapshot(jf, finalState, opts.version));
          return null;
        } catch (e) {
          return e as Error;
        }
      },
    };
  } catch (e) {
    jf.close();
    throw e;
  }
}

/** The snapshot of the journal as it is now (its valid bytes, the state after them). */
function renderSnapshot(jf: JournalFile, state: SearchState, version: string): string {
  const c = state.compact();
  const offset = jf.parsed.validBytes;
  const { dev, ino } = jf.stat();
  const attempts: Record<string, number> = {};
  for (const [trial, a] of jf.seq.attempts) if (!jf.seq.answered.has(trial)) attempts[String(trial)] = a;
  const file: SnapshotFile = {
    schema: SNAPSHOT_SCHEMA, prednas: version,
    journal: { header: sha256(jf.headerLine()), dev, ino, offset, lines: jf.lines, check: sha256(jf.bytes(Math.max(0, offset - CHECK_BYTES), Math.min(offset, CHECK_BYTES))) },
    archs: c.archs, hashes: Object.fromEntries(c.hashes), status: c.status, metrics: c.metrics,
    attempts, told: c.told, best: c.best, checkpoint: c.checkpoint,
  };
  const body = JSON.stringify(file);
  return `${sha256(body)}\n${body}`;
}
