/**
 * Generic DAG cell spaces behind the SearchSpace interface: NAS-Bench-101's cell with the user's
 * own maxNodes, op list, maxEdges and minNodes (rules and printing in ./cell-graph.ts, the slot
 * form and repair in ./cell-slots.ts, edits in ./cell-edits.ts). With maxNodes 7, NAS-Bench-101's
 * three ops in its order and maxEdges 9 it is the nb101 space: same encodings, hashes, samples,
 * mutations and projections (the tests check this).
 *
 * With n = maxNodes, E = n(n−1)/2 slot pairs, I = n − 2 interior slots and K ops:
 * - flat, E + I·K: the upper-triangular adjacency bits of the slot form in row-major pair order
 *   (0→1, 0→2, …, (n−2)→(n−1)), then one-hot ops of interior slots 1..n−2 (unused slot: zeros);
 * - graph: adj n×n and node features one-hot over [input, ops…, output] (f = K + 2; unused slots
 *   are zero rows, which the GCN's pooling treats as padding);
 * - logits (same layout as flat): ±c per edge, c·one-hot for a used slot's op, 0 for unused slots;
 * - relax: σ(z) per edge; softmax(z/τ) per slot's ops, scaled by the soft "slot is used" gate
 *   P(some in-edge)·P(some out-edge), so an unused slot relaxes to ≈0 as it is encoded;
 * - project: edges where z > 0, argmax ops, then repairEdges; { ok: false } only for logits of
 *   the wrong length or non-finite values (every finite logit vector has a valid projection).
 */
import { add, concat, exp, matmul, mul, neg, reshape, sigmoid, slice, softmax, softplus, sub, tensor, zeros, type Tensor } from '../../autograd/index.js';
import type { Rng } from '../../autograd/random.js';
import { lazyGraphView, type ArchEncoding, type Projection, type RelaxedBatch, type SearchSpace } from '../space.js';
import { mutateCell, neighbourCells } from './cell-edits.js';
import { cellCanonical, cellCheck, cellHash, cellParse, cellToString, validateCellSpec, type CellArch, type CellSpec } from './cell-graph.js';
import { cellLayout, fromSlots, repairEdges, toSlots, type CellLayout } from './cell-slots.js';

export * from './cell-graph.js';

export interface CellSpaceOptions {
  /** Space id (default 'cell'). */
  readonly name?: string;
  readonly maxNodes: number;
  readonly ops: readonly string[];
  /** Default: every pair, i.e. no limit. */
  readonly maxEdges?: number;
  /** Default 2. */
  readonly minNodes?: number;
}

/** Rejection-sampling attempts before sample() falls back to projecting random logits. */
const SAMPLE_TRIES = 1000;

export class CellSpace implements SearchSpace<CellArch> {
  readonly name: string;
  readonly spec: CellSpec;
  readonly logitDim: number;
  readonly flatDim: number;
  readonly graphDims: { readonly n: number; readonly f: number };
  private readonly g: CellLayout;
  private readonly numEdges: number;
  /** Constant matrices for relax: edge → adjacency scatter [E, n²], edge → interior in/out sums [E, I]. */
  private readonly scatter: Float64Array;
  private readonly into: Float64Array;
  private readonly outOf: Float64Array;

  constructor(opts: CellSpaceOptions) {
    const { name = 'cell', ...decl } = opts;
    if (typeof name !== 'string' || name.trim() === '') throw new Error('CellSpace: name must be a non-empty string');
    this.name = name;
    this.spec = validateCellSpec(decl, 'cell');
    this.g = cellLayout(this.spec);
    const { n, interior } = this.g;
    const k = this.spec.ops.length;
    this.numEdges = this.g.pairs.length;
    this.flatDim = this.logitDim = this.numEdges + interior * k;
    this.graphDims = { n, f: k + 2 };
    this.scatter = new Float64Array(this.numEdges * n * n);
    this.into = new Float64Array(this.numEdges * interior);
    this.outOf = new Float64Array(this.numEdges * interior);
    this.g.pairs.forEach(([i, j], e) => {
      this.scatter[e * n * n + i * n + j] = 1;
      if (j >= 1 && j <= interior) this.into[e * interior + j - 1] = 1;
      if (i >= 1 && i <= interior) this.outOf[e * interior + i - 1] = 1;
    });
  }

