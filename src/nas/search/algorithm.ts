/**
 * Search algorithms are seeded state machines with an ask/tell core: `ask(n)` proposes up to n
 * new architectures (never one already told or pending), `tell(arch, val)` records a result.
 * The benchmark loop, the CLI's journal and a user's cluster driver are just different drivers.
 * Same seed + same sequence of tells ⇒ same proposals, which is what makes runs resumable by
 * replaying a journal.
 */
import { Rng } from '../../autograd/random.js';
import type { SearchSpace } from '../space.js';

export interface Observation<A> {
  readonly arch: A;
  readonly hash: string;
  readonly val: number;
}

/** A search's state beyond what it was told (see BaseSearch.checkpoint). */
export interface SearchCheckpoint {
  /** Rng.getState() after the last ask. */
  readonly rng: readonly number[];
}

export interface SearchAlgorithm<A> {
  readonly name: string;
  /** Up to n new proposals; fewer only when the feasible unseen space is exhausted. */
  ask(n: number): A[];
  tell(arch: A, val: number): void;
  readonly history: readonly Observation<A>[];
}

export interface SearchContext<A> {
  readonly space: SearchSpace<A>;
  readonly seed: number;
  /** Hard constraint filter: only feasible architectures are ever proposed. */
  readonly feasible?: (arch: A) => boolean;
  /**
   * Named cost functions behind the constraints (e.g. 'latency:pixel3' → the table's measured
   * value). Costs are metadata, not evaluations: calling them spends no query budget.
   */
  readonly costs?: Readonly<Record<string, (arch: A) => number>>;
}

/** Shared bookkeeping: history, seen/pending sets, seeded sampling of unseen feasible archs. */
export abstract class BaseSearch<A> implements SearchAlgorithm<A> {
  abstract readonly name: string;
  readonly space: SearchSpace<A>;
  readonly rng: Rng;
  readonly feasible: (arch: A) => boolean;
  protected readonly seen = new Set<string>();
  /** Hashes asked and not yet told (failed trials stay here for good: never proposed again). */
  protected readonly pending = new Set<string>();
  private readonly told: Observation<A>[] = [];
  /**
   * Observations restored by restore(), materialised on first read of `history`: a resumed
   * random search never reads them, and parsing every architecture would cost what resuming saves.
   */
  private restoredHistory: (() => Observation<A>[]) | null = null;

  constructor(ctx: SearchContext<A>) {
    // A pool space is re-bound to this search's taken set, so that projection and mutation land on
    // unqueried pool members instead of colliding with what was already asked.
    this.space = ctx.space.withTaken ? ctx.space.withTaken((h) => this.isTaken(h)) : ctx.space;
    this.rng = new Rng(ctx.seed);
    this.feasible = ctx.feasible ?? (() => true);
  }

  /** Every observation, in the order told. */
  get history(): Observation<A>[] {
    if (this.restoredHistory !== null) {
      this.told.unshift(...this.restoredHistory());
      this.restoredHistory = null;
    }
    return this.told;
  }

  /**
   * What resuming this search without replaying its asks needs, or null when its proposals depend
   * on more than the RNG and the taken set (REA's population, local search's incumbent, a
   * predictor): those are resumed by replaying the journal into a fresh search.
   */
  checkpoint(): SearchCheckpoint | null {
    return null;
  }

  /**
   * Continue from checkpoint() on a fresh search: `pending` are the hashes asked and not told,
   * `told` the hashes told, and `history()` the observations in the order told (called only if
   * `history` is read). The caller vouches that these are the asks and tells behind `cp`.
   */
  restore(cp: SearchCheckpoint, pending: Iterable<string>, told: Iterable<string>, history: () => Observation<A>[]): void {
    if (this.checkpoint() === null) throw new Error(`${this.name}: cannot be restored from a checkpoint (resume it by replay)`);
    if (this.seen.size > 0 || this.pending.size > 0) throw new Error(`${this.name}.restore: the search has already been used`);
    this.rng.setState(cp.rng);
    for (const h of pending) this.pending.add(h);
    for (const h of told) this.seen.add(h);
    this.restoredHistory = history;
  }

  /** Seen or pending: may not be proposed again. */
  isTaken(hash: string): boolean {
    return this.seen.has(hash) || this.pending.has(hash);
  }

