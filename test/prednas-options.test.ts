import { describe, expect, it } from 'vitest';
import { Rng } from '../src/autograd/index.js';
import { nb201Space, type Nb201Arch } from '../src/nas/spaces/nb201.js';
import { PredNas, type PredNasOptions } from '../src/nas/search/prednas.js';
import { WenSearch } from '../src/nas/search/wen.js';

const space = nb201Space();
const fast = { predictor: { epochs: 20, hidden: 8, layers: 1, ensemble: 1 }, steps: 15 };

/** One round's candidate set after 12 random evaluations of an additive objective. */
function roundCandidates(opts: PredNasOptions): { cands: Nb201Arch[]; search: PredNas<Nb201Arch> } {
  const search = new PredNas({ space, seed: 3 }, { ...fast, ...opts });
  const rng = new Rng(9);
  while (search.history.length < 12) {
    const a = space.sample(rng);
    if (search.isFresh(a)) search.tell(a, a.reduce((s, op, e) => s + ((op * (e + 1)) % 5), 0));
  }
  search.predictor.fit(search.history.map((o) => o.arch), search.history.map((o) => o.val));
  const cands = (search as unknown as { candidates(): Nb201Arch[] }).candidates();
  return { cands, search };
}

describe('neighbourCandidates (PredNAS and the Wen control)', () => {
  it('adds exactly the fresh neighbours of the n best evaluated cells, once each, after the own candidates', () => {
    const { search } = roundCandidates({ neighbourCandidates: 2, neighbourSwaps: false });
    const own = [space.sample(new Rng(1))].filter((a) => search.isFresh(a));
    const cands = (search as unknown as { withNeighbours(c: Nb201Arch[]): Nb201Arch[] }).withNeighbours([...own]);
    const best = [...search.history].sort((a, b) => b.val - a.val).slice(0, 2);
    const expected = new Set([...own, ...best.flatMap((o) => space.neighbours(o.arch))].filter((a) => search.isFresh(a)).map((a) => space.hash(a)));
    expect(cands.slice(0, own.length)).toEqual(own);
    expect(new Set(cands.map((a) => space.hash(a)))).toEqual(expected);
    expect(cands.length).toBe(expected.size);
    // Taking a neighbour out of play removes it from the next offer.
    search.tell(cands[cands.length - 1]!, -1);
    const again = (search as unknown as { withNeighbours(c: Nb201Arch[]): Nb201Arch[] }).withNeighbours([]);
    expect(again.some((a) => space.hash(a) === space.hash(cands[cands.length - 1]!))).toBe(false);
  });

  it('neighbourRadius 2 offers exactly the fresh cells within two edits of the best, walking through taken ones', () => {
    const { search } = roundCandidates({ neighbourRadius: 2, neighbourSwaps: false });
    const best = [...search.history].sort((a, b) => b.val - a.val)[0]!.arch;
    // Take a one-edit neighbour out of play: the cells behind it must still be offered.
    search.tell(space.neighbours(best)[0]!, -1);
    const cands = (search as unknown as { withNeighbours(c: Nb201Arch[]): Nb201Arch[] }).withNeighbours([]);
    const edits = (a: Nb201Arch) => a.reduce((d, op, e) => d + (op === best[e] ? 0 : 1), 0);
    const expected = new Set([...space.enumerate!()].filter((a) => edits(a) >= 1 && edits(a) <= 2 && search.isFresh(a)).map((a) => space.hash(a)));
    expect(expected.size).toBeGreaterThan(250); // 24 one-edit + 240 two-edit cells, minus the taken
    expect(cands.length).toBe(expected.size);
    expect(new Set(cands.map((a) => space.hash(a)))).toEqual(expected);
    expect(new PredNas({ space, seed: 0 }, fast).neighbourRadius).toBe(1);
    expect(new WenSearch({ space, seed: 0 }).neighbourSwaps).toBe(true);
    expect(() => new WenSearch({ space, seed: 0 }, { neighbourRadius: 0 })).toThrow(/WenSearch: neighbourRadius must be an integer >= 1, got 0/);
  });

  it('neighbourSwaps (default on) adds the best cell\'s fresh swaps, which keep its ops and FLOPs', () => {
    const plain = roundCandidates({ neighbourSwaps: false }).search;
    const { search } = roundCandidates({});
    const wn = (s: PredNas<Nb201Arch>) => (s as unknown as { withNeighbours(c: Nb201Arch[]): Nb201Arch[] }).withNeighbours([]);
    const best = [...search.history].sort((a, b) => b.val - a.val)[0]!.arch;
    const swaps = space.swaps!(best);
    expect(new Set(best).size).toBeGreaterThan(1); // else there is nothing to swap and the test proves nothing
    for (const s of swaps) {
      expect([...s].sort()).toEqual([...best].sort());
      expect(s.filter((op, e) => op !== best[e]).length).toBe(2);
      expect(space.cost!(s).flops).toBeCloseTo(space.cost!(best).flops!, 9);
    }
    // Six edges: 15 pairs, minus the pairs holding the same op.
    expect(swaps.length).toBe(15 - [...new Set(best)].reduce((n, op) => { const k = best.filter((x) => x === op).length; return n + (k * (k - 1)) / 2; }, 0));
    expect(new Set(swaps.map((a) => space.hash(a))).size).toBe(swaps.length);
    const got = new Set(wn(search).map((a) => space.hash(a)));
    const want = new Set([...wn(plain), ...swaps.filter((a) => search.isFresh(a))].map((a) => space.hash(a)));
    expect(got).toEqual(want);
  });

  it('defaults to the best cell\'s neighbours for both algorithms, 0 turns it off, a bad count is refused', () => {
    expect(new PredNas({ space, seed: 0 }, fast).neighbourCandidates).toBe(1);
    expect(new WenSearch({ space, seed: 0 }).neighbourCandidates).toBe(1);
    const { search } = roundCandidates({ neighbourCandidates: 0 });
    expect((search as unknown as { withNeighbours(c: Nb201Arch[]): Nb201Arch[] }).withNeighbours([])).toEqual([]);
    expect(() => new PredNas({ space, seed: 0 }, { ...fast, neighbourCandidates: -1 })).toThrow(/neighbourCandidates must be an integer >= 0, got -1/);
    expect(() => new WenSearch({ space, seed: 0 }, { neighbourCandidates: 1.5 })).toThrow(/WenSearch: neighbourCandidates must be an integer >= 0, got 1.5/);
  });
});

