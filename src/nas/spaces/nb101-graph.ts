/**
 * NAS-Bench-101 cells as graphs (Ying et al., ICML 2019): a DAG of at most 7 vertices given by a
 * strictly upper-triangular 0/1 adjacency matrix (edge i → j only for i < j, so the vertex order is
 * a topological order), vertex 0 the input, the last vertex the output, every interior vertex one
 * of three ops. A spec is *pruned* the way NAS-Bench-101's ModelSpec prunes it: vertices that are
 * not on some input → output path compute nothing that reaches the output and are deleted (the
 * remaining vertices keep their relative order). A spec is valid when its pruned form exists
 * (input reaches output), has at most 7 vertices and at most 9 edges — the benchmark checks the
 * limits on the pruned spec, so a 7-vertex spec with 10 edges of which one dangles is valid.
 *
 * Printed form (`toString`/`parse`), the shared tables' two columns joined by '|':
 * `<row-major n×n adjacency bits>|<one letter per vertex>`, letters I input, A conv3x3-bn-relu,
 * B conv1x1-bn-relu, M maxpool3x3, O output; e.g. `0100001000000|...` for larger cells, and the
 * smallest cell `0100|IO`.
 */

import { cellEdgeCount, cellPrune } from './cell-graph.js';

export const NB101_OPS = ['conv3x3-bn-relu', 'conv1x1-bn-relu', 'maxpool3x3'] as const;
export type Nb101InteriorOp = (typeof NB101_OPS)[number];
export type Nb101Op = 'input' | 'output' | Nb101InteriorOp;

/** A cell spec: n×n adjacency (adjacency[i][j] = 1 means edge i → j) and one op per vertex. */
export interface Nb101Arch {
  readonly adjacency: readonly (readonly number[])[];
  readonly ops: readonly Nb101Op[];
}

export const NB101_MAX_VERTICES = 7;
export const NB101_MAX_EDGES = 9;
/** Number of cells in the space (distinct hashes of valid pruned specs), per NAS-Bench-101. */
export const NB101_SPACE_SIZE = 423_624;

const LETTER_OF: Readonly<Record<Nb101Op, string>> = {
  input: 'I',
  output: 'O',
  'conv3x3-bn-relu': 'A',
  'conv1x1-bn-relu': 'B',
  maxpool3x3: 'M',
};
const OP_OF_LETTER = new Map<string, Nb101Op>(Object.entries(LETTER_OF).map(([op, l]) => [l, op as Nb101Op]));

export function nb101OpLetter(op: Nb101Op): string {
  return LETTER_OF[op];
}

/** NAS-Bench-101's integer labelling used by its hash: input −1, output −2, interior ops by index in NB101_OPS. */
export function nb101Label(op: Nb101Op): number {
  if (op === 'input') return -1;
  if (op === 'output') return -2;
  return NB101_OPS.indexOf(op);
}

/**
 * Why a spec is structurally malformed (wrong shapes, non-0/1 entries, entries on or below the
 * diagonal, bad op names or positions), or null when it is well formed. Says nothing about
 * connectivity or the edge limit; see nb101Check.
 */
export function nb101ShapeError(arch: unknown): string | null {
  if (typeof arch !== 'object' || arch === null) return `expected {adjacency, ops}, got ${String(arch)}`;
  const { adjacency, ops } = arch as { adjacency?: unknown; ops?: unknown };
  if (!Array.isArray(adjacency) || !Array.isArray(ops)) return 'expected {adjacency: number[][], ops: string[]}';
  const n = adjacency.length;
  if (n < 2 || n > NB101_MAX_VERTICES) return `a cell has 2..${NB101_MAX_VERTICES} vertices, got ${n}`;
  if (ops.length !== n) return `ops has ${ops.length} entries for a ${n}×${n} adjacency matrix`;
  for (let i = 0; i < n; i++) {
    const row: unknown = adjacency[i];
    if (!Array.isArray(row) || row.length !== n) return `adjacency row ${i} must have ${n} entries`;
    for (let j = 0; j < n; j++) {
      const v: unknown = row[j];
      if (v !== 0 && v !== 1) return `adjacency[${i}][${j}] must be 0 or 1, got ${String(v)}`;
      if (v === 1 && j <= i) return `adjacency must be strictly upper triangular, but has an edge ${i} → ${j}`;
    }
  }
  if (ops[0] !== 'input') return `vertex 0 must be 'input', got '${String(ops[0])}'`;
  if (ops[n - 1] !== 'output') return `vertex ${n - 1} (the last) must be 'output', got '${String(ops[n - 1])}'`;
  for (let i = 1; i < n - 1; i++) {
    if (!(NB101_OPS as readonly unknown[]).includes(ops[i])) {
      return `vertex ${i} has op '${String(ops[i])}'; interior ops are ${NB101_OPS.join(', ')}`;
    }
  }
  return null;
}

