/**
 * Write a file so that readers see either the old content or the complete new one: write to a
 * temporary file in the same directory, fsync it, rename it over the target, then fsync the
 * directory so that the rename itself survives a power cut. A failure at any step (full disk,
 * read-only file system, I/O error) removes the temporary file and leaves the target untouched.
 */
import * as nodeFs from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { threadId } from 'node:worker_threads';

/** The file-system calls used here; tests pass one that fails at a chosen step. */
export interface AtomicWriteFs {
  mkdirSync(path: string, opts: { recursive: true }): unknown;
  openSync(path: string, flags: 'w' | 'r'): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
}

const realFs: AtomicWriteFs = nodeFs;

// pid alone is not unique: worker threads share it, and one thread may write the same target twice.
let serial = 0;

/** The file a writeFileAtomic temporary name (`.NAME.PID.THREAD.SERIAL.tmp`) was for, or null if `name` is not one. */
export function atomicTempTarget(name: string): string | null {
  return /^\.(.+)\.\d+\.\d+\.\d+\.tmp$/.exec(name)?.[1] ?? null;
}

/** `content` may be bytes (e.g. gzipped results) as well as text. */
export function writeFileAtomic(path: string, content: string | Uint8Array, fs: AtomicWriteFs = realFs): void {
  // Renaming over a device, FIFO, socket or directory would replace it with a plain file (as root,
  // `--out /dev/null` would leave /dev/null a regular file for every program on the machine).
  // A symlink is judged by what it points to (/dev/stdout is a link to a descriptor).
  const link = nodeFs.lstatSync(path, { throwIfNoEntry: false });
  const existing = link?.isSymbolicLink() ? nodeFs.statSync(path, { throwIfNoEntry: false }) : link;
  if (existing !== undefined && !existing.isFile()) {
    throw new Error(`writeFileAtomic: cannot write '${path}': it exists and is not a regular file (${existing.isDirectory() ? 'a directory' : 'a device, FIFO or socket'}); give the path of a file`);
  }
  const dir = dirname(path);
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${threadId}.${serial++}.tmp`);
  let fd: number | null = null;
  let created = false;
  try {
    fs.mkdirSync(dir, { recursive: true });
    fd = fs.openSync(tmp, 'w');
    created = true;
    // writeSync may write less than asked (signals, some file systems): loop until all is out.
    for (let off = 0; off < bytes.length; ) {
      const n = fs.writeSync(fd, bytes, off, bytes.length - off);
      if (!(n > 0)) throw new Error(`write returned ${n} with ${bytes.length - off} bytes left`);
      off += n;
    }
    fs.fsyncSync(fd);
    const open = fd;
    fd = null;
    fs.closeSync(open);
    fs.renameSync(tmp, path);
    created = false;
  } catch (e) {
    if (fd !== null) ignore(() => fs.closeSync(fd!));
    if (created) ignore(() => fs.unlinkSync(tmp));
    throw failure(`cannot write '${path}'`, e);
  }
  syncDirectory(dir, path, fs);
}

/**
 * fsync the directory so that the rename is durable. Windows cannot open a directory for this,
 * and some file systems answer EINVAL/ENOTSUP (no directory fsync): nothing more can be done there.
 */
function syncDirectory(dir: string, path: string, fs: AtomicWriteFs): void {
  if (process.platform === 'win32') return;
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EISDIR') {
      throw failure(`wrote '${path}' but could not fsync its directory (the rename may not survive a power cut)`, e);
    }
  } finally {
    if (fd !== null) ignore(() => fs.closeSync(fd!));
  }
}

function ignore(fn: () => void): void {
  try {
    fn();
  } catch {
    // Cleanup after a failure: the first error is the one worth reporting.
  }
}

/** One line naming the target, keeping the errno code for callers that test it. */
function failure(what: string, e: unknown): Error {
  const cause = e as NodeJS.ErrnoException;
  const err = new Error(`writeFileAtomic: ${what}: ${String(cause?.message ?? e).split('\n')[0]}`, { cause: e }) as NodeJS.ErrnoException;
  if (cause?.code !== undefined) err.code = cause.code;
  return err;
}
