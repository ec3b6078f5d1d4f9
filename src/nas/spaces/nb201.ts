/**
 * The NAS-Bench-201 cell space (Dong & Yang, ICLR 2020): a DAG on 4 nodes (0 = input, 3 = output)
 * whose 6 edges i → j (i < j) each carry one of 5 ops, so 5^6 = 15,625 cells.
 *
 * An architecture is the six op indices in the order of the official string
 * `|o0~0|+|o1~0|o2~1|+|o3~0|o4~1|o5~2|` — edges 0→1, 0→2, 1→2, 0→3, 1→3, 2→3 — with op codes
 * 0 none, 1 skip_connect, 2 nor_conv_1x1, 3 nor_conv_3x3, 4 avg_pool_3x3 (the shared table's
 * op0..op5 columns use the same order and codes).
 *
 * Encodings:
 * - flat: 30-d one-hot, edge-major (index 5·e + op), optionally followed by 100 path indicators
 *   (option `encoding: 'paths'`, nb201-paths.ts);
 * - graph (ops as nodes, the Wen-et-al / NASLib style): 8 nodes = input, one node per edge (e0..e5
 *   as nodes 1..6), output (node 7). Node features are 7-d one-hot over
 *   [input, none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3, output]. The adjacency is
 *   fixed: the input feeds every edge leaving cell node 0, an edge ending at cell node k feeds
 *   every edge leaving k, and edges ending at cell node 3 feed the output. 'none' stays a node
 *   (with its own feature) so the graph shape never changes and relaxation can move through it.
 *
 * Relaxation: logits z ∈ R^30 (6 × 5, edge-major), per-edge softmax(z/τ); projection: argmax per
 * edge, so every finite logit vector projects to a valid cell.
 */
import { concat, reshape, softmax, tensor, zeros, type Tensor } from '../../autograd/index.js';
import type { Rng } from '../../autograd/random.js';
import { lazyGraphView, type ArchCost, type ArchEncoding, type Projection, type RelaxedBatch, type SearchSpace } from '../space.js';
import { NB201_PATH_DIM, nb201PathFeatures, nb201RelaxedPaths } from './nb201-paths.js';
import { nb201Cost, nb201CostModel, nb201RelaxedCost, type Nb201CostModel } from './nb201-cost.js';

/** Six op indices (0..4), edges in the official string's order. */
export type Nb201Arch = readonly number[];

export const NB201_OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'] as const;
export type Nb201OpName = (typeof NB201_OPS)[number];
/** [from, to] cell nodes of each edge, in arch order. */
export const NB201_EDGES: readonly (readonly [number, number])[] = [[0, 1], [0, 2], [1, 2], [0, 3], [1, 3], [2, 3]];
export const NB201_NUM_EDGES = 6;
export const NB201_NUM_OPS = 5;
export const NB201_SIZE = 5 ** 6;

const GRAPH_N = 8;
const GRAPH_F = 7;
const OP_INDEX = new Map<string, number>(NB201_OPS.map((o, i) => [o, i]));

/** Fixed op-as-node adjacency (see the module comment); row i, column j = 1 means i → j. */
export const NB201_GRAPH_ADJ: Float32Array = (() => {
  const a = new Float32Array(GRAPH_N * GRAPH_N);
  NB201_EDGES.forEach(([from, to], e) => {
    const node = e + 1;
    if (from === 0) a[0 * GRAPH_N + node] = 1;
    NB201_EDGES.forEach(([from2], e2) => {
      if (from2 === to) a[node * GRAPH_N + (e2 + 1)] = 1;
    });
    if (to === 3) a[node * GRAPH_N + (GRAPH_N - 1)] = 1;
  });
  return a;
})();

export function isNb201Arch(arch: unknown): arch is Nb201Arch {
  return (
    Array.isArray(arch) &&
    arch.length === NB201_NUM_EDGES &&
    arch.every((o) => Number.isInteger(o) && o >= 0 && o < NB201_NUM_OPS)
  );
}

function check(arch: Nb201Arch, where: string): void {
  if (!isNb201Arch(arch)) {
    throw new Error(`nb201 ${where}: expected 6 op indices in 0..4, got ${JSON.stringify(arch)}`);
  }
}

