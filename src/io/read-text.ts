/** Read a (possibly gzip-compressed) text file, with errors that name the path. Node only. */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export function readTextFile(path: string): string {
  const bytes = readFileSync(path);
  if (path.endsWith('.gz')) {
    try {
      return gunzipSync(bytes).toString('utf8');
    } catch (e) {
      throw new Error(`${path}: not a valid gzip file (${(e as Error).message}); the download may be truncated`);
    }
  }
  return bytes.toString('utf8');
}