describe('swapRepair', () => {
  type Wn = { withNeighbours(c: Nb201Arch[]): Nb201Arch[] };
  const hashes = (xs: Nb201Arch[]) => new Set(xs.map((a) => space.hash(a)));
  // A position-dependent budget (like a measured latency): a 3×3 conv may not sit on edge 0, so
  // some swaps of the best cell break it while the cell itself fits.
  const feasible = (a: Nb201Arch) => a[0] !== 3;
  const BEST: Nb201Arch = [1, 3, 2, 3, 4, 0];
  function searchWith(opts: PredNasOptions): PredNas<Nb201Arch> {
    const search = new PredNas({ space, seed: 3, feasible }, { ...fast, ...opts });
    search.tell(BEST, 100);
    const rng = new Rng(9);
    while (search.history.length < 12) {
      const a = space.sample(rng);
      if (search.isFresh(a)) search.tell(a, a.reduce((s, op, e) => s + ((op * (e + 1)) % 5), 0));
    }
    return search;
  }

  it('swapRepair offers the fresh feasible neighbours of each swap that breaks the constraint, and nothing else new', () => {
    // swapRepair is on by default, so the plain search turns it off explicitly.
    const plain = searchWith({ swapRepair: false }), repair = searchWith({});
    expect(repair.swapRepair).toBe(true);
    const broken = space.swaps!(BEST).filter((s) => !feasible(s));
    expect(broken.length).toBe(2); // the two 3×3 convs, each swapped onto edge 0
    const repairs = broken.flatMap((s) => space.neighbours(s)).filter((a) => repair.isFresh(a));
    const without = (plain as unknown as Wn).withNeighbours([]);
    // Only the repairs that the best cell's own neighbours do not already offer are new.
    const fresh = repairs.filter((a) => !hashes(without).has(space.hash(a)));
    expect(fresh.length).toBeGreaterThan(0);
    const want = hashes([...without, ...repairs]);
    const got = (repair as unknown as Wn).withNeighbours([]);
    expect(hashes(got)).toEqual(want);
    expect(got.length).toBe(want.size); // each cell once
    expect(got.every((a) => feasible(a))).toBe(true);
    // Unconstrained, every swap is feasible and the option changes nothing.
    const free = (f: boolean) => {
      const s = new PredNas({ space, seed: 3 }, { ...fast, swapRepair: f });
      s.tell(BEST, 100);
      return (s as unknown as Wn).withNeighbours([]);
    };
    expect(free(true)).toEqual(free(false));
  });

});

describe('ucbKappa', () => {
  it('ranks by ensemble mean + κ·std (a lower bound, κ = −1, by default; the mean at κ = 0) and refuses a bad κ', () => {
    const acq = (s: PredNas<Nb201Arch>, c: Nb201Arch[]) => (s as unknown as { acquisition(c: Nb201Arch[]): Float64Array }).acquisition(c);
    const ens = { ...fast, predictor: { ...fast.predictor, ensemble: 3 } };
    const { search } = roundCandidates({ ...ens, ucbKappa: 2 });
    const rng = new Rng(5);
    const cands = Array.from({ length: 40 }, () => space.sample(rng));
    const { mean, std } = search.predictor.predict(cands);
    expect(Array.from(acq(search, cands))).toEqual(Array.from(mean, (m, i) => m + 2 * std[i]!));
    expect(std.some((s) => s > 0)).toBe(true);
    const plain = roundCandidates({ ...ens, ucbKappa: 0 }).search;
    expect(Array.from(acq(plain, cands))).toEqual(Array.from(plain.predictor.predict(cands).mean));
    const byDefault = roundCandidates(ens).search;
    expect(byDefault.ucbKappa).toBe(-1);
    const p = byDefault.predictor.predict(cands);
    expect(Array.from(acq(byDefault, cands))).toEqual(Array.from(p.mean, (m, i) => m - p.std[i]!));
    expect(() => new PredNas({ space, seed: 0 }, { ...fast, ucbKappa: Number.NaN })).toThrow(/ucbKappa must be a finite number, got NaN/);
  });
});
