/**
 * The journal file (Node only): an exclusive lock for the writer, torn-tail repair, and appends
 * that are one write() + fsync per batch, so an acknowledged event is on disk before anything
 * acts on it (before a suggestion is printed, before a job is launched for it).
 */
import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync, constants, readSync, fstatSync } from 'node:fs';
import { dirname } from 'node:path';
import { mkdirSync } from 'node:fs';
import { acquireLock as acquireFileLock, type LockOptions } from './lock.js';
import { JournalError, JournalSequence, journalLine, parseHeaderLine, parseJournal, parseJournalSequence, parseJournalTail, type JournalEvent, type JournalHeader, type ParsedJournal } from './journal-format.js';

/**
 * Take `<journal>.lock` (see lock.ts: host + pid + start time; a dead holder on this host is
 * stale and broken, a holder on another host is never judged from here).
 */
export function acquireLock(journalPath: string, opts: LockOptions = {}): () => void {
  return acquireFileLock(`${journalPath}.lock`, opts);
}

/** What a snapshot's reader may look at before open() reads the journal (see JournalFile.open). */
export interface JournalPeek {
  readonly fd: number;
  readonly size: number;
  readonly dev: number;
  readonly ino: number;
  /** The first line, newline included, and the header it holds. */
  readonly headerLine: string;
  readonly header: JournalHeader;
  /** `length` bytes at `position` (fewer at the end of the file). */
  read(position: number, length: number): Buffer;
}

/** Where open() may start reading: everything before `offset` is accounted for by the caller. */
export interface JournalResume {
  /** Byte offset of the start of a line. */
  readonly offset: number;
  /** That line's number (the header is line 1). */
  readonly line: number;
  /** The sequence state after the lines before `offset` (updated as lines are read and appended). */
  readonly seq: JournalSequence;
}

/** An open, locked journal: its parsed content and an append handle. */
export class JournalFile {
  private fd: number;

  private constructor(
    readonly path: string,
    fd: number,
    /**
     * The header and the events read: all of them, or with `resumed` only those after its offset.
     * validBytes always counts from the start of the file.
     */
    public parsed: ParsedJournal,
    /** The sequence state after the last line, so appends are checked as a reader will check them. */
    readonly seq: JournalSequence,
    /** Complete lines in the file, header included. */
    public lines: number,
    /** Set when open() started reading at a snapshot's offset. */
    public resumed: JournalResume | null,
    private readonly release: () => void,
  ) {
    this.fd = fd;
  }

