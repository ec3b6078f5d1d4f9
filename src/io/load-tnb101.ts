/**
 * Load the shared TransNAS-Bench-101 macro table from the data directory (Node only): read and
 * gunzip here, parse and verify in core (src/nas/benchmarks/tnb101-table.ts).
 */
import { parseTnb101Table, tnb101MacroOracle, type Tnb101MacroOracle, type Tnb101Table } from '../nas/benchmarks/tnb101.js';
import { dataFile, resolveDataDir } from './data-dir.js';
import { readTextFile } from './read-text.js';

export const TNB101_DIR = 'transnas101_macro';
export const TNB101_FILE = 'tnb101_macro.csv.gz';

export function loadTnb101Table(opts: { readonly dataDir?: string } = {}): Tnb101Table {
  const path = dataFile(opts.dataDir ?? resolveDataDir(), TNB101_DIR, TNB101_FILE);
  return parseTnb101Table(readTextFile(path), path);
}

/** The oracle of one task (class_scene, class_object, jigsaw, room_layout, segmentsemantic, normal, autoencoder). */
export function loadTnb101MacroOracle(task: string, opts: { readonly dataDir?: string } = {}): Tnb101MacroOracle {
  return tnb101MacroOracle(loadTnb101Table(opts), task);
}