/** Base-5 code with op0 most significant: a dense id in [0, 15625) (not the benchmark's index). */
export function nb201Code(arch: Nb201Arch): number {
  let c = 0;
  for (let e = 0; e < NB201_NUM_EDGES; e++) c = c * NB201_NUM_OPS + arch[e]!;
  return c;
}

export function nb201FromCode(code: number): Nb201Arch {
  if (!Number.isInteger(code) || code < 0 || code >= NB201_SIZE) throw new Error(`nb201: code ${code} is outside [0, ${NB201_SIZE})`);
  const ops = new Array<number>(NB201_NUM_EDGES);
  for (let e = NB201_NUM_EDGES - 1; e >= 0; e--) {
    ops[e] = code % NB201_NUM_OPS;
    code = Math.floor(code / NB201_NUM_OPS);
  }
  return ops;
}

/** The official arch string, e.g. `|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|`. */
export function nb201ToString(arch: Nb201Arch): string {
  check(arch, 'toString');
  const groups: string[] = [];
  let e = 0;
  for (let node = 1; node <= 3; node++) {
    const parts: string[] = [];
    for (let src = 0; src < node; src++) parts.push(`${NB201_OPS[arch[e++]!]}~${src}`);
    groups.push(`|${parts.join('|')}|`);
  }
  return groups.join('+');
}

/** Parse the official arch string; errors name the offending group or token. */
export function nb201Parse(s: string): Nb201Arch {
  const str = s.trim();
  const fail = (msg: string): never => {
    throw new Error(`nb201: malformed arch string '${s}': ${msg}; expected the form |op~0|+|op~0|op~1|+|op~0|op~1|op~2|`);
  };
  const groups = str.split('+');
  if (groups.length !== 3) fail(`found ${groups.length} '+'-separated group(s), expected 3`);
  const ops: number[] = [];
  groups.forEach((g, gi) => {
    const node = gi + 1;
    if (g.length < 2 || !g.startsWith('|') || !g.endsWith('|')) fail(`group ${node} '${g}' must start and end with '|'`);
    const tokens = g.slice(1, -1).split('|');
    if (tokens.length !== node) fail(`group ${node} '${g}' has ${tokens.length} edge(s), expected ${node} (one from each earlier node)`);
    tokens.forEach((t, src) => {
      const tilde = t.lastIndexOf('~');
      if (tilde < 0) fail(`token '${t}' in group ${node} lacks '~source'`);
      const name = t.slice(0, tilde);
      const from = t.slice(tilde + 1);
      const op = OP_INDEX.get(name);
      if (op === undefined) fail(`unknown op '${name}' in token '${t}' (ops: ${NB201_OPS.join(', ')})`);
      if (from !== String(src)) fail(`token '${t}' in group ${node} has source '${from}', expected ${src}`);
      ops.push(op!);
    });
  });
  return ops;
}

/**
 * NATS-Bench's isomorphism key (`get_unique_str`, zero ops considered): each node is described by
 * the sorted '+'-join of its incoming terms, where a term is '#' for a none edge (or an edge from
 * a node that is exactly '#'), the source's description for skip_connect, and
 * `(source)@op` otherwise. Reproduces the shared table's `unique_str` (6,466 classes). It merges
 * cells equal up to reordering a node's inputs, skip edges and cut-off paths, but is not a full
 * canonical form: a none edge leaves a '#' term inside a node's description, so e.g. swapping two
 * parallel conv paths where one node also has a none input yields a different key.
 */
export function nb201IsoKey(arch: Nb201Arch): string {
  check(arch, 'isoKey');
  const desc: string[] = ['0'];
  let e = 0;
  for (let node = 1; node <= 3; node++) {
    const terms: string[] = [];
    for (let src = 0; src < node; src++) {
      const op = NB201_OPS[arch[e++]!]!;
      const from = desc[src]!;
      if (op === 'none' || from === '#') terms.push('#');
      else if (op === 'skip_connect') terms.push(from);
      else terms.push(`(${from})@${op}`);
    }
    // Code-unit order, the same as Python's sorted() on these ASCII strings.
    terms.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    desc.push(terms.join('+'));
  }
  return desc[3]!;
}