  /** Whether `arch` may be proposed now (valid, feasible, not taken). */
  isFresh(arch: A): boolean {
    return this.space.isValid(arch) && !this.isTaken(this.space.hash(arch)) && this.feasible(arch);
  }

  protected markPending(arch: A): A {
    this.pending.add(this.space.hash(arch));
    return arch;
  }

  /**
   * A random unseen feasible architecture, or null when there is none. Rejection sampling first;
   * when `tries` samples all miss (a tight constraint: 22 of 3,969 NAS-Bench-Macro networks fit in
   * 20 M MACs) and the space can be listed, pick uniformly among the remaining fresh ones instead of
   * giving up, so a search only stops early when the feasible space is really exhausted.
   */
  sampleFresh(tries = 2000): A | null {
    return this.sampleFreshQuick(tries) ?? this.freshByEnumeration(1)[0] ?? null;
  }

  /** Up to n distinct random unseen feasible architectures (fewer only when the space runs dry). */
  sampleFreshPool(n: number): A[] {
    const out: A[] = [];
    const hashes = new Set<string>();
    let dry = false;
    for (let tries = 0; out.length < n && tries < 3 * n; tries++) {
      const a = this.sampleFreshQuick(50);
      if (a === null) {
        dry = true;
        break;
      }
      const h = this.space.hash(a);
      if (!hashes.has(h)) {
        hashes.add(h);
        out.push(a);
      }
    }
    // One listing tops the pool up when sampling ran dry (cheaper than listing per missing member).
    if (dry && out.length < n) out.push(...this.freshByEnumeration(n - out.length, hashes));
    return out;
  }

  /** Rejection sampling only: null after `tries` misses. */
  private sampleFreshQuick(tries: number): A | null {
    for (let t = 0; t < tries; t++) {
      const a = this.space.sample(this.rng);
      if (this.isFresh(a)) return a;
    }
    return null;
  }

  /** Up to n distinct fresh architectures drawn uniformly from a listable space ([] if not listable). */
  private freshByEnumeration(n: number, exclude: ReadonlySet<string> = new Set()): A[] {
    if (this.space.enumerate === undefined) return [];
    const fresh: A[] = [];
    const hashes = new Set<string>();
    for (const a of this.space.enumerate()) {
      const h = this.space.hash(a);
      if (hashes.has(h) || exclude.has(h) || !this.isFresh(a)) continue;
      hashes.add(h);
      fresh.push(a);
    }
    return this.rng.shuffle(fresh).slice(0, n);
  }

  /** A fresh mutant of `parent` (up to `tries` mutations), or null. */
  mutateFresh(parent: A, tries = 100): A | null {
    for (let t = 0; t < tries; t++) {
      const child = this.space.mutate(parent, this.rng);
      if (this.isFresh(child)) return child;
    }
    return null;
  }

  ask(n: number): A[] {
    if (!Number.isInteger(n) || n < 0) throw new Error(`${this.name}.ask: n must be a non-negative integer, got ${n}`);
    const out: A[] = [];
    while (out.length < n) {
      const a = this.proposeOne();
      if (a === null) break;
      out.push(this.markPending(a));
    }
    return out;
  }

  tell(arch: A, val: number): void {
    if (!Number.isFinite(val)) throw new Error(`${this.name}.tell: result must be a finite number, got ${val}`);
    const hash = this.space.hash(arch);
    if (this.seen.has(hash)) throw new Error(`${this.name}.tell: ${this.space.toString(arch)} was already told`);
    this.pending.delete(hash);
    this.seen.add(hash);
    const obs = { arch, hash, val };
    // Not this.history: that would parse a restored history on every tell.
    this.told.push(obs);
    this.observe(obs);
  }

  /** Every observation so far, best (highest val) first; ties keep the order they were told in. */
  ranked(): Observation<A>[] {
    return [...this.history].sort((a, b) => b.val - a.val);
  }

  /** The best observation so far (highest val), or null. */
  best(): Observation<A> | null {
    let b: Observation<A> | null = null;
    for (const o of this.history) if (b === null || o.val > b.val) b = o;
    return b;
  }

  /** Next proposal (not yet marked pending), or null when nothing fresh is left. */
  protected abstract proposeOne(): A | null;

  protected observe(_obs: Observation<A>): void {}
}
