/**
 * A generic cell spec with NAS-Bench-101's limits and ops (in its order) is the nb101 space: same
 * hashes (the benchmark's identities), encodings, logits, relaxations, samples, mutations,
 * neighbours and projections.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/autograd/random.js';
import { tensor } from '../src/autograd/index.js';
import { NB101_OPS, nb101Hash, nb101Parse, nb101Space } from '../src/nas/spaces/nb101.js';
import { CellSpace, type CellArch } from '../src/nas/spaces/cell.js';
import { specSpace } from '../src/nas/spaces/spec.js';

const nb101 = nb101Space();
const built = specSpace(JSON.stringify({ name: 'nb101-cell', cell: { maxNodes: 7, ops: NB101_OPS, maxEdges: 9 } }));
if (!(built instanceof CellSpace)) throw new Error('a cell-only spec must build a CellSpace');
const cell: CellSpace = built;
const seedArb = fc.integer({ min: 0, max: 2 ** 31 - 1 });

describe('a 7-vertex, 3-op, 9-edge cell spec reproduces NAS-Bench-101', () => {
  it('hashes NAS-Bench-101 cells to the benchmark identity nb101Hash gives them', () => {
    const cells = [
      '0100|IO',
      '010001000|IAO',
      '010001000|IMO',
      '0110000100010000|IABO', // 0→1, 0→2, 1→3, 2→3
      `${['0111100', '0000010', '0000010', '0000001', '0000001', '0000001', '0000000'].join('')}|IAAMBBO`, // 9 edges
      `${['0110000', '0001000', '0000001', '0000001', '0000010', '0000000', '0000000'].join('')}|IABMABO`, // 4 → 5 dangles: pruned before hashing
    ];
    for (const s of cells) {
      const a = nb101Parse(s);
      expect(cell.isValid(a)).toBe(true);
      expect(cell.hash(a)).toBe(nb101Hash(a));
    }
  });

  it('agrees on hashes, encodings, logits and printing of sampled cells; samples are the same cells', () => {
    fc.assert(
      fc.property(seedArb, (seed) => {
        const a = nb101.sample(new Rng(seed));
        const b: CellArch = cell.sample(new Rng(seed));
        expect(b).toEqual(a);
        expect(cell.hash(a)).toBe(nb101.hash(a));
        const ea = nb101.encode(a), eb = cell.encode(a);
        expect(eb.flat).toEqual(ea.flat);
        expect(eb.graph).toEqual(ea.graph);
        expect(cell.logits(a, 2.5)).toEqual(nb101.logits(a, 2.5));
        expect(cell.toString(a)).toBe(`${a.adjacency.map((r) => r.join('')).join('')}|${a.ops.slice(1, -1).join(',')}`);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('agrees on projections of random logits and on relaxations', () => {
    fc.assert(
      fc.property(seedArb, fc.double({ min: -2, max: 2, noNaN: true }), (seed, bias) => {
        const rng = new Rng(seed);
        const z = Float64Array.from({ length: 36 }, () => bias + 2 * rng.normal());
        const p = nb101.project(z), q = cell.project(z);
        expect(p.ok && q.ok).toBe(true);
        if (p.ok && q.ok) expect(cell.hash(q.arch)).toBe(nb101.hash(p.arch));
        const t = tensor(z, [1, 36], { dtype: 'float64' });
        const ra = nb101.relax(t, { tau: 0.6 }), rb = cell.relax(t, { tau: 0.6 });
        for (const k of ['flat', 'adj', 'nodes'] as const) {
          const xa = ra[k]!.toArray(), xb = rb[k]!.toArray();
          xb.forEach((v, i) => expect(v).toBeCloseTo(xa[i]!, 12));
        }
      }),
      { seed: 42, numRuns: 150 },
    );
  });

  it('agrees on mutations (same random stream) and on the set of neighbours', () => {
    fc.assert(
      fc.property(seedArb, (seed) => {
        const a = nb101.sample(new Rng(seed));
        expect(cell.hash(cell.mutate(a, new Rng(seed + 7)))).toBe(nb101.hash(nb101.mutate(a, new Rng(seed + 7))));
        const hashes = (xs: readonly CellArch[]) => new Set(xs.map((x) => nb101Hash(nb101Parse(nb101.toString(x as never)))));
        expect(hashes(cell.neighbours(a))).toEqual(hashes(nb101.neighbours(a)));
      }),
      { seed: 42, numRuns: 30 },
    );
  });
});