export interface Nb201SpaceOptions {
  /** Dataset whose network variant `cost`/`relaxedCost` describe (default 'cifar10'). */
  readonly dataset?: string;
  /**
   * Flat encoding the MLP predictor sees: 'onehot' (default; 30-d) or 'paths' (the one-hot plus
   * the 100 path indicators of nb201-paths.ts). The graph view is the same either way.
   */
  readonly encoding?: Nb201Encoding;
}

export const NB201_ENCODINGS = ['onehot', 'paths'] as const;
export type Nb201Encoding = (typeof NB201_ENCODINGS)[number];

/** The encoding named, or an error naming the choices (shared by the space and the CLI). */
export function nb201Encoding(name: string): Nb201Encoding {
  if (!(NB201_ENCODINGS as readonly string[]).includes(name)) throw new Error(`nb201: encoding must be one of ${NB201_ENCODINGS.join(', ')}, got '${name}'`);
  return name as Nb201Encoding;
}

export class Nb201Space implements SearchSpace<Nb201Arch> {
  readonly name = 'nb201';
  readonly logitDim = NB201_NUM_EDGES * NB201_NUM_OPS;
  readonly flatDim: number;
  readonly graphDims = { n: GRAPH_N, f: GRAPH_F } as const;
  readonly costModel: Nb201CostModel;
  readonly encoding: Nb201Encoding;

  constructor(opts: Nb201SpaceOptions = {}) {
    this.costModel = nb201CostModel(opts.dataset ?? 'cifar10');
    this.encoding = nb201Encoding(opts.encoding ?? 'onehot');
    this.flatDim = NB201_NUM_EDGES * NB201_NUM_OPS + (this.encoding === 'paths' ? NB201_PATH_DIM : 0);
  }

  sample(rng: Rng): Nb201Arch {
    return Array.from({ length: NB201_NUM_EDGES }, () => rng.int(NB201_NUM_OPS));
  }

  encode(arch: Nb201Arch): ArchEncoding {
    check(arch, 'encode');
    const flat = new Float32Array(this.flatDim);
    const nodes = new Float32Array(GRAPH_N * GRAPH_F);
    nodes[0] = 1; // input
    nodes[(GRAPH_N - 1) * GRAPH_F + GRAPH_F - 1] = 1; // output
    arch.forEach((op, e) => {
      flat[e * NB201_NUM_OPS + op] = 1;
      nodes[(e + 1) * GRAPH_F + 1 + op] = 1;
    });
    if (this.encoding === 'paths') nb201PathFeatures(arch, flat, NB201_NUM_EDGES * NB201_NUM_OPS);
    return { flat, graph: { adj: NB201_GRAPH_ADJ.slice(), nodes } };
  }

  logits(arch: Nb201Arch, c = 3): Float64Array {
    check(arch, 'logits');
    const z = new Float64Array(this.logitDim);
    arch.forEach((op, e) => (z[e * NB201_NUM_OPS + op] = c));
    return z;
  }

  /** Per-edge probabilities softmax(z/τ) as flat [B,30] (+ relaxed paths) and as graph node features [B,8,7]. */
  relax(z: Tensor, opts: { readonly tau?: number } = {}): RelaxedBatch {
    const tau = opts.tau ?? 1;
    if (!(tau > 0)) throw new Error(`nb201 relax: tau must be > 0, got ${tau}`);
    if (z.rank !== 2 || z.shape[1] !== this.logitDim) {
      throw new Error(`nb201 relax: logits must have shape [B, ${this.logitDim}], got [${z.shape.join(', ')}]`);
    }
    const b = z.shape[0]!;
    const probs = softmax(reshape(z, [b, NB201_NUM_EDGES, NB201_NUM_OPS]).div(tau), -1);
    const oneHot = reshape(probs, [b, NB201_NUM_EDGES * NB201_NUM_OPS]);
    const flat = this.encoding === 'paths' ? concat([oneHot, nb201RelaxedPaths(probs)], 1) : oneHot;
    return lazyGraphView(flat, () => {
      const o = { dtype: z.dtype };
      const pad = zeros([b, NB201_NUM_EDGES, 1], o);
      const opRows = concat([pad, probs, pad], 2); // [B, 6, 7]
      const ends = new Float64Array(GRAPH_F * 2);
      ends[0] = 1;
      ends[2 * GRAPH_F - 1] = 1;
      const endRows = tensor(ends, [1, 2, GRAPH_F], o).broadcastTo([b, 2, GRAPH_F]);
      const nodes = concat([endRows.slice([0, 0, 0], [b, 1, GRAPH_F]), opRows, endRows.slice([0, 1, 0], [b, 2, GRAPH_F])], 1);
      const adj = tensor(NB201_GRAPH_ADJ, [1, GRAPH_N, GRAPH_N], o).broadcastTo([b, GRAPH_N, GRAPH_N]);
      return { adj, nodes };
    });
  }

