/**
 * The NAS-Bench-101 cell space behind the SearchSpace interface (graph rules, pruning and printing
 * in nb101-graph.ts, the benchmark's hash in nb101-hash.ts, the 7-slot form and edits in
 * nb101-slots.ts).
 *
 * Encodings work in the 7-slot form (a pruned cell's output sits in slot 6, unused slots have no
 * edges and no op):
 * - flat, 36-d: the 21 upper-triangular adjacency bits in row-major pair order (0→1, 0→2, …,
 *   0→6, 1→2, …, 5→6), then one-hot ops of interior slots 1..5 (3 each, order conv3x3, conv1x1,
 *   maxpool); an unused slot's op block is all zero;
 * - graph: adj 7×7 and node features one-hot over [input, conv3x3, conv1x1, maxpool, output]
 *   (unused slots: zero rows, which the GCN's pooling mask treats as padding).
 *
 * Logits (36, same layout as flat): ±c per edge, c·one-hot per used slot's op, 0 for unused slots.
 * Relaxation: σ(z) for edges; softmax(z/τ) for ops, scaled by a soft "slot is used" gate
 * P(some in-edge)·P(some out-edge) = (1 − Π(1 − σ(z_in)))·(1 − Π(1 − σ(z_out))), so that an unused
 * slot's op block relaxes to ≈0 as it is encoded, instead of a uniform distribution the predictor
 * never saw. Projection: threshold edges at 0, argmax ops, then repair (see repairEdges).
 */
import { add, concat, exp, matmul, mul, neg, reshape, sigmoid, slice, softmax, softplus, sub, tensor, zeros, type Tensor } from '../../autograd/index.js';
import type { Rng } from '../../autograd/random.js';
import { lazyGraphView, type ArchEncoding, type Projection, type RelaxedBatch, type SearchSpace } from '../space.js';
import { NB101_OPS, isNb101Valid, nb101Canonical, nb101Check, nb101Parse, nb101ToString, type Nb101Arch } from './nb101-graph.js';
import { nb101Hash } from './nb101-hash.js';
import { EDGE_PAIRS, INTERIOR, NUM_EDGE_SLOTS, SLOTS, fromSlots, mutateCell, neighbourCells, repairEdges, toSlots } from './nb101-slots.js';

export * from './nb101-graph.js';
export { nb101Hash, nb101HashMatrix } from './nb101-hash.js';

const NUM_OPS = NB101_OPS.length;
const FLAT = NUM_EDGE_SLOTS + INTERIOR * NUM_OPS; // 36
const FEATURES = NUM_OPS + 2; // input, 3 ops, output

/** Constant matrices for relax: edge → adjacency scatter [21, 49], and edge → in/out slot sums [21, 5]. */
const SCATTER = new Float64Array(NUM_EDGE_SLOTS * SLOTS * SLOTS);
const INTO = new Float64Array(NUM_EDGE_SLOTS * INTERIOR);
const OUTOF = new Float64Array(NUM_EDGE_SLOTS * INTERIOR);
EDGE_PAIRS.forEach(([i, j], e) => {
  SCATTER[e * SLOTS * SLOTS + i * SLOTS + j] = 1;
  if (j >= 1 && j <= INTERIOR) INTO[e * INTERIOR + j - 1] = 1;
  if (i >= 1 && i <= INTERIOR) OUTOF[e * INTERIOR + i - 1] = 1;
});

export class Nb101Space implements SearchSpace<Nb101Arch> {
  readonly name: string = 'nb101';
  readonly logitDim = FLAT;
  readonly flatDim = FLAT;
  readonly graphDims = { n: SLOTS, f: FEATURES } as const;

  /**
   * NAS-Bench-101's own random-spec recipe: each of the 21 edges with probability 1/2, random ops,
   * resampled until valid; returns the pruned cell. Not uniform over the 423,624 cells (small
   * cells are over-represented relative to their share), as in the benchmark's examples.
   */
  sample(rng: Rng): Nb101Arch {
    for (;;) {
      const adj = new Uint8Array(SLOTS * SLOTS);
      for (const [i, j] of EDGE_PAIRS) adj[i * SLOTS + j] = rng.next() < 0.5 ? 1 : 0;
      const ops = Int8Array.from({ length: INTERIOR }, () => rng.int(NUM_OPS));
      const cell = fromSlots({ adj, ops });
      if (cell === null) continue;
      const c = nb101Check(cell);
      if (c.ok) return c.pruned;
    }
  }

  encode(arch: Nb101Arch): ArchEncoding {
    const s = toSlots(nb101Canonical(arch, 'nb101 encode'));
    const flat = new Float32Array(FLAT);
    EDGE_PAIRS.forEach(([i, j], e) => (flat[e] = s.adj[i * SLOTS + j]!));
    const nodes = new Float32Array(SLOTS * FEATURES);
    nodes[0] = 1;
    nodes[(SLOTS - 1) * FEATURES + FEATURES - 1] = 1;
    s.ops.forEach((o, k) => {
      if (o < 0) return;
      flat[NUM_EDGE_SLOTS + k * NUM_OPS + o] = 1;
      nodes[(k + 1) * FEATURES + 1 + o] = 1;
    });
    return { flat, graph: { adj: Float32Array.from(s.adj), nodes } };
  }

