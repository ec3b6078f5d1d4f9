/**
 * results.json on disk: `compare` writes it gzipped (results.json.gz: compact JSON, gzip level 9,
 * zero mtime so the same results give the same bytes); every reader accepts a folder, a
 * results.json or a results.json.gz, so folders written before the switch keep working.
 */
import { existsSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { writeFileAtomic } from './atomic-write.js';

export const RESULTS_FILE = 'results.json.gz';
const PLAIN = 'results.json';

/** The results file of a folder (or the file itself); one line saying what is missing otherwise. */
export function resultsPath(pathOrDir: string): string {
  const p = resolve(pathOrDir);
  if (!existsSync(p)) throw new Error(`${p} does not exist (expected a results folder, results.json or results.json.gz)`);
  if (!statSync(p).isDirectory()) return p;
  const gz = join(p, RESULTS_FILE), plain = join(p, PLAIN);
  const hasGz = existsSync(gz), hasPlain = existsSync(plain);
  if (hasGz && hasPlain) throw new Error(`${p} holds both ${PLAIN} and ${RESULTS_FILE}: remove the stale one`);
  if (hasGz) return gz;
  if (hasPlain) return plain;
  throw new Error(`${p} has no ${RESULTS_FILE} or ${PLAIN} (is it a prednas compare --out folder?)`);
}

/** Parse a results file, gzipped or not (decided by its magic bytes, not its name). */
export function readResultsFile(pathOrDir: string): unknown {
  const path = resultsPath(pathOrDir);
  const buf = readFileSync(path);
  let text: string;
  try {
    text = buf[0] === 0x1f && buf[1] === 0x8b ? gunzipSync(buf).toString('utf8') : buf.toString('utf8');
  } catch (e) {
    throw new Error(`${path}: not a valid gzip file (${(e as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

/** gzip bytes of the compact JSON of `results` (deterministic: Node writes mtime 0). */
export function encodeResults(results: unknown): Uint8Array {
  return gzipSync(JSON.stringify(results) + '\n', { level: 9 });
}

/**
 * Write `dir`/results.json.gz atomically and remove a results.json left by an older prednas, so
 * that the folder never holds two different results. Returns the path written.
 */
export function writeResultsFile(dir: string, results: unknown): string {
  const path = join(resolve(dir), RESULTS_FILE);
  writeFileAtomic(path, encodeResults(results));
  const stale = join(resolve(dir), PLAIN);
  if (existsSync(stale)) unlinkSync(stale);
  return path;
}