  project(z: ArrayLike<number>): Projection<Nb201Arch> {
    if (z.length !== this.logitDim) return { ok: false, reason: `nb201 project: expected ${this.logitDim} logits, got ${z.length}` };
    const ops: number[] = [];
    for (let e = 0; e < NB201_NUM_EDGES; e++) {
      let best = 0;
      for (let o = 0; o < NB201_NUM_OPS; o++) {
        const v = z[e * NB201_NUM_OPS + o]!;
        if (!Number.isFinite(v)) return { ok: false, reason: `nb201 project: logit ${e * NB201_NUM_OPS + o} (edge ${e}, op ${NB201_OPS[o]}) is ${v}` };
        if (v > z[e * NB201_NUM_OPS + best]!) best = o;
      }
      ops.push(best);
    }
    return { ok: true, arch: ops };
  }

  /** The arch string: every cell has its own trained results, so cells are not merged by isomorphism (see nb201IsoKey). */
  hash(arch: Nb201Arch): string {
    return nb201ToString(arch);
  }

  /** The isomorphism-class key (NATS-Bench's unique_str). */
  isoKey(arch: Nb201Arch): string {
    return nb201IsoKey(arch);
  }

  mutate(arch: Nb201Arch, rng: Rng): Nb201Arch {
    check(arch, 'mutate');
    const e = rng.int(NB201_NUM_EDGES);
    const shift = 1 + rng.int(NB201_NUM_OPS - 1); // a different op, uniformly
    const out = [...arch];
    out[e] = (arch[e]! + shift) % NB201_NUM_OPS;
    return out;
  }

  neighbours(arch: Nb201Arch): Nb201Arch[] {
    check(arch, 'neighbours');
    const out: Nb201Arch[] = [];
    for (let e = 0; e < NB201_NUM_EDGES; e++) {
      for (let o = 0; o < NB201_NUM_OPS; o++) {
        if (o === arch[e]) continue;
        const n = [...arch];
        n[e] = o;
        out.push(n);
      }
    }
    return out;
  }

  /** Every cell with two edges' ops exchanged (edges with equal ops give nothing new). */
  swaps(arch: Nb201Arch): Nb201Arch[] {
    check(arch, 'swaps');
    const out: Nb201Arch[] = [];
    for (let e = 0; e < NB201_NUM_EDGES; e++) {
      for (let f = e + 1; f < NB201_NUM_EDGES; f++) {
        if (arch[e] === arch[f]) continue;
        const n = [...arch];
        n[e] = arch[f]!;
        n[f] = arch[e]!;
        out.push(n);
      }
    }
    return out;
  }

  toString(arch: Nb201Arch): string {
    return nb201ToString(arch);
  }

  parse(s: string): Nb201Arch {
    return nb201Parse(s);
  }

  isValid(arch: Nb201Arch): boolean {
    return isNb201Arch(arch);
  }

  /** Analytic params and FLOPs, both in millions, of this space's dataset variant. */
  cost(arch: Nb201Arch): ArchCost {
    check(arch, 'cost');
    return nb201Cost(this.costModel, arch);
  }

  relaxedCost(z: Tensor, opts: { readonly tau?: number } = {}): { params: Tensor; flops: Tensor } {
    return nb201RelaxedCost(this.costModel, z, opts.tau ?? 1);
  }

  *enumerate(): Iterable<Nb201Arch> {
    for (let c = 0; c < NB201_SIZE; c++) yield nb201FromCode(c);
  }
}

/** The NB-201 space whose costs describe the given dataset's network (default cifar10). */
export function nb201Space(opts: Nb201SpaceOptions = {}): Nb201Space {
  return new Nb201Space(opts);
}
