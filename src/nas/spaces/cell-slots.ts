/**
 * The fixed n-slot form of generic cells (n = maxNodes) that encodings, logits and repairs work in,
 * laid out as NAS-Bench-101's 7-slot form: a pruned cell with m vertices occupies slots 0 .. m−2
 * (input and interior vertices, in order) and slot n−1 (output); slots m−1 .. n−2 are unused (no
 * edges, no op). Vertex order is topological and unused slots sit just before the output, so every
 * slot matrix stays strictly upper triangular.
 *
 * Also here: the repair that turns thresholded logits into a valid cell.
 */
import type { CellArch, CellSpec } from './cell-graph.js';

/** Slot geometry of a spec, computed once per space. */
export interface CellLayout {
  readonly spec: CellSpec;
  readonly n: number;
  readonly interior: number;
  /** Slot pairs (i, j), i < j, row-major: the order of edge entries in encodings and logits. */
  readonly pairs: readonly (readonly [number, number])[];
  /** edgeIndex[i][j] = position of (i, j) in `pairs`, −1 when i ≥ j. */
  readonly edgeIndex: readonly (readonly number[])[];
}

export function cellLayout(spec: CellSpec): CellLayout {
  const n = spec.maxNodes;
  const pairs: [number, number][] = [];
  const edgeIndex = Array.from({ length: n }, () => new Array<number>(n).fill(-1));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      edgeIndex[i]![j] = pairs.length;
      pairs.push([i, j]);
    }
  }
  return { spec, n, interior: n - 2, pairs, edgeIndex };
}

/** A cell in slot form: n×n row-major 0/1 matrix and an op index (or −1 = unused) per interior slot 1..n−2. */
export interface SlotCell {
  readonly adj: Uint8Array;
  /** ops[s − 1] for slot s. */
  readonly ops: Int16Array;
}

export function toSlots(g: CellLayout, pruned: CellArch): SlotCell {
  const { n } = g;
  const m = pruned.ops.length;
  const slot = (v: number): number => (v === m - 1 ? n - 1 : v);
  const adj = new Uint8Array(n * n);
  const ops = new Int16Array(g.interior).fill(-1);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) if (pruned.adjacency[i]![j] === 1) adj[slot(i) * n + slot(j)] = 1;
  for (let v = 1; v < m - 1; v++) ops[v - 1] = g.spec.ops.indexOf(pruned.ops[v]!);
  return { adj, ops };
}

/** Slots on some input → output path (all false when the input does not reach the output). */
export function liveSlots(g: CellLayout, adj: Uint8Array): boolean[] {
  const { n } = g;
  const fwd = new Array<boolean>(n).fill(false);
  const bwd = new Array<boolean>(n).fill(false);
  fwd[0] = true;
  for (let j = 1; j < n; j++) for (let i = 0; i < j; i++) if (fwd[i] && adj[i * n + j]) fwd[j] = true;
  bwd[n - 1] = true;
  for (let i = n - 2; i >= 0; i--) for (let j = i + 1; j < n; j++) if (bwd[j] && adj[i * n + j]) bwd[i] = true;
  return fwd.map((f, s) => f && bwd[s]! && bwd[0]!);
}

/** Edges between live slots: the pruned cell's edge count. */
export function liveEdgeCount(g: CellLayout, adj: Uint8Array, live: readonly boolean[]): number {
  let e = 0;
  for (const [i, j] of g.pairs) if (live[i] && live[j] && adj[i * g.n + j]) e++;
  return e;
}

/** The pruned cell of a slot form, or null when the input does not reach the output. Live interior slots must have an op. */
export function fromSlots(g: CellLayout, cell: SlotCell): CellArch | null {
  const { n } = g;
  const live = liveSlots(g, cell.adj);
  if (!live[0]) return null;
  const keep: number[] = [];
  for (let s = 0; s < n; s++) if (live[s]) keep.push(s);
  const ops = keep.map((s) => {
    if (s === 0) return 'input';
    if (s === n - 1) return 'output';
    const o = cell.ops[s - 1]!;
    if (o < 0) throw new Error(`cell: slot ${s} is on an input → output path but has no op`);
    return g.spec.ops[o]!;
  });
  return { adjacency: keep.map((i) => keep.map((j) => cell.adj[i * n + j]!)), ops };
}

/** log σ(x), stable for large |x|. */
export function logSigmoid(x: number): number {
  return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
}

/**
 * The most probable input → output path (maximum Σ log σ(z) over its edges) among paths with
 * lo..hi vertices: a longest-path DP over (slot, vertices so far) on the slot DAG.
 */
