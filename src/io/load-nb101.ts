/**
 * Load the shared NAS-Bench-101 tables from the data directory (Node only): read and gunzip here,
 * parse and verify in core (src/nas/benchmarks/nb101-table.ts).
 */
import { nb101Oracle, parseNb101Space, parseNb101Subset, type Nb101Oracle, type Nb101OracleOptions, type Nb101Results, type Nb101SpaceTable } from '../nas/benchmarks/nb101.js';
import { dataFile, resolveDataDir } from './data-dir.js';
import { readTextFile } from './read-text.js';

export const NB101_DIR = 'nasbench101';
export const NB101_SPACE_FILE = 'nb101_space.csv.gz';
export const NB101_SUBSET_FILE = 'nb101_subset20k.csv.gz';

export interface LoadNb101Options {
  /** Data directory (default: resolveDataDir(), i.e. PREDNAS_DATA or ../shared/data). */
  readonly dataDir?: string;
}

/** The 20,001-cell results subset (every stored hash recomputed). */
export function loadNb101Subset(opts: LoadNb101Options = {}): Nb101Results {
  const path = dataFile(opts.dataDir ?? resolveDataDir(), NB101_DIR, NB101_SUBSET_FILE);
  return parseNb101Subset(readTextFile(path), path);
}

/** All 423,624 cells with their hashes; `verifyHashes` recomputes every hash (≈15 s). */
export function loadNb101SpaceTable(opts: LoadNb101Options & { readonly verifyHashes?: boolean } = {}): Nb101SpaceTable {
  const path = dataFile(opts.dataDir ?? resolveDataDir(), NB101_DIR, NB101_SPACE_FILE);
  return parseNb101Space(readTextFile(path), path, { verifyHashes: opts.verifyHashes === true });
}

/** The pool oracle over the 20k subset ('nb101-pool'). */
export function loadNb101Oracle(opts: LoadNb101Options & Nb101OracleOptions = {}): Nb101Oracle {
  const o: Nb101OracleOptions = {
    ...(opts.fidelity !== undefined ? { fidelity: opts.fidelity } : {}),
    ...(opts.semantics !== undefined ? { semantics: opts.semantics } : {}),
  };
  return nb101Oracle(loadNb101Subset(opts), o);
}
