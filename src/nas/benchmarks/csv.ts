/**
 * Strict CSV reading for benchmark tables (core: works on text, no file access). The shared
 * tables are plain comma-separated values without quoting; anything that deviates is an error
 * that names the source, the line and the column, because a silently mis-read table corrupts
 * every result computed from it.
 */
export interface CsvTable {
  readonly source: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** 1-based line number in the source of rows[i]. */
  lineOf(i: number): number;
  /** Column index of a required header name. */
  col(name: string): number;
}

export function parseCsv(text: string, source: string, requiredColumns: readonly string[] = []): CsvTable {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const headerLine = lines[0];
  if (headerLine === undefined || headerLine.trim() === '') throw new Error(`${source}: empty file (no header line)`);
  const header = stripCr(headerLine).split(',');
  const index = new Map(header.map((h, i) => [h, i]));
  const missing = requiredColumns.filter((c) => !index.has(c));
  if (missing.length > 0) {
    throw new Error(`${source}: missing column(s) ${missing.join(', ')} in header (found: ${header.join(', ')})`);
  }
  const rows: string[][] = [];
  for (let i = 1; i < lines.length; i++) {
    const fields = stripCr(lines[i]!).split(',');
    if (fields.length !== header.length) {
      throw new Error(
        `${source}: line ${i + 1} has ${fields.length} fields, expected ${header.length} ` +
          `(truncated or corrupted row?)`,
      );
    }
    rows.push(fields);
  }
  return {
    source,
    header,
    rows,
    lineOf: (i) => i + 2,
    col(name) {
      const c = index.get(name);
      if (c === undefined) throw new Error(`${source}: no column '${name}'`);
      return c;
    },
  };
}

/** A finite number from row i, column `name`; throws naming line and column otherwise. */
export function numberAt(t: CsvTable, i: number, col: number): number {
  const raw = t.rows[i]![col]!;
  const v = raw === '' ? NaN : Number(raw);
  if (!Number.isFinite(v)) {
    throw new Error(`${t.source}: line ${t.lineOf(i)}, column '${t.header[col]}': expected a number, got '${raw}'`);
  }
  return v;
}

/** Throw an error naming the file, the line of row i and the column. */
export function failAt(t: CsvTable, i: number, col: string, msg: string): never {
  throw new Error(`${t.source}: line ${t.lineOf(i)}, column '${col}': ${msg}`);
}

/** An integer in [lo, hi] from row i, column `name`; throws naming line and column otherwise. */
export function intAt(t: CsvTable, i: number, name: string, lo: number, hi: number): number {
  const v = numberAt(t, i, t.col(name));
  if (!Number.isInteger(v) || v < lo || v > hi) failAt(t, i, name, `expected an integer in [${lo}, ${hi}], got '${t.rows[i]![t.col(name)]}'`);
  return v;
}

function stripCr(s: string): string {
  return s.endsWith('\r') ? s.slice(0, -1) : s;
}
