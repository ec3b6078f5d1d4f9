/**
 * Pool benchmarks: results exist only for a subset of a space (NAS-Bench-101's 20,001 trained
 * cells, or a user's table of models already trained), so the searchable set is the pool.
 * Sampling draws from the pool; projection and mutation first act in the full space and then map
 * to the nearest pool member not yet taken, by squared Euclidean distance between flat encodings.
 *
 * The nearest-neighbour scan is brute force over a flat [N, D] array — at N = 20k and D ≈ 36..56
 * that is well under a millisecond per query, so no index structure is worth its complexity. When
 * every pool encoding is a 0/1 vector (one-hot / adjacency encodings, as NB-101's), rows are packed
 * into bytes and ‖x − p‖² = ‖x‖² + |p| − 2·x·p, where x·p is summed from per-query tables: for each
 * byte position, the sum of x over every one of the 256 bit patterns. A row then costs ⌈D/8⌉
 * lookups in a table small enough for L1 cache, for any query, binary or not. Other pools use a
 * dense loop with a partial-distance exit. Ties go to the lowest pool index (deterministic).
 */
import type { Rng } from '../../autograd/random.js';
import type { Tensor } from '../../autograd/tensor.js';
import type { ArchCost, ArchEncoding, Projection, RelaxedBatch, SearchSpace } from '../space.js';

function isBinary(x: ArrayLike<number>): boolean {
  for (let i = 0; i < x.length; i++) if (x[i] !== 0 && x[i] !== 1) return false;
  return true;
}

/** Nearest-neighbour index over the flat encodings of a list of architectures. */
export class PoolIndex<A> {
  readonly members: readonly A[];
  readonly hashes: readonly string[];
  readonly dim: number;
  /** Row-major [size, dim] encodings. */
  readonly encodings: Float32Array;
  private readonly rowOf = new Map<string, number>();
  /** Byte-packed rows (bytesPerRow each, bit d of the row = encoding d) when every encoding is 0/1; null otherwise. */
  private readonly packed: Uint8Array | null;
  private readonly bytesPerRow: number;
  /** Number of ones per row (|p|), when packed. */
  private readonly rowOnes: Int32Array | null = null;
  /** Per-query partial-sum tables, [bytesPerRow × 256], reused across queries. */
  private readonly table: Float64Array;

  /** `known`, when given, must be space.hash of each member (a table's verified keys), saving the hashing. */
  constructor(space: SearchSpace<A>, members: readonly A[], known?: readonly string[]) {
    if (members.length === 0) throw new Error(`pool: a pool needs at least one architecture (space ${space.name})`);
    if (known !== undefined && known.length !== members.length) throw new Error(`pool: ${known.length} hashes for ${members.length} members`);
    this.members = members;
    this.dim = space.flatDim;
    this.encodings = new Float32Array(members.length * this.dim);
    const hashes: string[] = [];
    members.forEach((a, i) => {
      const h = known?.[i] ?? space.hash(a);
      const prev = this.rowOf.get(h);
      if (prev !== undefined) throw new Error(`pool: members ${prev} and ${i} are the same architecture (hash ${h}); a pool lists each once`);
      this.rowOf.set(h, i);
      hashes.push(h);
      const f = space.encode(a).flat;
      if (f.length !== this.dim) throw new Error(`pool: member ${i} encodes to ${f.length} values, expected flatDim ${this.dim}`);
      this.encodings.set(f, i * this.dim);
    });
    this.hashes = hashes;
    this.bytesPerRow = Math.ceil(this.dim / 8);
    this.table = new Float64Array(this.bytesPerRow * 256);
    this.packed = null;
    if (isBinary(this.encodings)) {
      const n = members.length, bpr = this.bytesPerRow;
      const packed = new Uint8Array(n * bpr);
      const ones = new Int32Array(n);
      for (let r = 0; r < n; r++) {
        for (let d = 0; d < this.dim; d++) {
          if (this.encodings[r * this.dim + d] === 1) {
            packed[r * bpr + (d >>> 3)]! |= 1 << (d & 7);
            ones[r]!++;
          }
        }
      }
      this.packed = packed;
      this.rowOnes = ones;
    }
  }

