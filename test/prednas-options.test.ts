import { describe, expect, it } from 'vitest';
import { Rng } from '../src/autograd/index.js';
import { nb201Space, type Nb201Arch } from '../src/nas/spaces/nb201.js';
import { PredNas, type PredNasOptions } from '../src/nas/search/prednas.js';

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

describe('PredNAS pool options', () => {
  it('poolCandidates offers the ascent paths and the whole pool, all fresh and distinct', () => {
    const plain = roundCandidates({}).cands;
    const { cands, search } = roundCandidates({ pool: 200, poolCandidates: true });
    expect(plain.length).toBeLessThan(200);
    expect(cands.length).toBeGreaterThanOrEqual(200);
    expect(new Set(cands.map((a) => space.hash(a))).size).toBe(cands.length);
    for (const a of cands) expect(search.isFresh(a)).toBe(true);
  });

  it('pool starts add ascent paths without offering the pool itself', () => {
    const { cands, search } = roundCandidates({ pool: 200, poolStarts: 10 });
    expect(cands.length).toBeGreaterThan(roundCandidates({}).cands.length);
    expect(cands.length).toBeLessThan(200);
    expect(search.pathCandidates).toEqual([cands.length]);
  });
});