  /**
   * Open (and lock) an existing journal, or create it with `header` when it does not exist.
   * A torn tail is cut off before anything is appended. `resume`, given a look at the file under
   * the lock, may name a line to start reading at (a snapshot that checks out); otherwise, or
   * when it returns null, the whole journal is read.
   */
  static open(path: string, header: JournalHeader | null, lock: LockOptions = {}, resume?: (peek: JournalPeek) => JournalResume | null): JournalFile {
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
        return JournalFile.whole(path, fd, line, release);
      }
      const fd = openSync(path, constants.O_RDWR);
      const peek = resume === undefined ? null : peekAt(fd);
      const at = peek === null ? null : resume!(peek);
      if (at !== null) {
        try {
          return JournalFile.fromResume(path, fd, at, release);
        } catch {
          // The lines after the snapshot do not follow from it: the full read below decides
          // (it reports the journal's own error, if there is one).
        }
      }
      const buf = readAll(fd);
      if (header !== null && buf.indexOf(10) < 0) {
        // A crash while creating the journal left no complete header: nothing was ever recorded.
        ftruncateSync(fd, 0);
        const line = journalLine(header);
        writeSync(fd, line, 0);
        fsyncSync(fd);
        return JournalFile.whole(path, fd, line, release);
      }
      return JournalFile.whole(path, fd, buf.toString('utf8'), release);
    } catch (e) {
      release();
      throw e;
    }
  }

  private static whole(path: string, fd: number, text: string, release: () => void): JournalFile {
    const { parsed, seq } = parseJournalSequence(text, path);
    if (parsed.tornBytes > 0) {
      // Cut the torn tail so the next append starts on a fresh line.
      ftruncateSync(fd, parsed.validBytes);
      fsyncSync(fd);
    }
    return new JournalFile(path, fd, parsed, seq, 1 + parsed.events.length, null, release);
  }

  private static fromResume(path: string, fd: number, at: JournalResume, release: () => void): JournalFile {
    const size = fstatSync(fd).size;
    const header = parseHeaderLine(readLine0(fd), path);
    const tail = parseJournalTail(readRange(fd, at.offset, size - at.offset).toString('utf8'), path, at.line, at.seq);
    const validBytes = at.offset + tail.validBytes;
    if (tail.tornBytes > 0) {
      ftruncateSync(fd, validBytes);
      fsyncSync(fd);
    }
    return new JournalFile(path, fd, { header, events: tail.events, validBytes, tornBytes: tail.tornBytes }, at.seq, at.line - 1 + tail.lines, at, release);
  }

  /**
   * Read the whole journal after all (the caller could not use what `resume` pointed at); the
   * file is still locked, and its torn tail was already cut.
   */
  rereadAll(): void {
    if (this.resumed === null) return;
    const { parsed, seq } = parseJournalSequence(readAll(this.fd).toString('utf8'), this.path);
    this.parsed = parsed;
    (this as { seq: JournalSequence }).seq = seq;
    this.lines = 1 + parsed.events.length;
    this.resumed = null;
  }

  /** `length` bytes of the file at `position` (fewer at its end). */
  bytes(position: number, length: number): Buffer {
    return readRange(this.fd, position, length);
  }

  /** The file's identity (a snapshot names the file it was made from). */
  stat(): { dev: number; ino: number } {
    const st = fstatSync(this.fd);
    return { dev: st.dev, ino: st.ino };
  }

  /** The header line as it is in the file, newline included. */
  headerLine(): string {
    return readLine0(this.fd);
  }

  /** Append events in one write and fsync; only then are they part of the journal. */
  append(events: readonly JournalEvent[]): void {
    if (events.length === 0) return;
    // Checked as a reader will check them, before anything is written: an event that would make
    // the journal unreadable is a bug, and the journal must not pay for it.
    // (A failed write leaves `seq` ahead of the file; the caller's command fails with it.)
    events.forEach((e, i) => this.seq.accept(e, `${this.path}:${this.lines + i + 1} (being appended)`));
    const text = events.map(journalLine).join('');
    const bytes = Buffer.from(text, 'utf8');
    // Position explicitly at our known end: the file is ours while locked.
    let off = 0;
    while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off, this.parsed.validBytes + off);
    fsyncSync(this.fd);
    this.lines += events.length;
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
  return readRange(fd, 0, fstatSync(fd).size);
}

function readRange(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(Math.max(0, length));
  let off = 0;
  while (off < buf.length) {
    const n = readSync(fd, buf, off, buf.length - off, position + off);
    if (n === 0) break;
    off += n;
  }
  return buf.subarray(0, off);
}

/** The first line with its newline, or '' when there is no complete first line. */
function readLine0(fd: number): string {
  // Headers are small (a spec space is embedded, typically a few KiB): read in growing chunks.
  for (let len = 4096; ; len *= 4) {
    const buf = readRange(fd, 0, len);
    const nl = buf.indexOf(10);
    if (nl >= 0) return buf.subarray(0, nl + 1).toString('utf8');
    if (buf.length < len) return '';
  }
}

/** What JournalFile.open's `resume` sees; null when the file has no valid header line (read it all). */
function peekAt(fd: number): JournalPeek | null {
  const headerLine = readLine0(fd);
  if (headerLine === '') return null;
  let header: JournalHeader;
  try {
    header = parseHeaderLine(headerLine, 'journal');
  } catch {
    return null; // the full read reports it, with the file's name
  }
  const st = fstatSync(fd);
  return { fd, size: st.size, dev: st.dev, ino: st.ino, headerLine, header, read: (position, length) => readRange(fd, position, length) };
}

/**
 * The journal's header without reading its events (the flags of suggest/run are checked against
 * it before the journal is locked and read). Same errors as readJournal for a broken first line.
 */
export function readJournalHeader(path: string): JournalHeader {
  if (!existsSync(path)) throw new JournalError(path, 'no such journal');
  const fd = openSync(path, 'r');
  try {
    const line = readLine0(fd);
    if (line === '') return parseJournal(readAll(fd).toString('utf8'), path).header; // throws: no complete header line
    return parseHeaderLine(line, path);
  } finally {
    closeSync(fd);
  }
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
