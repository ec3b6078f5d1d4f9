/**
 * The one configurable data directory (Node only): `--data DIR` beats `PREDNAS_DATA`, which
 * beats `../shared/data` relative to the working directory.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';

export const DATA_ENV = 'PREDNAS_DATA';

export function resolveDataDir(flag?: string): string {
  const chosen = flag ?? process.env[DATA_ENV] ?? resolve(process.cwd(), '..', 'shared', 'data');
  return resolve(chosen);
}

/** Path of a benchmark file; throws naming the path and how to fix it when it is missing. */
export function dataFile(dataDir: string, ...parts: string[]): string {
  const p = resolve(dataDir, ...parts);
  if (!existsSync(p) || !statSync(p).isFile()) {
    throw new Error(
      `data file not found: ${p}\n` +
        `  prednas reads benchmark tables from one data directory: pass --data DIR or set ${DATA_ENV}=DIR ` +
        `(currently ${dataDir}). The expected layout is DIR/${parts.join('/')}; see the README in each ` +
        `benchmark folder of the shared data for where the tables come from.`,
    );
  }
  return p;
}
