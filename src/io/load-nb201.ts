/**
 * Load the shared NAS-Bench-201 tables from the data directory (Node only): read and gunzip the
 * files here, parse and verify them in core (src/nas/benchmarks/nb201-table.ts).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { nb201Oracle, parseNb201Latency, parseNb201Table, type Nb201Latency, type Nb201Oracle, type Nb201OracleOptions, type Nb201Table } from '../nas/benchmarks/nb201.js';
import { dataFile, resolveDataDir } from './data-dir.js';
import { readTextFile } from './read-text.js';

export const NB201_DIR = 'nasbench201';
export const NB201_FILE = 'nb201.csv.gz';
export const NB201_LATENCY_FILE = 'nb201_latency_help.csv.gz';

export interface LoadNb201Options {
  /** Data directory (default: resolveDataDir(), i.e. PREDNAS_DATA or ../shared/data). */
  readonly dataDir?: string;
  /**
   * The latency table: true = required (error if missing), false = skip, 'auto' (default) = load
   * when the file is present.
   */
  readonly latency?: boolean | 'auto';
}

export interface LoadedNb201 {
  readonly table: Nb201Table;
  readonly latency?: Nb201Latency;
}

export function loadNb201Tables(opts: LoadNb201Options = {}): LoadedNb201 {
  const dir = opts.dataDir ?? resolveDataDir();
  const path = dataFile(dir, NB201_DIR, NB201_FILE);
  const table = parseNb201Table(readTextFile(path), path);
  const want = opts.latency ?? 'auto';
  if (want === false) return { table };
  if (want === 'auto' && !existsSync(resolve(dir, NB201_DIR, NB201_LATENCY_FILE))) return { table };
  const latPath = dataFile(dir, NB201_DIR, NB201_LATENCY_FILE);
  return { table, latency: parseNb201Latency(readTextFile(latPath), latPath, table) };
}

/** Load the tables and build the oracle in one call. */
export function loadNb201Oracle(opts: LoadNb201Options & Omit<Nb201OracleOptions, 'latency'> = {}): Nb201Oracle {
  const { table, latency } = loadNb201Tables(opts);
  const o: Nb201OracleOptions = {
    ...(opts.fidelity !== undefined ? { fidelity: opts.fidelity } : {}),
    ...(opts.latencyDevice !== undefined ? { latencyDevice: opts.latencyDevice } : {}),
    ...(latency !== undefined ? { latency } : {}),
  };
  return nb201Oracle(table, o);
}
