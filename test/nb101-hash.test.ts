/** MD5 and the NAS-Bench-101 graph hash: test vectors, invariance, distinctness. */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/autograd/random.js';
import { md5Hex, md5HexInto } from '../src/nas/spaces/nb101-md5.js';
import { nb101Hash, nb101HashMatrix, nb101Space, nb101Label, type Nb101Arch } from '../src/nas/spaces/nb101.js';

const space = nb101Space();

describe('md5', () => {
  it('matches the RFC 1321 test suite', () => {
    expect(md5Hex('')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(md5Hex('a')).toBe('0cc175b9c0f1b6a831c399e269772661');
    expect(md5Hex('abc')).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(md5Hex('message digest')).toBe('f96b697d7cb7938d525a2f31aaf161d0');
    expect(md5Hex('abcdefghijklmnopqrstuvwxyz')).toBe('c3fcd3d76192e4007dfb496cca67e13b');
    expect(md5Hex('12345678901234567890123456789012345678901234567890123456789012345678901234567890')).toBe('57edf4a22be3c955ac49da2e2107b67a');
  });

  it('agrees with a reference implementation at every length around the padding boundaries', () => {
    const rng = new Rng(1);
    const out = new Uint8Array(40).fill(120);
    for (let len = 0; len <= 300; len++) {
      const bytes = Uint8Array.from({ length: len }, () => rng.int(256));
      md5HexInto(bytes, len, out, 4);
      const ref = createHash('md5').update(bytes).digest('hex');
      expect(new TextDecoder().decode(out.subarray(4, 36)), `length ${len}`).toBe(ref);
      expect(out[3]).toBe(120); // nothing written outside [outAt, outAt + 32)
      expect(out[36]).toBe(120);
    }
  });
});

/** The spec with interior vertices renumbered by `perm` (perm[old] = new); vertex 0 and n−1 stay. */
function permute(a: Nb101Arch, perm: readonly number[]): { adj: number[]; labels: number[] } {
  const n = a.ops.length;
  const adj = new Array<number>(n * n).fill(0);
  const labels = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    labels[perm[i]!] = nb101Label(a.ops[i]!);
    for (let j = 0; j < n; j++) adj[perm[i]! * n + perm[j]!] = a.adjacency[i]![j]!;
  }
  return { adj, labels };
}

function flatOf(a: Nb101Arch): { adj: number[]; labels: number[] } {
  return permute(a, a.ops.map((_, i) => i));
}

/** Brute-force isomorphism over interior permutations (≤ 5! = 120). */
function isomorphic(a: Nb101Arch, b: Nb101Arch): boolean {
  const n = a.ops.length;
  if (b.ops.length !== n) return false;
  const target = flatOf(b);
  const interior = Array.from({ length: n - 2 }, (_, i) => i + 1);
  const perms = (xs: number[]): number[][] => (xs.length <= 1 ? [xs] : xs.flatMap((x, i) => perms([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p])));
  return perms(interior).some((p) => {
    const { adj, labels } = permute(a, [0, ...p, n - 1]);
    return adj.every((v, k) => v === target.adj[k]) && labels.every((v, k) => v === target.labels[k]);
  });
}

const cellArb = fc.integer({ min: 0, max: 2 ** 31 - 1 }).map((seed) => space.sample(new Rng(seed)));

describe('nb101 hash', () => {
  it('is invariant under any relabelling of the interior vertices', () => {
    fc.assert(
      fc.property(cellArb, fc.integer({ min: 0, max: 2 ** 31 - 1 }), (a, seed) => {
        const n = a.ops.length;
        const interior = new Rng(seed).shuffle(Array.from({ length: n - 2 }, (_, i) => i + 1));
        const { adj, labels } = permute(a, [0, ...interior, n - 1]);
        expect(nb101HashMatrix(n, adj, labels)).toBe(nb101Hash(a));
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('is equal exactly for isomorphic pruned cells (pairs of small random cells)', () => {
    // Small cells so that equal hashes happen often enough to test both directions.
    const small = fc.integer({ min: 0, max: 2 ** 31 - 1 }).map((seed) => {
      const rng = new Rng(seed);
      for (;;) {
        const a = space.sample(rng);
        if (a.ops.length <= 5) return a;
      }
    });
    let equal = 0;
    fc.assert(
      fc.property(small, small, (a, b) => {
        const same = nb101Hash(a) === nb101Hash(b);
        if (same) equal++;
        expect(same).toBe(isomorphic(a, b));
      }),
      { seed: 42, numRuns: 1500 },
    );
    expect(equal).toBeGreaterThan(5);
  });

  it('hashes the pruned cell: dangling vertices do not change it', () => {
    // 0→1, 0→2, 1→3; vertex 2 has no out-edge, so it is on no input → output path.
    const a = space.parse('0110000100000000|IAMO');
    const pruned = space.parse('010001000|IAO');
    expect(nb101Hash(a)).toBe(nb101Hash(pruned));
  });

  it('distinguishes input/output roles and op labels', () => {
    const chain = (op: string) => space.parse(`010001000|I${op}O`);
    expect(nb101Hash(chain('A'))).not.toBe(nb101Hash(chain('B')));
    expect(nb101Hash(chain('B'))).not.toBe(nb101Hash(chain('M')));
    expect(nb101Hash(space.parse('0100|IO'))).toMatch(/^[0-9a-f]{32}$/);
  });

  it('rejects invalid cells and mismatched raw inputs with clear errors', () => {
    expect(() => nb101Hash(space.parse('0000|IO'))).toThrow(/does not reach the output/);
    expect(() => nb101HashMatrix(3, [0, 1], [-1, 0, -2])).toThrow(/expected 9 matrix entries/);
    expect(() => nb101HashMatrix(8, new Array(64).fill(0), new Array(8).fill(0))).toThrow(/vertex count/);
  });
});
