/**
 * Load the shared NAS-Bench-Macro table from the data directory (Node only): read and gunzip here,
 * parse and verify in core (src/nas/benchmarks/nbmacro-table.ts).
 */
import { nbmacroOracle, parseNbMacroTable, type NbMacroOracle, type NbMacroTable } from '../nas/benchmarks/nbmacro.js';
import { dataFile, resolveDataDir } from './data-dir.js';
import { readTextFile } from './read-text.js';

export const NBMACRO_DIR = 'nasbench_macro';
export const NBMACRO_FILE = 'nbmacro.csv.gz';

export function loadNbMacroTable(opts: { readonly dataDir?: string } = {}): NbMacroTable {
  const path = dataFile(opts.dataDir ?? resolveDataDir(), NBMACRO_DIR, NBMACRO_FILE);
  return parseNbMacroTable(readTextFile(path), path);
}

export function loadNbMacroOracle(opts: { readonly dataDir?: string } = {}): NbMacroOracle {
  return nbmacroOracle(loadNbMacroTable(opts));
}