  get size(): number {
    return this.members.length;
  }

  /** Pool row of a hash, or −1. */
  indexOf(hash: string): number {
    return this.rowOf.get(hash) ?? -1;
  }

  /**
   * Index of the nearest member to each point, skipping members whose hash is in `excluded`; −1
   * for a point when every member is excluded. Points are flat encodings (length dim).
   */
  nearestUnqueried(points: readonly ArrayLike<number>[], excluded: ReadonlySet<string> = new Set()): Int32Array {
    const mask = new Uint8Array(this.size);
    for (const h of excluded) {
      const r = this.rowOf.get(h);
      if (r !== undefined) mask[r] = 1;
    }
    return Int32Array.from(points, (p) => this.nearest(p, (i) => mask[i] === 1));
  }

  /**
   * Index of the member nearest to `point` that `isExcluded` does not reject, or −1. The predicate
   * is only consulted for members that would improve on the best so far, so an expensive check
   * (a hash lookup in a search's taken set) costs little.
   */
  nearest(point: ArrayLike<number>, isExcluded: (row: number) => boolean = () => false): number {
    if (point.length !== this.dim) throw new Error(`pool: query point has ${point.length} values, expected ${this.dim}`);
    return this.packed === null ? this.scanFloat(point, isExcluded) : this.scanPacked(point, isExcluded);
  }

  private scanPacked(point: ArrayLike<number>, isExcluded: (row: number) => boolean): number {
    const bpr = this.bytesPerRow, packed = this.packed!, ones = this.rowOnes!, t = this.table;
    let qq = 0;
    for (let d = 0; d < this.dim; d++) qq += point[d]! * point[d]!;
    // t[b·256 + m] = Σ over the set bits j of m of point[8b + j], built incrementally: m's value is
    // that of m without its lowest set bit plus that bit's coordinate.
    for (let b = 0; b < bpr; b++) {
      const o = b * 256;
      t[o] = 0;
      for (let m = 1; m < 256; m++) {
        const low = 31 - Math.clz32(m & -m);
        const d = 8 * b + low;
        t[o + m] = t[o + (m & (m - 1))]! + (d < this.dim ? point[d]! : 0);
      }
    }
    let best = -1, bestD = Infinity;
    const n = this.size;
    for (let r = 0, p = 0; r < n; r++) {
      let dot = 0;
      for (let b = 0; b < bpr; b++, p++) dot += t[(b << 8) | packed[p]!]!;
      const dist = qq + ones[r]! - 2 * dot;
      if (dist < bestD && !isExcluded(r)) {
        bestD = dist;
        best = r;
      }
    }
    return best;
  }

  private scanFloat(point: ArrayLike<number>, isExcluded: (row: number) => boolean): number {
    const e = this.encodings, dim = this.dim;
    const q = Float32Array.from(point);
    let best = -1, bestD = Infinity;
    for (let r = 0, o = 0; r < this.size; r++, o += dim) {
      let d = 0;
      // Partial-distance exit: once past the best, the rest of the row cannot help.
      for (let k = 0; k < dim && d < bestD; k++) {
        const t = e[o + k]! - q[k]!;
        d += t * t;
      }
      if (d < bestD && !isExcluded(r)) {
        bestD = d;
        best = r;
      }
    }
    return best;
  }
}

export interface PoolSpaceOptions {
  /** Hashes a search has taken (queried or pending); project/mutate skip them. Default: none. */
  readonly taken?: (hash: string) => boolean;
}

/**
 * A space restricted to a pool: everything is the base space's except that sampling draws pool
 * members, projection and mutation map to the nearest untaken member, neighbours are the base
 * neighbours mapped into the pool, and only members are valid. Named `<base>-pool` so results say so.
 */
