/**
 * Generic graph cells, NAS-Bench-101 style, with the user's own op list and limits: a DAG of at
 * most `maxNodes` vertices given by a strictly upper-triangular 0/1 adjacency matrix (edge i → j
 * only for i < j, so vertex order is a topological order), vertex 0 the input, the last vertex the
 * output, every interior vertex one op of `ops`.
 *
 * Rules (the same as NAS-Bench-101's, which is the case maxNodes 7, three ops, maxEdges 9):
 * - *pruning* deletes vertices that are on no input → output path (they compute nothing that
 *   reaches the output); the rest keep their relative order;
 * - a cell is *valid* when its pruned form exists (the input reaches the output), has at least
 *   `minNodes` vertices and at most `maxEdges` edges. Limits apply to the pruned cell, so a dangling
 *   edge does not count.
 *
 * Printed form: `<row-major n×n adjacency bits>|<interior op names, comma-separated>` (the
 * layout of NAS-Bench-101's tables, with op names instead of letters): `011001000|conv3x3` is the
 * three-vertex cell with edges 0→1, 0→2, 1→2 and vertex 1 a conv3x3; the smallest cell (input →
 * output) prints as `0100|`. Op names cannot contain ',', '|' or whitespace (see validateCellSpec).
 */
import { SpecError, checkKeys, isRecord } from './choices-vars.js';
import { dagHashMatrix } from './nb101-hash.js';

/** A cell spec: n×n adjacency (adjacency[i][j] = 1 means edge i → j) and one op per vertex ('input' first, 'output' last). */
export interface CellArch {
  readonly adjacency: readonly (readonly number[])[];
  readonly ops: readonly string[];
}

/** A validated cell declaration, with defaults filled in (so it round-trips through JSON). */
export interface CellSpec {
  readonly maxNodes: number;
  /** Interior ops, in the order of encodings, logits and hash labels (op k has label k). */
  readonly ops: readonly string[];
  readonly maxEdges: number;
  readonly minNodes: number;
}

/**
 * Largest `maxNodes` a spec may ask for. The adjacency logits grow as n², and the hash and the
 * neighbour list cost O(n³) MD5 rounds per cell; 16 vertices (120 edge slots) is far beyond the
 * published cell spaces (NAS-Bench-101: 7) and still fast.
 */
export const MAX_CELL_NODES = 16;
const OP_RE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const RESERVED = ['input', 'output'];
export const CELL_KEYS = ['maxNodes', 'ops', 'maxEdges', 'minNodes'] as const;

/**
 * Validate a cell declaration (from JSON or TypeScript); errors are SpecErrors under `path`.
 * `maxEdges` defaults to n(n−1)/2 (no limit), `minNodes` to 2.
 */
export function validateCellSpec(v: unknown, path = 'cell'): CellSpec {
  if (!isRecord(v)) throw new SpecError(path, 'an object with "maxNodes" and "ops" (and optionally "maxEdges", "minNodes")', v);
  checkKeys(v, CELL_KEYS, path);
  const maxNodes = v['maxNodes'];
  if (typeof maxNodes !== 'number' || !Number.isInteger(maxNodes) || maxNodes < 2 || maxNodes > MAX_CELL_NODES) {
    throw new SpecError(`${path}.maxNodes`, `an integer in [2, ${MAX_CELL_NODES}] (input and output included)`, maxNodes);
  }
  const ops = v['ops'];
  if (!Array.isArray(ops) || ops.length === 0) throw new SpecError(`${path}.ops`, 'a non-empty array of op names', ops);
  ops.forEach((o, i) => {
    if (typeof o !== 'string' || !OP_RE.test(o)) throw new SpecError(`${path}.ops[${i}]`, `an op name matching ${OP_RE.source}`, o);
    if (RESERVED.includes(o)) throw new SpecError(`${path}.ops[${i}]`, 'an op name other than "input" and "output" (those are the end vertices)', o);
    const first = ops.indexOf(o);
    if (first !== i) throw new SpecError(`${path}.ops[${i}]`, `distinct op names (ops[${first}] is ${JSON.stringify(o)})`, o);
  });
  const pairs = (maxNodes * (maxNodes - 1)) / 2;
  const maxEdges = v['maxEdges'] ?? pairs;
  if (typeof maxEdges !== 'number' || !Number.isInteger(maxEdges) || maxEdges < 1 || maxEdges > pairs) {
    throw new SpecError(`${path}.maxEdges`, `an integer in [1, ${pairs}] (${pairs} = every vertex pair of ${maxNodes} vertices)`, maxEdges);
  }
  const minNodes = v['minNodes'] ?? 2;
  const feasible = Math.min(maxNodes, maxEdges + 1);
  if (typeof minNodes !== 'number' || !Number.isInteger(minNodes) || minNodes < 2 || minNodes > feasible) {
    // A cell of m vertices, each on an input → output path, needs at least m − 1 edges.
    throw new SpecError(`${path}.minNodes`, `an integer in [2, ${feasible}] (at most maxNodes, and at most maxEdges + 1: m vertices need m − 1 edges)`, minNodes);
  }
  return { maxNodes, ops: [...(ops as string[])], maxEdges, minNodes };
}

