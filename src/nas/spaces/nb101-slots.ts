/**
 * The fixed 7-slot form of NAS-Bench-101 cells that encodings, logits and edits work in. A pruned
 * cell with n vertices occupies slots 0 .. n−2 (input and interior vertices, in order) and slot 6
 * (output); slots n−1 .. 5 are unused (no edges, no op). Because a cell's vertex order is
 * topological and unused slots sit just before the output, every slot matrix stays strictly upper
 * triangular.
 *
 * Also here: the repair that turns thresholded logits into a valid cell, and the local edits
 * behind mutate/neighbours.
 */
import { neighbourCells as genericNeighbourCells } from './cell-edits.js';
import { cellLayout, type CellLayout } from './cell-slots.js';
import type { Rng } from '../../autograd/random.js';
import { NB101_MAX_EDGES, NB101_OPS, nb101Canonical, nb101Check, type Nb101Arch, type Nb101Op } from './nb101-graph.js';
import { nb101Hash } from './nb101-hash.js';

export const SLOTS = 7;
export const INTERIOR = SLOTS - 2;
/** Slot pairs (i, j), i < j, in row-major order: the order of edge entries in encodings and logits. */
export const EDGE_PAIRS: readonly (readonly [number, number])[] = (() => {
  const out: [number, number][] = [];
  for (let i = 0; i < SLOTS; i++) for (let j = i + 1; j < SLOTS; j++) out.push([i, j]);
  return out;
})();
export const NUM_EDGE_SLOTS = EDGE_PAIRS.length; // 21
export const EDGE_INDEX: readonly (readonly number[])[] = (() => {
  const idx = Array.from({ length: SLOTS }, () => new Array<number>(SLOTS).fill(-1));
  EDGE_PAIRS.forEach(([i, j], e) => (idx[i]![j] = e));
  return idx;
})();

/** A cell in slot form: 7×7 row-major 0/1 matrix and an interior op index (0..2) or −1 per slot 1..5. */
export interface SlotCell {
  readonly adj: Uint8Array;
  /** ops[s − 1] for slot s in 1..5; −1 = unused. */
  readonly ops: Int8Array;
}

/** Slot of each vertex of a pruned cell with n vertices. */
export function slotOf(v: number, n: number): number {
  return v === n - 1 ? SLOTS - 1 : v;
}

export function toSlots(pruned: Nb101Arch): SlotCell {
  const n = pruned.ops.length;
  const adj = new Uint8Array(SLOTS * SLOTS);
  const ops = new Int8Array(INTERIOR).fill(-1);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (pruned.adjacency[i]![j] === 1) adj[slotOf(i, n) * SLOTS + slotOf(j, n)] = 1;
  for (let v = 1; v < n - 1; v++) ops[v - 1] = NB101_OPS.indexOf(pruned.ops[v] as (typeof NB101_OPS)[number]);
  return { adj, ops };
}

/** Slots that lie on some input → output path (all false when the input does not reach the output). */
export function liveSlots(adj: Uint8Array): boolean[] {
  const fwd = new Array<boolean>(SLOTS).fill(false);
  const bwd = new Array<boolean>(SLOTS).fill(false);
  fwd[0] = true;
  for (let j = 1; j < SLOTS; j++) for (let i = 0; i < j; i++) if (fwd[i] && adj[i * SLOTS + j]) fwd[j] = true;
  bwd[SLOTS - 1] = true;
  for (let i = SLOTS - 2; i >= 0; i--) for (let j = i + 1; j < SLOTS; j++) if (bwd[j] && adj[i * SLOTS + j]) bwd[i] = true;
  return fwd.map((f, s) => f && bwd[s]! && bwd[0]!);
}

/** Edges between live slots: the pruned cell's edge count. */
export function liveEdgeCount(adj: Uint8Array, live: readonly boolean[]): number {
  let e = 0;
  for (const [i, j] of EDGE_PAIRS) if (live[i] && live[j] && adj[i * SLOTS + j]) e++;
  return e;
}

/**
 * The pruned cell of a slot form (dead slots dropped), or null when the input does not reach the
 * output. A live interior slot must have an op.
 */
export function fromSlots(cell: SlotCell): Nb101Arch | null {
  const live = liveSlots(cell.adj);
  if (!live[0]) return null;
  const keep: number[] = [];
  for (let s = 0; s < SLOTS; s++) if (live[s]) keep.push(s);
  const ops: Nb101Op[] = keep.map((s) => {
    if (s === 0) return 'input';
    if (s === SLOTS - 1) return 'output';
    const o = cell.ops[s - 1]!;
    if (o < 0) throw new Error(`nb101: slot ${s} is on an input → output path but has no op`);
    return NB101_OPS[o]!;
  });
  const adjacency = keep.map((i) => keep.map((j) => cell.adj[i * SLOTS + j]!));
  return { adjacency, ops };
}