function bestPath(g: CellLayout, z: ArrayLike<number>, lo: number, hi: number): number[] {
  const { n } = g;
  // best[j][k]: best score of a path 0 → … → j with k vertices.
  const best = Array.from({ length: n }, () => new Float64Array(n + 1).fill(-Infinity));
  const prev = Array.from({ length: n }, () => new Int32Array(n + 1).fill(-1));
  best[0]![1] = 0;
  for (let j = 1; j < n; j++) {
    for (let k = 2; k <= j + 1; k++) {
      for (let i = 0; i < j; i++) {
        const v = best[i]![k - 1]! + logSigmoid(z[g.edgeIndex[i]![j]!]!);
        if (v > best[j]![k]!) {
          best[j]![k] = v;
          prev[j]![k] = i;
        }
      }
    }
  }
  let k = lo;
  for (let q = lo + 1; q <= hi; q++) if (best[n - 1]![q]! > best[n - 1]![k]!) k = q;
  const path = [n - 1];
  for (let j = n - 1; k > 1; k--) path.push((j = prev[j]![k]!));
  return path.reverse();
}

/**
 * Repair thresholded edges (adj = 1 where z > 0) into a valid cell, using the edge logits z as
 * confidences. Mutates `adj`:
 * 1. input not connected to the output: add the most probable path with minNodes..min(n,
 *    maxEdges + 1) vertices (so that it fits the limits on its own);
 * 2. fewer than minNodes live vertices: revive dead slots one at a time, each by the most probable
 *    pair of edges u → s → w between live vertices;
 * 3. more than maxEdges live edges: delete the least confident edge whose removal strands no vertex
 *    (u with another out-edge, w with another in-edge: always keeps the cell connected); failing
 *    that, the least confident one that keeps the input connected and ≥ minNodes vertices live;
 *    failing that (every such edge is needed), fall back to the most probable path of step 1,
 *    which is valid on its own. NAS-Bench-101's limits (minNodes 2, maxEdges 9 ≥ 6) never need it.
 */
export function repairEdges(g: CellLayout, adj: Uint8Array, z: ArrayLike<number>): void {
  const { n, spec } = g;
  const lo = spec.minNodes;
  const hi = Math.min(n, spec.maxEdges + 1);
  const setPath = (path: readonly number[]): void => {
    for (let k = 1; k < path.length; k++) adj[path[k - 1]! * n + path[k]!] = 1;
  };
  const count = (live: readonly boolean[]): number => live.reduce((s, l) => s + (l ? 1 : 0), 0);
  const cost = (i: number, j: number): number => (adj[i * n + j] ? 0 : logSigmoid(z[g.edgeIndex[i]![j]!]!));
  if (!liveSlots(g, adj)[0]) setPath(bestPath(g, z, lo, hi));
  for (let live = liveSlots(g, adj); count(live) < lo; live = liveSlots(g, adj)) {
    let pick: [number, number, number] | null = null;
    let score = -Infinity;
    for (let s = 1; s < n - 1; s++) {
      if (live[s]) continue;
      let bu = -1, bw = -1;
      for (let u = 0; u < s; u++) if (live[u] && (bu < 0 || cost(u, s) > cost(bu, s))) bu = u;
      for (let w = s + 1; w < n; w++) if (live[w] && (bw < 0 || cost(s, w) > cost(s, bw))) bw = w;
      const v = cost(bu, s) + cost(s, bw);
      if (v > score) {
        score = v;
        pick = [bu, s, bw];
      }
    }
    // lo ≤ n and fewer than lo live slots: some interior slot is dead, and slots 0 and n−1 are live.
    const [u, s, w] = pick!;
    adj[u * n + s] = 1;
    adj[s * n + w] = 1;
  }
  for (;;) {
    const live = liveSlots(g, adj);
    const edges = liveEdgeCount(g, adj, live);
    if (edges <= spec.maxEdges) return;
    const candidates = g.pairs
      .map(([i, j], e) => ({ i, j, z: z[e]! }))
      .filter(({ i, j }) => live[i] && live[j] && adj[i * n + j])
      .sort((a, b) => a.z - b.z);
    const remove = (keepVertices: boolean): boolean => {
      for (const { i, j } of candidates) {
        adj[i * n + j] = 0;
        const after = liveSlots(g, adj);
        const ok = after[0] && (keepVertices ? liveEdgeCount(g, adj, after) === edges - 1 : count(after) >= lo);
        if (ok) return true;
        adj[i * n + j] = 1;
      }
      return false;
    };
    if (!remove(true) && !remove(false)) {
      adj.fill(0);
      setPath(bestPath(g, z, lo, hi));
      return;
    }
  }
}
