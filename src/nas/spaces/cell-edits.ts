/**
 * Local edits of generic cells, behind mutate and neighbours (the baselines' moves), in the style of
 * NAS-Bench-101's evolution example. Results are pruned, valid and differ from the parent's hash.
 */
import type { Rng } from '../../autograd/random.js';
import { cellCanonical, cellCheck, cellHash, type CellArch } from './cell-graph.js';
import { fromSlots, toSlots, type CellLayout } from './cell-slots.js';

/**
 * Every valid cell one edit away, de-duplicated by hash (the cell itself excluded): flip one edge,
 * change one interior op, or grow by one vertex — split an edge u → w into u → new → w, or add
 * u → new → w beside it — with any op. Growing matters: pruned cells have no spare vertices, so
 * flips alone could never reach a larger cell.
 */
export function neighbourCells(g: CellLayout, arch: CellArch): CellArch[] {
  const { spec } = g;
  const p = cellCanonical(spec, arch, 'cell neighbours');
  const n = p.ops.length;
  const seen = new Set<string>([cellHash(spec, p)]);
  const out: CellArch[] = [];
  const consider = (adjacency: number[][], ops: string[]): void => {
    const c = cellCheck(spec, { adjacency, ops });
    if (!c.ok) return;
    const h = cellHash(spec, c.pruned);
    if (seen.has(h)) return;
    seen.add(h);
    out.push(c.pruned);
  };
  const copy = (): number[][] => p.adjacency.map((r) => [...r]);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = copy();
      a[i]![j] = 1 - a[i]![j]!;
      consider(a, [...p.ops]);
    }
  }
  for (let v = 1; v < n - 1; v++) {
    for (const op of spec.ops) {
      if (op === p.ops[v]) continue;
      const ops = [...p.ops];
      ops[v] = op;
      consider(copy(), ops);
    }
  }
  if (n < g.n) {
    for (let u = 0; u < n; u++) {
      for (let w = u + 1; w < n; w++) {
        if (p.adjacency[u]![w] !== 1) continue;
        // The new vertex takes index w; vertices w.. shift up by one.
        const at = (x: number): number => (x < w ? x : x + 1);
        for (const keep of [false, true]) {
          for (const op of spec.ops) {
            const a = Array.from({ length: n + 1 }, () => new Array<number>(n + 1).fill(0));
            for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[at(i)]![at(j)] = p.adjacency[i]![j]!;
            if (!keep) a[at(u)]![at(w)] = 0;
            a[at(u)]![w] = 1;
            a[w]![at(w)] = 1;
            consider(a, [...p.ops.slice(0, w), op, ...p.ops.slice(w)]);
          }
        }
      }
    }
  }
  return out;
}

/**
 * A random mutant: in slot form (unused slots given random ops, so they can join), flip each edge
 * bit with probability 1/n and change each interior op with probability 1/(n−2), until the result
 * is valid and a different cell. If that keeps failing (tight limits), a random neighbour; a cell
 * with no neighbour at all is the only cell of its space, which is an error.
 */
export function mutateCell(g: CellLayout, arch: CellArch, rng: Rng, maxTries = 1000): CellArch {
  const { spec, n } = g;
  const p = cellCanonical(spec, arch, 'cell mutate');
  const self = cellHash(spec, p);
  const base = toSlots(g, p);
  const k = spec.ops.length;
  for (let t = 0; t < maxTries; t++) {
    const adj = base.adj.slice();
    const ops = base.ops.map((o) => (o < 0 ? rng.int(k) : o));
    for (const [i, j] of g.pairs) if (rng.next() < 1 / n) adj[i * n + j] = 1 - adj[i * n + j]!;
    if (k > 1) for (let s = 0; s < g.interior; s++) if (rng.next() < 1 / g.interior) ops[s] = (ops[s]! + 1 + rng.int(k - 1)) % k;
    const child = fromSlots(g, { adj, ops });
    if (child === null) continue;
    const c = cellCheck(spec, child);
    if (c.ok && cellHash(spec, c.pruned) !== self) return c.pruned;
  }
  const ns = neighbourCells(g, p);
  if (ns.length === 0) throw new Error(`cell mutate: the space has a single cell (${n} slots, ops ${spec.ops.join(', ')}, ≤ ${spec.maxEdges} edges, ≥ ${spec.minNodes} vertices): nothing to mutate to`);
  return rng.choice(ns);
}
