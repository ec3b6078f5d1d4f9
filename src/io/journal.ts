/**
 * The journal file (Node only): an exclusive lock for the writer, torn-tail repair, and appends
 * that are one write() + fsync per batch, so an acknowledged event is on disk before anything
 * acts on it (before a suggestion is printed, before a job is launched for it).
 */
import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync, constants, readSync, fstatSync } from 'node:fs';
import { dirname } from 'node:path';
import { mkdirSync } from 'node:fs';
import { acquireLock as acquireFileLock, type LockOptions } from './lock.js';
import { JournalError, journalLine, parseJournal, type JournalEvent, type JournalHeader, type ParsedJournal } from './journal-format.js';

/**
 * Take `<journal>.lock` (see lock.ts: host + pid + start time; a dead holder on this host is
 * stale and broken, a holder on another host is never judged from here).
 */
export function acquireLock(journalPath: string, opts: LockOptions = {}): () => void {
  return acquireFileLock(`${journalPath}.lock`, opts);
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

export type { JournalEvent, JournalHeader, LockOptions };