/** log σ(x), stable for large |x|. */
function logSigmoid(x: number): number {
  return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
}

/**
 * Repair thresholded edges (edge[e] = 1 where z_e > 0) into a valid cell, using the edge logits as
 * confidences: (1) if the input does not reach the output, add the most probable input → output
 * path (maximum Σ log σ(z) over paths, a longest-path DP on the slot DAG); (2) while the pruned
 * cell has more than 9 edges, delete its least confident edge whose removal keeps the input
 * connected to the output (one always exists: a cell whose every edge is needed is a single path
 * of at most 6 edges). Mutates `adj`.
 */
export function repairEdges(adj: Uint8Array, edgeLogits: ArrayLike<number>): void {
  if (!liveSlots(adj)[0]) {
    const best = new Float64Array(SLOTS).fill(-Infinity);
    const prev = new Int32Array(SLOTS).fill(-1);
    best[0] = 0;
    for (let j = 1; j < SLOTS; j++) {
      for (let i = 0; i < j; i++) {
        const v = best[i]! + logSigmoid(edgeLogits[EDGE_INDEX[i]![j]!]!);
        if (v > best[j]!) {
          best[j] = v;
          prev[j] = i;
        }
      }
    }
    for (let j = SLOTS - 1; j > 0; j = prev[j]!) adj[prev[j]! * SLOTS + j] = 1;
  }
  for (;;) {
    const live = liveSlots(adj);
    const count = liveEdgeCount(adj, live);
    if (count <= NB101_MAX_EDGES) return;
    const candidates = EDGE_PAIRS.map(([i, j], e) => ({ i, j, z: edgeLogits[e]! }))
      .filter(({ i, j }) => live[i] && live[j] && adj[i * SLOTS + j])
      .sort((a, b) => a.z - b.z);
    // Prefer the least confident edge whose removal strands no vertex (costs exactly one edge);
    // failing that, the least confident one that keeps the input connected to the output.
    const pick = (keepVertices: boolean): boolean => {
      for (const { i, j } of candidates) {
        adj[i * SLOTS + j] = 0;
        const after = liveSlots(adj);
        if (after[0] && (!keepVertices || liveEdgeCount(adj, after) === count - 1)) return true;
        adj[i * SLOTS + j] = 1;
      }
      return false;
    };
    if (!pick(true) && !pick(false)) throw new Error('nb101 repair: no removable edge in an over-full cell (cannot happen for a DAG)');
  }
}

/**
 * A random mutant in the style of NAS-Bench-101's evolution example: in slot form (unused slots
 * given random ops, so they can join), flip each of the 21 edge bits with probability 1/7 and
 * change each interior op with probability 1/5, until the result is valid and a different cell.
 */
export function mutateCell(arch: Nb101Arch, rng: Rng, maxTries = 10_000): Nb101Arch {
  const p = nb101Canonical(arch, 'nb101 mutate');
  const self = nb101Hash(p);
  const base = toSlots(p);
  for (let t = 0; t < maxTries; t++) {
    const adj = base.adj.slice();
    const ops = base.ops.map((o) => (o < 0 ? rng.int(NB101_OPS.length) : o));
    for (const [i, j] of EDGE_PAIRS) if (rng.next() < 1 / SLOTS) adj[i * SLOTS + j] = 1 - adj[i * SLOTS + j]!;
    for (let s = 0; s < INTERIOR; s++) if (rng.next() < 1 / INTERIOR) ops[s] = (ops[s]! + 1 + rng.int(NB101_OPS.length - 1)) % NB101_OPS.length;
    const child = fromSlots({ adj, ops });
    if (child === null) continue;
    const c = nb101Check(child);
    if (c.ok && nb101Hash(c.pruned) !== self) return c.pruned;
  }
  throw new Error(`nb101 mutate: no valid different cell after ${maxTries} tries`);
}

/** NAS-Bench-101 as a generic DAG cell (7 vertices, its three ops in order, 9 edges). */
let nb101Layout: CellLayout | null = null;

/**
 * Every valid cell one edit away (flip an edge, change an op, grow by one vertex), de-duplicated
 * by hash: the generic cell neighbourhood, which reproduces NAS-Bench-101's hash and rules.
 */
export function neighbourCells(arch: Nb101Arch): Nb101Arch[] {
  nb101Layout ??= cellLayout({ maxNodes: SLOTS, ops: [...NB101_OPS], maxEdges: NB101_MAX_EDGES, minNodes: 2 });
  return genericNeighbourCells(nb101Layout, nb101Canonical(arch, 'nb101 neighbours')) as Nb101Arch[];
}
