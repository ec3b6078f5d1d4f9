/**
 * The journal file (Node only): an exclusive lock for the writer, torn-tail repair, and appends
 * that are one write() + fsync per batch, so an acknowledged event is on disk before anything
 * acts on it (before a suggestion is printed, before a job is launched for it).
 */
import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readFileSync, unlinkSync, writeSync, constants, readSync, fstatSync } from 'node:fs';
import { dirname } from 'node:path';
import { mkdirSync } from 'node:fs';
import { JournalError, journalLine, parseJournal, type JournalEvent, type JournalHeader, type ParsedJournal } from './journal-format.js';

export interface LockOptions {
  /** Milliseconds to wait for another prednas process to release the journal (default 10 s). */
  readonly waitMs?: number;
  /** What the holder is doing, recorded in the lock file for a helpful "locked by" message. */
  readonly purpose?: string;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleepBuf = new Int32Array(new SharedArrayBuffer(4));
function sleepMs(ms: number): void {
  Atomics.wait(sleepBuf, 0, 0, ms);
}

/**
 * Take `<journal>.lock` (O_EXCL). A lock whose process is gone (e.g. SIGKILLed) is stale and is
 * broken; a live holder is waited for up to waitMs, then reported with its pid and purpose.
 */
export function acquireLock(journalPath: string, opts: LockOptions = {}): () => void {
  const lock = `${journalPath}.lock`;
  const deadline = Date.now() + (opts.waitMs ?? 10_000);
  mkdirSync(dirname(lock), { recursive: true });
  for (;;) {
    try {
      const fd = openSync(lock, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
      writeSync(fd, JSON.stringify({ pid: process.pid, purpose: opts.purpose ?? 'prednas', since: new Date().toISOString() }));
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try { unlinkSync(lock); } catch { /* already gone */ }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder: { pid?: number; purpose?: string } = {};
    try {
      holder = JSON.parse(readFileSync(lock, 'utf8')) as typeof holder;
    } catch {
      // Being written right now, or left empty by a crash between create and write.
    }
    if (typeof holder.pid === 'number' && !pidAlive(holder.pid)) {
      try { unlinkSync(lock); } catch { /* someone else broke it first */ }
      continue;
    }
    if (holder.pid === undefined) {
      // An unreadable lock older than 2 s is a crash leftover, not a writer mid-write.
      try {
        const fd = openSync(lock, 'r');
        const age = Date.now() - fstatSync(fd).mtimeMs;
        closeSync(fd);
        if (age > 2000) { unlinkSync(lock); continue; }
      } catch { continue; }
    }
    if (Date.now() > deadline) {
      throw new Error(`journal ${journalPath} is locked by process ${holder.pid ?? '?'} (${holder.purpose ?? 'unknown'}); wait for it to finish, or delete ${lock} if that process is gone`);
    }
    sleepMs(50);
  }
}

/** An open, locked journal: its parsed content and an append handle. */
export class JournalFile {
  private fd: number;

  private constructor(readonly path: string, fd: number, public parsed: ParsedJournal, private readonly release: () => void) {
    this.fd = fd;
  }

  /**
   * Open (and lock) an existing journal, or create it with `header` when it does not exist.
   * A torn tail is cut off before anything is appended.
   */
  static open(path: string, header: JournalHeader | null, lock: LockOptions = {}): JournalFile {
    const release = acquireLock(path, lock);
    try {
      if (!existsSync(path)) {
        if (header === null) throw new Error(`journal ${path} does not exist; start one with \`prednas suggest --space SPACE --journal ${path}\` or \`prednas run ...\``);
        mkdirSync(dirname(path), { recursive: true });
        const fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, 0o644);
        const line = journalLine(header);
        writeSync(fd, line);
        fsyncSync(fd);
        syncDir(dirname(path));
        return new JournalFile(path, fd, parseJournal(line, path), release);
      }
      const fd = openSync(path, constants.O_RDWR);
      const buf = readAll(fd);
      if (header !== null && buf.indexOf(10) < 0) {
        // A crash while creating the journal left no complete header: nothing was ever recorded.
        ftruncateSync(fd, 0);
        const line = journalLine(header);
        writeSync(fd, line, 0);
        fsyncSync(fd);
        return new JournalFile(path, fd, parseJournal(line, path), release);
      }
      const parsed = parseJournal(buf.toString('utf8'), path);
      if (parsed.tornBytes > 0) {
        // Cut the torn tail so the next append starts on a fresh line.
        ftruncateSync(fd, parsed.validBytes);
        fsyncSync(fd);
      }
      return new JournalFile(path, fd, parsed, release);
    } catch (e) {
      release();
      throw e;
    }
  }

  /** Append events in one write and fsync; only then are they part of the journal. */
  append(events: readonly JournalEvent[]): void {
    if (events.length === 0) return;
    const text = events.map(journalLine).join('');
    const bytes = Buffer.from(text, 'utf8');
    // Position explicitly at our known end: the file is ours while locked.
    let off = 0;
    while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off, this.parsed.validBytes + off);
    fsyncSync(this.fd);
    this.parsed = { ...this.parsed, events: [...this.parsed.events, ...events], validBytes: this.parsed.validBytes + bytes.length, tornBytes: 0 };
  }

  close(): void {
    if (this.fd >= 0) {
      closeSync(this.fd);
      this.fd = -1;
    }
    this.release();
  }
}

/** Read a journal without locking it (for reporting); the torn tail is ignored, not repaired. */
export function readJournal(path: string): ParsedJournal {
  if (!existsSync(path)) throw new JournalError(path, 'no such journal');
  return parseJournal(readFileSync(path, 'utf8'), path);
}

function readAll(fd: number): Buffer {
  const size = fstatSync(fd).size;
  const buf = Buffer.alloc(size);
  let off = 0;
  while (off < size) {
    const n = readSync(fd, buf, off, size - off, off);
    if (n === 0) break;
    off += n;
  }
  return buf.subarray(0, off);
}

/** fsync the directory so a newly created journal's directory entry survives a crash too. */
function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
  } catch {
    // Not supported on every platform (e.g. Windows); the file's own fsync still holds.
  }
}

export type { JournalEvent, JournalHeader };