  /**
   * NAS-Bench-101's random-spec recipe: each edge slot with probability 1/2, a random op per
   * interior slot, redrawn until valid; returns the pruned cell. Under tight limits (few edges
   * allowed among many slots) acceptance can be tiny, so after SAMPLE_TRIES draws it projects
   * standard-normal logits instead, which is always valid.
   */
  sample(rng: Rng): CellArch {
    const { n, interior, pairs } = this.g;
    for (let t = 0; t < SAMPLE_TRIES; t++) {
      const adj = new Uint8Array(n * n);
      for (const [i, j] of pairs) adj[i * n + j] = rng.next() < 0.5 ? 1 : 0;
      const ops = Int16Array.from({ length: interior }, () => rng.int(this.spec.ops.length));
      const cell = fromSlots(this.g, { adj, ops });
      if (cell === null) continue;
      const c = cellCheck(this.spec, cell);
      if (c.ok) return c.pruned;
    }
    const p = this.project(Float64Array.from({ length: this.logitDim }, () => rng.normal()));
    if (!p.ok) throw new Error(`${this.name} sample: ${p.reason}`);
    return p.arch;
  }

  encode(arch: CellArch): ArchEncoding {
    const s = toSlots(this.g, cellCanonical(this.spec, arch, `${this.name} encode`));
    const { n } = this.g;
    const k = this.spec.ops.length;
    const f = k + 2;
    const flat = new Float32Array(this.flatDim);
    this.g.pairs.forEach(([i, j], e) => (flat[e] = s.adj[i * n + j]!));
    const nodes = new Float32Array(n * f);
    nodes[0] = 1;
    nodes[(n - 1) * f + f - 1] = 1;
    s.ops.forEach((o, slot) => {
      if (o < 0) return;
      flat[this.numEdges + slot * k + o] = 1;
      nodes[(slot + 1) * f + 1 + o] = 1;
    });
    return { flat, graph: { adj: Float32Array.from(s.adj), nodes } };
  }

  logits(arch: CellArch, c = 3): Float64Array {
    const s = toSlots(this.g, cellCanonical(this.spec, arch, `${this.name} logits`));
    const { n } = this.g;
    const z = new Float64Array(this.logitDim);
    this.g.pairs.forEach(([i, j], e) => (z[e] = s.adj[i * n + j] ? c : -c));
    s.ops.forEach((o, slot) => {
      if (o >= 0) z[this.numEdges + slot * this.spec.ops.length + o] = c;
    });
    return z;
  }

