/** Pool support: the nearest-neighbour index against brute force, and the pool-restricted space. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/autograd/random.js';
import { PoolIndex, poolSpace } from '../src/nas/benchmarks/pool.js';
import type { SearchSpace } from '../src/nas/space.js';
import { nb101Space, type Nb101Arch } from '../src/nas/spaces/nb101.js';
import { distinctCells } from './nb101-fixtures.js';

/** A stand-in space whose architectures are their own encodings (enough for PoolIndex). */
function vectorSpace(dim: number): SearchSpace<number[]> {
  return { name: 'vec', flatDim: dim, hash: (a: number[]) => a.join(','), encode: (a: number[]) => ({ flat: Float32Array.from(a) }) } as unknown as SearchSpace<number[]>;
}

/** Brute force: smallest squared distance (in float32 encodings), lowest index on ties, skipping `skip`. */
function bruteNearest(pool: number[][], q: ArrayLike<number>, skip: Set<number>): number {
  let best = -1, bestD = Infinity;
  pool.forEach((p, i) => {
    if (skip.has(i)) return;
    let d = 0;
    p.forEach((v, k) => (d += (Math.fround(v) - Math.fround(q[k]!)) ** 2));
    if (d < bestD - 1e-9) {
      bestD = d;
      best = i;
    }
  });
  return best;
}

describe('PoolIndex', () => {
  for (const binary of [true, false]) {
    it(`finds the nearest member exactly like brute force (${binary ? '0/1' : 'real'} pool, dim 37)`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
          const rng = new Rng(seed);
          const dim = 37;
          const rows = new Map<string, number[]>();
          while (rows.size < 300) {
            const r = Array.from({ length: dim }, () => (binary ? (rng.next() < 0.3 ? 1 : 0) : Math.round(4 * rng.normal()) / 4));
            rows.set(r.join(','), r);
          }
          const pool = [...rows.values()];
          const index = new PoolIndex(vectorSpace(dim), pool);
          const skipRows = new Set(Array.from({ length: 20 }, () => rng.int(pool.length)));
          const excluded = new Set([...skipRows].map((i) => pool[i]!.join(',')).concat(['not-a-member']));
          const queries = Array.from({ length: 20 }, (_, q) =>
            q % 2 === 0 ? pool[rng.int(pool.length)]!.map((v) => (binary ? 1 - v : v + 0.1)) : Array.from({ length: dim }, () => rng.next()),
          );
          const got = index.nearestUnqueried(queries, excluded);
          queries.forEach((q, k) => expect(got[k]).toBe(bruteNearest(pool, q, skipRows)));
          // A member is its own nearest when not excluded.
          expect(index.nearest(Float32Array.from(pool[7]!))).toBe(7);
        }),
        { seed: 42, numRuns: 15 },
      );
    });
  }

  it('breaks ties by the lowest index, returns −1 when everything is excluded, and checks inputs', () => {
    const pool = [[1, 0], [0, 1], [0, 0]];
    const index = new PoolIndex(vectorSpace(2), pool);
    expect(index.nearest([0.5, 0.5])).toBe(0); // all three at squared distance 0.5: the lowest index wins
    expect(index.nearestUnqueried([[1, 1]], new Set(['1,0']))[0]).toBe(1);
    expect(index.nearestUnqueried([[1, 1]], new Set(pool.map((p) => p.join(','))))[0]).toBe(-1);
    expect(() => index.nearest([1, 0, 0])).toThrow(/3 values, expected 2/);
    expect(() => new PoolIndex(vectorSpace(2), [[1, 0], [1, 0]])).toThrow(/members 0 and 1 are the same architecture/);
    expect(() => new PoolIndex(vectorSpace(2), [])).toThrow(/at least one/);
    expect(() => new PoolIndex(vectorSpace(2), [[1, 0]], ['a', 'b'])).toThrow(/2 hashes for 1 members/);
  });
});

describe('PoolSpace over NB-101 cells', () => {
  const cells = distinctCells(400, 11);
  const members = cells.map((c) => c.arch);
  const base = nb101Space();
  const pool = poolSpace(base, members, { hashes: cells.map((c) => c.hash) });
  const memberHashes = new Set(cells.map((c) => c.hash));
  const isMember = (a: Nb101Arch) => memberHashes.has(base.hash(a));

  it('is labelled as a pool and samples only members', () => {
    expect(pool.name).toBe('nb101-pool');
    expect(pool.flatDim).toBe(36);
    const rng = new Rng(1);
    for (let i = 0; i < 100; i++) expect(isMember(pool.sample(rng))).toBe(true);
    expect([...pool.enumerate()]).toHaveLength(400);
  });

  it('projects members to themselves and any logits to a member; skips taken members', () => {
    for (const m of members.slice(0, 50)) {
      const p = pool.project(base.logits(m));
      expect(p.ok && p.arch).toBe(m);
    }
    const rng = new Rng(2);
    for (let i = 0; i < 100; i++) {
      const p = pool.project(Float64Array.from({ length: 36 }, () => 2 * rng.normal()));
      expect(p.ok && isMember(p.arch)).toBe(true);
    }
    const taken = new Set([base.hash(members[0]!)]);
    const view = pool.withTaken((h) => taken.has(h));
    const q = view.project(base.logits(members[0]!));
    expect(q.ok && q.arch).not.toBe(members[0]);
    expect(q.ok && isMember(q.arch)).toBe(true);
    const all = pool.withTaken(() => true);
    expect(all.project(base.logits(members[0]!))).toMatchObject({ ok: false, reason: expect.stringMatching(/every one of the 400 pool members is taken/) });
    expect(pool.project(new Float64Array(3))).toMatchObject({ ok: false });
  });

  it('mutates and neighbours into other members only; validity means membership', () => {
    const rng = new Rng(3);
    for (const m of members.slice(0, 30)) {
      const c = pool.mutate(m, rng);
      expect(isMember(c)).toBe(true);
      expect(base.hash(c)).not.toBe(base.hash(m));
      const ns = pool.neighbours(m);
      expect(ns.length).toBeGreaterThan(0);
      for (const n of ns) {
        expect(isMember(n)).toBe(true);
        expect(base.hash(n)).not.toBe(base.hash(m));
      }
    }
    const outsider = distinctCells(1000, 99).map((c) => c.arch).find((a) => !isMember(a))!;
    expect(base.isValid(outsider)).toBe(true);
    expect(pool.isValid(outsider)).toBe(false);
    expect(pool.isValid(members[5]!)).toBe(true);
    expect(() => pool.withTaken(() => true).mutate(members[0]!, rng)).toThrow(/no pool member is left/);
  });
});