  logits(arch: Nb101Arch, c = 3): Float64Array {
    const s = toSlots(nb101Canonical(arch, 'nb101 logits'));
    const z = new Float64Array(FLAT);
    EDGE_PAIRS.forEach(([i, j], e) => (z[e] = s.adj[i * SLOTS + j] ? c : -c));
    s.ops.forEach((o, k) => {
      if (o >= 0) z[NUM_EDGE_SLOTS + k * NUM_OPS + o] = c;
    });
    return z;
  }

  relax(z: Tensor, opts: { readonly tau?: number } = {}): RelaxedBatch {
    const tau = opts.tau ?? 1;
    if (!(tau > 0)) throw new Error(`nb101 relax: tau must be > 0, got ${tau}`);
    if (z.shape.length !== 2 || z.shape[1] !== FLAT) throw new Error(`nb101 relax: logits must have shape [B, ${FLAT}], got [${z.shape.join(', ')}]`);
    const b = z.shape[0]!;
    const o = { dtype: z.dtype };
    const ze = slice(z, [0, 0], [b, NUM_EDGE_SLOTS]);
    const edges = sigmoid(ze);
    const probs = softmax(reshape(slice(z, [0, NUM_EDGE_SLOTS], [b, FLAT]), [b, INTERIOR, NUM_OPS]).div(tau), -1);
    // log(1 − σ(z)) = −softplus(z): stable, and sums of logs give the "no edge at all" products.
    const logNone = neg(softplus(ze));
    const noIn = exp(matmul(logNone, tensor(INTO, [NUM_EDGE_SLOTS, INTERIOR], o)));
    const noOut = exp(matmul(logNone, tensor(OUTOF, [NUM_EDGE_SLOTS, INTERIOR], o)));
    const gate = mul(sub(1, noIn), sub(1, noOut)); // [B, 5]
    const ops = mul(probs, reshape(gate, [b, INTERIOR, 1]));
    const flat = concat([edges, reshape(ops, [b, INTERIOR * NUM_OPS])], 1);
    return lazyGraphView(flat, () => {
      const adj = reshape(matmul(edges, tensor(SCATTER, [NUM_EDGE_SLOTS, SLOTS * SLOTS], o)), [b, SLOTS, SLOTS]);
      const pad = zeros([b, INTERIOR, 1], o);
      const interior = concat([pad, ops, pad], 2); // [B, 5, 5]
      const inputRow = add(zeros([b, 1, FEATURES], o), tensor([1, 0, 0, 0, 0], [1, 1, FEATURES], o));
      const outputRow = add(zeros([b, 1, FEATURES], o), tensor([0, 0, 0, 0, 1], [1, 1, FEATURES], o));
      return { adj, nodes: concat([inputRow, interior, outputRow], 1) };
    });
  }

  project(z: ArrayLike<number>): Projection<Nb101Arch> {
    if (z.length !== FLAT) return { ok: false, reason: `nb101 project: expected ${FLAT} logits, got ${z.length}` };
    for (let k = 0; k < FLAT; k++) {
      if (!Number.isFinite(z[k]!)) return { ok: false, reason: `nb101 project: logit ${k} is ${z[k]}` };
    }
    const adj = new Uint8Array(SLOTS * SLOTS);
    EDGE_PAIRS.forEach(([i, j], e) => (adj[i * SLOTS + j] = z[e]! > 0 ? 1 : 0));
    const ops = new Int8Array(INTERIOR);
    for (let k = 0; k < INTERIOR; k++) {
      let best = 0;
      for (let q = 1; q < NUM_OPS; q++) if (z[NUM_EDGE_SLOTS + k * NUM_OPS + q]! > z[NUM_EDGE_SLOTS + k * NUM_OPS + best]!) best = q;
      ops[k] = best;
    }
    repairEdges(adj, Array.from({ length: NUM_EDGE_SLOTS }, (_, e) => z[e]!));
    const cell = fromSlots({ adj, ops });
    const c = cell === null ? null : nb101Check(cell);
    // repairEdges guarantees a connected cell with ≤ 9 edges; anything else is a bug, not an input problem.
    if (c === null || !c.ok) throw new Error(`nb101 project: repair produced an invalid cell (${c === null ? 'disconnected' : c.reason})`);
    return { ok: true, arch: c.pruned };
  }

  hash(arch: Nb101Arch): string {
    return nb101Hash(arch);
  }

  mutate(arch: Nb101Arch, rng: Rng): Nb101Arch {
    return mutateCell(arch, rng);
  }

  neighbours(arch: Nb101Arch): Nb101Arch[] {
    return neighbourCells(arch);
  }

  toString(arch: Nb101Arch): string {
    return nb101ToString(arch);
  }

  parse(s: string): Nb101Arch {
    return nb101Parse(s);
  }

  isValid(arch: Nb101Arch): boolean {
    return isNb101Valid(arch);
  }
}

export function nb101Space(): Nb101Space {
  return new Nb101Space();
}