export class PoolSpace<A> implements SearchSpace<A> {
  readonly name: string;
  readonly logitDim: number;
  readonly flatDim: number;
  readonly graphDims?: { readonly n: number; readonly f: number };
  readonly cost?: (arch: A) => ArchCost;
  readonly relaxedCost?: (z: Tensor, opts?: { readonly tau?: number }) => { readonly params?: Tensor; readonly flops?: Tensor };
  private readonly taken: (hash: string) => boolean;

  constructor(readonly base: SearchSpace<A>, readonly index: PoolIndex<A>, opts: PoolSpaceOptions = {}) {
    this.name = `${base.name}-pool`;
    this.logitDim = base.logitDim;
    this.flatDim = base.flatDim;
    if (base.graphDims !== undefined) this.graphDims = base.graphDims;
    if (base.cost !== undefined) this.cost = (a) => base.cost!(a);
    if (base.relaxedCost !== undefined) this.relaxedCost = (z, o) => base.relaxedCost!(z, o);
    this.taken = opts.taken ?? (() => false);
  }

  /** The same pool, skipping what `taken` reports (e.g. a search's seen + pending hashes). */
  withTaken(taken: (hash: string) => boolean): PoolSpace<A> {
    return new PoolSpace(this.base, this.index, { taken });
  }

  sample(rng: Rng): A {
    return this.index.members[rng.int(this.index.size)]!;
  }

  encode(arch: A): ArchEncoding {
    return this.base.encode(arch);
  }

  logits(arch: A, c?: number): Float64Array {
    return this.base.logits(arch, c);
  }

  relax(z: Tensor, opts?: { readonly tau?: number }): RelaxedBatch {
    return this.base.relax(z, opts);
  }

  /** The base projection, then the nearest untaken pool member to its encoding. */
  project(z: ArrayLike<number>): Projection<A> {
    const p = this.base.project(z);
    if (!p.ok) return p;
    const r = this.nearestFree(p.arch, null);
    return r < 0 ? { ok: false, reason: `${this.name}: every one of the ${this.index.size} pool members is taken` } : { ok: true, arch: this.index.members[r]! };
  }

  hash(arch: A): string {
    return this.base.hash(arch);
  }

  /** A base-space mutant mapped to the nearest untaken pool member other than the parent. */
  mutate(arch: A, rng: Rng): A {
    const parent = this.base.hash(arch);
    const r = this.nearestFree(this.base.mutate(arch, rng), parent);
    if (r < 0) throw new Error(`${this.name} mutate: no pool member is left to mutate into (all ${this.index.size} taken)`);
    return this.index.members[r]!;
  }

  /** Base neighbours mapped to their nearest pool members (untaken, not the arch), de-duplicated. */
  neighbours(arch: A): A[] {
    const self = this.base.hash(arch);
    const rows = new Set<number>();
    for (const n of this.base.neighbours(arch)) {
      const r = this.nearestFree(n, self);
      if (r >= 0) rows.add(r);
    }
    return [...rows].sort((a, b) => a - b).map((r) => this.index.members[r]!);
  }

  toString(arch: A): string {
    return this.base.toString(arch);
  }

  parse(s: string): A {
    return this.base.parse(s);
  }

  /** Valid in the base space and a pool member. */
  isValid(arch: A): boolean {
    return this.base.isValid(arch) && this.index.indexOf(this.base.hash(arch)) >= 0;
  }

  enumerate(): Iterable<A> {
    return this.index.members;
  }

  private nearestFree(arch: A, alsoExclude: string | null): number {
    const hashes = this.index.hashes;
    return this.index.nearest(this.base.encode(arch).flat, (i) => hashes[i] === alsoExclude || this.taken(hashes[i]!));
  }
}

/** A pool space over `members` of `base` (optionally with their known hashes). */
export function poolSpace<A>(base: SearchSpace<A>, members: readonly A[], opts: PoolSpaceOptions & { readonly hashes?: readonly string[] } = {}): PoolSpace<A> {
  return new PoolSpace(base, new PoolIndex(base, members, opts.hashes), opts.taken === undefined ? {} : { taken: opts.taken });
}
