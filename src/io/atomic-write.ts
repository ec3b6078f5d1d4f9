/**
 * Write a file so that readers see either the old content or the complete new one: write to a
 * temporary file in the same directory, fsync, rename over the target. A crash mid-write never
 * leaves a half-written results file.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

/** `content` may be bytes (e.g. gzipped results) as well as text. */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    // Two calls because writeSync's overloads take a string or bytes, not their union.
    if (typeof content === 'string') writeSync(fd, content);
    else writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