  relax(z: Tensor, opts: { readonly tau?: number } = {}): RelaxedBatch {
    const tau = opts.tau ?? 1;
    if (!(tau > 0) || !Number.isFinite(tau)) throw new Error(`${this.name} relax: tau must be a finite number > 0, got ${tau}`);
    if (z.shape.length !== 2 || z.shape[1] !== this.logitDim) {
      throw new Error(`${this.name} relax: logits must have shape [B, ${this.logitDim}], got [${z.shape.join(', ')}]`);
    }
    const b = z.shape[0]!;
    const { n, interior } = this.g;
    const k = this.spec.ops.length;
    const f = k + 2;
    const E = this.numEdges;
    const o = { dtype: z.dtype };
    const ze = slice(z, [0, 0], [b, E]);
    const edges = sigmoid(ze);
    const adj = () => reshape(matmul(edges, tensor(this.scatter, [E, n * n], o)), [b, n, n]);
    const oneHotRow = (at: number): Tensor => {
      const row = new Float64Array(f);
      row[at] = 1;
      return add(zeros([b, 1, f], o), tensor(row, [1, 1, f], o));
    };
    if (interior === 0) return lazyGraphView(edges, () => ({ adj: adj(), nodes: concat([oneHotRow(0), oneHotRow(f - 1)], 1) }));
    const probs = softmax(reshape(slice(z, [0, E], [b, this.logitDim]), [b, interior, k]).div(tau), -1);
    // log(1 − σ(z)) = −softplus(z): stable, and sums of logs give the "no edge at all" products.
    const logNone = neg(softplus(ze));
    const noIn = exp(matmul(logNone, tensor(this.into, [E, interior], o)));
    const noOut = exp(matmul(logNone, tensor(this.outOf, [E, interior], o)));
    const gate = mul(sub(1, noIn), sub(1, noOut)); // [B, I]
    const ops = mul(probs, reshape(gate, [b, interior, 1]));
    const flat = concat([edges, reshape(ops, [b, interior * k])], 1);
    return lazyGraphView(flat, () => {
      const pad = zeros([b, interior, 1], o);
      const middle = concat([pad, ops, pad], 2); // [B, I, f]
      return { adj: adj(), nodes: concat([oneHotRow(0), middle, oneHotRow(f - 1)], 1) };
    });
  }

  project(z: ArrayLike<number>): Projection<CellArch> {
    if (z.length !== this.logitDim) return { ok: false, reason: `${this.name} project: expected ${this.logitDim} logits, got ${z.length}` };
    for (let q = 0; q < z.length; q++) {
      if (!Number.isFinite(z[q]!)) return { ok: false, reason: `${this.name} project: logit ${q} (${this.slotName(q)}) is ${z[q]}` };
    }
    const { n, interior, pairs } = this.g;
    const k = this.spec.ops.length;
    const adj = new Uint8Array(n * n);
    pairs.forEach(([i, j], e) => (adj[i * n + j] = z[e]! > 0 ? 1 : 0));
    const ops = new Int16Array(interior);
    for (let s = 0; s < interior; s++) {
      const at = this.numEdges + s * k;
      let best = 0;
      for (let q = 1; q < k; q++) if (z[at + q]! > z[at + best]!) best = q;
      ops[s] = best;
    }
    repairEdges(this.g, adj, Array.from({ length: this.numEdges }, (_, e) => z[e]!));
    const cell = fromSlots(this.g, { adj, ops });
    const c = cell === null ? null : cellCheck(this.spec, cell);
    // repairEdges guarantees a valid cell; anything else is a bug, not an input problem.
    if (c === null || !c.ok) throw new Error(`${this.name} project: repair produced an invalid cell (${c === null ? 'disconnected' : c.reason})`);
    return { ok: true, arch: c.pruned };
  }

  hash(arch: CellArch): string {
    return cellHash(this.spec, arch, `${this.name} hash`);
  }

  mutate(arch: CellArch, rng: Rng): CellArch {
    return mutateCell(this.g, arch, rng);
  }

  neighbours(arch: CellArch): CellArch[] {
    return neighbourCells(this.g, arch);
  }

  toString(arch: CellArch): string {
    return cellToString(this.spec, arch);
  }

  parse(s: string): CellArch {
    return cellParse(this.spec, s);
  }

  isValid(arch: CellArch): boolean {
    return cellCheck(this.spec, arch).ok;
  }

  /** Why a cell is invalid in this space, or null. */
  invalidReason(arch: CellArch): string | null {
    const c = cellCheck(this.spec, arch);
    return c.ok ? null : c.reason;
  }

  private slotName(q: number): string {
    if (q < this.numEdges) {
      const [i, j] = this.g.pairs[q]!;
      return `edge ${i}→${j}`;
    }
    const r = q - this.numEdges;
    const k = this.spec.ops.length;
    return `vertex ${1 + Math.floor(r / k)} op ${this.spec.ops[r % k]}`;
  }
}

export function cellSpace(opts: CellSpaceOptions): CellSpace {
  return new CellSpace(opts);
}
