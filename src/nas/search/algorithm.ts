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
  readonly history: Observation<A>[] = [];
  protected readonly seen = new Set<string>();
  protected readonly pending = new Map<string, A>();

  constructor(ctx: SearchContext<A>) {
    // A pool space is re-bound to this search's taken set, so that projection and mutation land on
    // unqueried pool members instead of colliding with what was already asked.
    this.space = ctx.space.withTaken ? ctx.space.withTaken((h) => this.isTaken(h)) : ctx.space;
    this.rng = new Rng(ctx.seed);
    this.feasible = ctx.feasible ?? (() => true);
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
    this.pending.set(this.space.hash(arch), arch);
    return arch;
  }

  /** A random unseen feasible architecture, or null when `tries` samples found none. */
  sampleFresh(tries = 2000): A | null {
    for (let t = 0; t < tries; t++) {
      const a = this.space.sample(this.rng);
      if (this.isFresh(a)) return a;
    }
    return null;
  }

  /** Up to n distinct random unseen feasible architectures (fewer when the space runs dry). */
  sampleFreshPool(n: number): A[] {
    const out: A[] = [];
    const hashes = new Set<string>();
    for (let tries = 0; out.length < n && tries < 3 * n; tries++) {
      const a = this.sampleFresh(50);
      if (a === null) break;
      const h = this.space.hash(a);
      if (!hashes.has(h)) {
        hashes.add(h);
        out.push(a);
      }
    }
    return out;
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
    this.history.push(obs);
    this.observe(obs);
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
