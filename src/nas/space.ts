/**
 * The search-space abstraction: a space is data plus a handful of functions. Anything that can
 * be encoded, relaxed and projected can be searched by PredNAS (see ../shared/METHOD.md).
 *
 * Three representations of an architecture:
 * - the architecture itself (`A`, space-specific, printable with toString/parse);
 * - its discrete encoding (what predictors are trained on: a flat vector, optionally a graph);
 * - logits `z` (what the gradient ascent moves through); `relax(z)` maps a batch of logits to a
 *   differentiable relaxed encoding with the same layout as the discrete one, and `project(z)`
 *   maps logits back to the nearest valid architecture.
 */
import type { Tensor } from '../autograd/tensor.js';
import type { Rng } from '../autograd/random.js';

/** Discrete encoding of one architecture. */
export interface ArchEncoding {
  /** Flat vector for MLP predictors (e.g. NB-201's 30-d one-hot), length `flatDim`. */
  readonly flat: Float32Array;
  /** Graph view for GCN predictors: n nodes, f features; adj[i*n+j] = 1 means edge i → j. */
  readonly graph?: { readonly adj: Float32Array; readonly nodes: Float32Array };
}

/** A batch of relaxed encodings, differentiable w.r.t. the logits they came from. */
export interface RelaxedBatch {
  /** [B, flatDim] */
  readonly flat: Tensor;
  /** [B, n, n], present when the space has a graph view. */
  readonly adj?: Tensor;
  /** [B, n, f], present when the space has a graph view. */
  readonly nodes?: Tensor;
}

/**
 * A relaxed batch whose graph view is built when first read, then kept: the MLP predictor and the
 * cost formulas read `flat` alone, and an ascent relaxes its starts in every step, so building
 * the view's concatenations and broadcasts there was work nobody used. Its tensors, once built,
 * are the ones an eager build made.
 */
export function lazyGraphView(flat: Tensor, graph: () => { readonly adj: Tensor; readonly nodes: Tensor }): RelaxedBatch {
  let built: { readonly adj: Tensor; readonly nodes: Tensor } | null = null;
  const view = () => (built ??= graph());
  return {
    flat,
    get adj() {
      return view().adj;
    },
    get nodes() {
      return view().nodes;
    },
  };
}

/** Analytic or tabulated costs; units are the space's own and are documented by it. */
export interface ArchCost {
  readonly params?: number;
  readonly flops?: number;
  readonly latency?: number;
  /** Named latencies by device (e.g. { pixel3: 3.6 } for 'latency:pixel3'), where a table has several. */
  readonly latencies?: Readonly<Record<string, number>>;
}

export type Projection<A> =
  | { readonly ok: true; readonly arch: A }
  | { readonly ok: false; readonly reason: string };

export interface SearchSpace<A> {
  /** Short id, e.g. 'nb201'. */
  readonly name: string;
  /** Length of a logit vector z. */
  readonly logitDim: number;
  /** Length of the flat encoding. */
  readonly flatDim: number;
  /** Node count and feature count of the graph view, when the space has one. */
  readonly graphDims?: { readonly n: number; readonly f: number };

  sample(rng: Rng): A;
  encode(arch: A): ArchEncoding;
  /** Logits representing a discrete architecture (c·one-hot for categoricals, ±c for binaries). */
  logits(arch: A, c?: number): Float64Array;
  /** Differentiable map from logits [B, logitDim] to relaxed encodings; τ is the softmax temperature. */
  relax(z: Tensor, opts?: { readonly tau?: number }): RelaxedBatch;
  /** Nearest valid architecture for one logit vector (length logitDim), or why there is none. */
  project(z: ArrayLike<number>): Projection<A>;
  /** Canonical identity: two architectures that compute the same network hash equal. */
  hash(arch: A): string;
  mutate(arch: A, rng: Rng): A;
  neighbours(arch: A): A[];
  /**
   * Architectures with two positions' choices exchanged (two edits that keep the multiset of
   * choices, hence the cost where position does not change it: NB-201's FLOPs and params).
   * Optional; spaces without a meaningful exchange leave it out.
   */
  swaps?(arch: A): A[];
  toString(arch: A): string;
  /** Inverse of toString; throws an Error naming the offending part on malformed input. */
  parse(s: string): A;
  /** Whether an architecture satisfies the space's validity rules. */
  isValid(arch: A): boolean;
  cost?(arch: A): ArchCost;
  /** Differentiable cost of relaxed logits [B, logitDim] → [B] per named cost. */
  relaxedCost?(z: Tensor, opts?: { readonly tau?: number }): { readonly params?: Tensor; readonly flops?: Tensor };
  /** Every architecture, for spaces small enough to list (NB-201: 15,625). */
  enumerate?(): Iterable<A>;
  /**
   * Pool spaces (results for a subset only, e.g. 'nb101-pool'): the same space, but project and
   * mutate skip architectures `taken` reports (a search's seen + pending hashes), so they map to
   * the nearest *untaken* pool member. Absent for ordinary spaces.
   */
  withTaken?(taken: (hash: string) => boolean): SearchSpace<A>;
}