export function nb101EdgeCount(arch: Nb101Arch): number {
  return cellEdgeCount(arch);
}

/**
 * The pruned spec: vertices reachable from the input and reaching the output, in their original
 * order; null when the input does not reach the output. Assumes a well-formed spec. An NB-101
 * cell is a generic DAG cell, so the generic pruning applies unchanged (ops keep their labels).
 */
export function nb101Prune(arch: Nb101Arch): Nb101Arch | null {
  return cellPrune(arch) as Nb101Arch | null;
}

export type Nb101Check = { readonly ok: true; readonly pruned: Nb101Arch } | { readonly ok: false; readonly reason: string };

/** Validity as NAS-Bench-101 defines it, with the pruned spec when valid. */
export function nb101Check(arch: Nb101Arch): Nb101Check {
  const shape = nb101ShapeError(arch);
  if (shape !== null) return { ok: false, reason: shape };
  const pruned = nb101Prune(arch);
  if (pruned === null) return { ok: false, reason: 'the input does not reach the output (no input → output path)' };
  const e = nb101EdgeCount(pruned);
  if (e > NB101_MAX_EDGES) return { ok: false, reason: `the pruned cell has ${e} edges; at most ${NB101_MAX_EDGES} are allowed` };
  return { ok: true, pruned };
}

export function isNb101Valid(arch: Nb101Arch): boolean {
  return nb101Check(arch).ok;
}

/** The pruned spec of a valid cell; throws naming the rule a spec breaks. */
export function nb101Canonical(arch: Nb101Arch, where = 'nb101'): Nb101Arch {
  const c = nb101Check(arch);
  if (!c.ok) throw new Error(`${where}: invalid NAS-Bench-101 cell ${safeString(arch)}: ${c.reason}`);
  return c.pruned;
}

export function nb101ToString(arch: Nb101Arch): string {
  const err = nb101ShapeError(arch);
  if (err !== null) throw new Error(`nb101 toString: malformed cell: ${err}`);
  return `${arch.adjacency.map((r) => r.join('')).join('')}|${arch.ops.map((o) => LETTER_OF[o]).join('')}`;
}

/** Inverse of nb101ToString; errors name the offending part. Does not prune or check edge limits. */
export function nb101Parse(s: string): Nb101Arch {
  const fail = (msg: string): never => {
    throw new Error(`nb101: malformed cell string '${s}': ${msg}; expected '<n*n adjacency bits>|<n op letters>', e.g. '0100|IO'`);
  };
  const parts = s.trim().split('|');
  if (parts.length !== 2) fail(`found ${parts.length - 1} '|' separator(s), expected 1`);
  const [bits, letters] = parts as [string, string];
  const n = letters.length;
  if (n < 2 || n > NB101_MAX_VERTICES) fail(`${n} op letter(s), expected 2..${NB101_MAX_VERTICES}`);
  if (bits.length !== n * n) fail(`${bits.length} adjacency bit(s) for ${n} vertices, expected ${n * n}`);
  const ops = [...letters].map((l, i) => OP_OF_LETTER.get(l) ?? fail(`unknown op letter '${l}' at vertex ${i} (letters: I, A, B, M, O)`));
  const adjacency = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => {
      const c = bits[i * n + j];
      if (c !== '0' && c !== '1') fail(`adjacency character ${i * n + j} is '${c}', expected 0 or 1`);
      return c === '1' ? 1 : 0;
    }),
  );
  const arch: Nb101Arch = { adjacency, ops };
  const err = nb101ShapeError(arch);
  if (err !== null) fail(err);
  return arch;
}

function safeString(arch: unknown): string {
  try {
    return nb101ToString(arch as Nb101Arch);
  } catch {
    return JSON.stringify(arch);
  }
}