/**
 * Why a cell is structurally malformed for `spec` (shapes, non-0/1 entries, edges on or below the
 * diagonal, op names or positions), or null. Says nothing about connectivity or limits.
 */
export function cellShapeError(spec: CellSpec, arch: unknown): string | null {
  if (typeof arch !== 'object' || arch === null) return `expected {adjacency, ops}, got ${String(arch)}`;
  const { adjacency, ops } = arch as { adjacency?: unknown; ops?: unknown };
  if (!Array.isArray(adjacency) || !Array.isArray(ops)) return 'expected {adjacency: number[][], ops: string[]}';
  const n = adjacency.length;
  if (n < 2 || n > spec.maxNodes) return `a cell has 2..${spec.maxNodes} vertices, got ${n}`;
  if (ops.length !== n) return `ops has ${ops.length} entries for a ${n}×${n} adjacency matrix`;
  for (let i = 0; i < n; i++) {
    const row: unknown = adjacency[i];
    if (!Array.isArray(row) || row.length !== n) return `adjacency row ${i} must have ${n} entries`;
    for (let j = 0; j < n; j++) {
      const x: unknown = row[j];
      if (x !== 0 && x !== 1) return `adjacency[${i}][${j}] must be 0 or 1, got ${String(x)}`;
      if (x === 1 && j <= i) return `adjacency must be strictly upper triangular, but has an edge ${i} → ${j}`;
    }
  }
  if (ops[0] !== 'input') return `vertex 0 must be 'input', got '${String(ops[0])}'`;
  if (ops[n - 1] !== 'output') return `vertex ${n - 1} (the last) must be 'output', got '${String(ops[n - 1])}'`;
  for (let i = 1; i < n - 1; i++) {
    if (!spec.ops.includes(ops[i] as string)) return `vertex ${i} has op '${String(ops[i])}'; interior ops are ${spec.ops.join(', ')}`;
  }
  return null;
}

export function cellEdgeCount(arch: CellArch): number {
  let e = 0;
  for (const row of arch.adjacency) for (const x of row) e += x;
  return e;
}

/** The pruned cell (vertices on some input → output path, in order), or null when the input does not reach the output. */
export function cellPrune(arch: CellArch): CellArch | null {
  const a = arch.adjacency;
  const n = a.length;
  const fromInput = new Array<boolean>(n).fill(false);
  const toOutput = new Array<boolean>(n).fill(false);
  // Vertex order is topological: one forward and one backward sweep suffice.
  fromInput[0] = true;
  for (let j = 1; j < n; j++) for (let i = 0; i < j && !fromInput[j]; i++) if (fromInput[i] && a[i]![j] === 1) fromInput[j] = true;
  toOutput[n - 1] = true;
  for (let i = n - 2; i >= 0; i--) for (let j = i + 1; j < n && !toOutput[i]; j++) if (toOutput[j] && a[i]![j] === 1) toOutput[i] = true;
  if (!toOutput[0]) return null;
  const keep: number[] = [];
  for (let x = 0; x < n; x++) if (fromInput[x] && toOutput[x]) keep.push(x);
  if (keep.length === n) return arch;
  return { adjacency: keep.map((i) => keep.map((j) => a[i]![j]!)), ops: keep.map((x) => arch.ops[x]!) };
}

export type CellCheck = { readonly ok: true; readonly pruned: CellArch } | { readonly ok: false; readonly reason: string };

/** Validity under `spec`, with the pruned cell when valid. */
export function cellCheck(spec: CellSpec, arch: CellArch): CellCheck {
  const shape = cellShapeError(spec, arch);
  if (shape !== null) return { ok: false, reason: shape };
  const pruned = cellPrune(arch);
  if (pruned === null) return { ok: false, reason: 'the input does not reach the output (no input → output path)' };
  const e = cellEdgeCount(pruned);
  if (e > spec.maxEdges) return { ok: false, reason: `the pruned cell has ${e} edges; at most ${spec.maxEdges} are allowed` };
  const m = pruned.ops.length;
  if (m < spec.minNodes) return { ok: false, reason: `the pruned cell has ${m} vertices; at least ${spec.minNodes} are required` };
  return { ok: true, pruned };
}

/** The pruned form of a valid cell; throws naming the rule a cell breaks. */
export function cellCanonical(spec: CellSpec, arch: CellArch, where: string): CellArch {
  const c = cellCheck(spec, arch);
  if (!c.ok) throw new Error(`${where}: invalid cell ${safeString(spec, arch)}: ${c.reason}`);
  return c.pruned;
}

/** Hash labels: input −1, output −2, interior op k → k (NAS-Bench-101's convention). */
export function cellLabels(spec: CellSpec, arch: CellArch): number[] {
  const n = arch.ops.length;
  return arch.ops.map((o, v) => (v === 0 ? -1 : v === n - 1 ? -2 : spec.ops.indexOf(o)));
}

/**
 * Canonical identity: the isomorphism-invariant NAS-Bench-101 fingerprint of the pruned cell. For
 * a spec with NAS-Bench-101's ops in its order it equals nb101Hash.
 */
export function cellHash(spec: CellSpec, arch: CellArch, where = 'cell hash'): string {
  const p = cellCanonical(spec, arch, where);
  const n = p.ops.length;
  const adj = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) adj[i * n + j] = p.adjacency[i]![j]!;
  return dagHashMatrix(n, adj, cellLabels(spec, p), where);
}

export function cellToString(spec: CellSpec, arch: CellArch): string {
  const err = cellShapeError(spec, arch);
  if (err !== null) throw new Error(`cell toString: malformed cell: ${err}`);
  return `${arch.adjacency.map((r) => r.join('')).join('')}|${arch.ops.slice(1, -1).join(',')}`;
}

/** Inverse of cellToString; errors name the offending part. Checks validity, but returns the cell as written (unpruned). */
export function cellParse(spec: CellSpec, s: string): CellArch {
  const fail = (msg: string): never => {
    throw new Error(`cell: malformed cell string '${s}': ${msg}; expected '<n*n adjacency bits>|<n−2 op names, comma-separated>', e.g. '0100|' or '011001000|${spec.ops[0]}'`);
  };
  const parts = s.trim().split('|');
  if (parts.length !== 2) fail(`found ${parts.length - 1} '|' separator(s), expected 1`);
  const [bits, names] = parts as [string, string];
  const interior = names.trim() === '' ? [] : names.split(',').map((x) => x.trim());
  const n = interior.length + 2;
  if (n > spec.maxNodes) fail(`${interior.length} interior op(s) make ${n} vertices, at most ${spec.maxNodes} allowed`);
  if (bits.length !== n * n) fail(`${bits.length} adjacency bit(s) for ${n} vertices, expected ${n * n}`);
  interior.forEach((o, k) => {
    if (!spec.ops.includes(o)) fail(`unknown op '${o}' at vertex ${k + 1} (ops: ${spec.ops.join(', ')})`);
  });
  const adjacency: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row: number[] = [];
    for (let j = 0; j < n; j++) {
      const ch = bits[i * n + j];
      if (ch !== '0' && ch !== '1') fail(`adjacency character ${i * n + j} is '${ch}', expected 0 or 1`);
      if (ch === '1' && j <= i) fail(`adjacency must be strictly upper triangular, but has an edge ${i} → ${j}`);
      row.push(ch === '1' ? 1 : 0);
    }
    adjacency.push(row);
  }
  const arch: CellArch = { adjacency, ops: ['input', ...interior, 'output'] };
  const c = cellCheck(spec, arch);
  if (!c.ok) fail(c.reason);
  return arch;
}

function safeString(spec: CellSpec, arch: CellArch): string {
  try {
    return cellToString(spec, arch);
  } catch {
    return '(malformed)';
  }
}
