import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkGrads, mul, sum, tensor } from '../src/autograd/index.js';
import { Rng } from '../src/autograd/random.js';
import { loadBenchmark } from '../src/io/benchmarks.js';
import { nb201Parse, nb201Space, type Nb201Arch } from '../src/nas/spaces/nb201.js';
import { NB201_PATH_DIM, NB201_PATHS } from '../src/nas/spaces/nb201-paths.js';

const paths = nb201Space({ encoding: 'paths' });
const archArb = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 6, maxLength: 6 });

/** Reference: the live paths of a cell, spelled as op-name sequences (independent of the layout). */
function livePaths(arch: Nb201Arch): string[] {
  return NB201_PATHS.filter((p) => p.every((e) => arch[e] !== 0)).map((p) => p.map((e) => arch[e]).join('>'));
}
/** Decode the path block of a flat encoding back into op sequences, from the documented layout. */
function decodePaths(flat: ArrayLike<number>): string[] {
  const out: string[] = [];
  let base = 30;
  for (const p of NB201_PATHS) {
    const n = 4 ** p.length;
    for (let i = 0; i < n; i++) {
      if (flat[base + i] === 1) {
        const ops: number[] = [];
        for (let k = p.length - 1, r = i; k >= 0; k--, r = Math.floor(r / 4)) ops[k] = (r % 4) + 1;
        out.push(ops.join('>'));
      } else expect(flat[base + i]).toBe(0);
    }
    base += n;
  }
  return out;
}

describe('nb201 path encoding', () => {
  it('has 100 path features after the 30-d one-hot; the one-hot part is unchanged', () => {
    expect(NB201_PATH_DIM).toBe(100);
    expect(paths.flatDim).toBe(130);
    expect(nb201Space().flatDim).toBe(30);
    const a = nb201Parse('|nor_conv_3x3~0|+|nor_conv_1x1~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_1x1~1|nor_conv_3x3~2|');
    expect(Array.from(paths.encode(a).flat.slice(0, 30))).toEqual(Array.from(nb201Space().encode(a).flat));
  });

  it('marks exactly the live paths with their ops (property)', () => {
    fc.assert(
      fc.property(archArb, (arch) => {
        expect(decodePaths(paths.encode(arch).flat).sort()).toEqual(livePaths(arch).sort());
      }),
    );
  });

  it('a none silences every path through its edge: a cell that only cuts dead paths encodes the same', () => {
    // Edge 1→2 (edge 2) carries none in both, so edge 0→1's op only matters through edge 1→3 (edge 4);
    // with edge 4 = none too, edge 0's op changes nothing the network computes, nor its path block.
    const a = nb201Parse('|nor_conv_3x3~0|+|skip_connect~0|none~1|+|skip_connect~0|none~1|nor_conv_1x1~2|');
    const b = nb201Parse('|avg_pool_3x3~0|+|skip_connect~0|none~1|+|skip_connect~0|none~1|nor_conv_1x1~2|');
    expect(Array.from(paths.encode(a).flat.slice(30))).toEqual(Array.from(paths.encode(b).flat.slice(30)));
    expect(decodePaths(paths.encode(a).flat).sort()).toEqual(['1', '1>2']);
    expect(decodePaths(paths.encode(nb201Parse('|none~0|+|none~0|none~1|+|none~0|none~1|none~2|')).flat)).toEqual([]);
  });

  it('relax at sharp logits tends to the discrete encoding; at uniform logits each path block is its mean', () => {
    const rng = new Rng(4);
    const archs = [paths.sample(rng), paths.sample(rng), paths.sample(rng)];
    const z = tensor(archs.flatMap((a) => Array.from(paths.logits(a, 40))), [3, 30], { dtype: 'float64' });
    const r = paths.relax(z);
    expect(r.flat.shape).toEqual([3, 130]);
    const flat = r.flat.toArray();
    archs.forEach((a, b) => {
      const want = paths.encode(a).flat;
      for (let i = 0; i < 130; i++) expect(flat[b * 130 + i]).toBeCloseTo(want[i]!, 12);
    });
    const u = paths.relax(tensor(new Float64Array(30), [1, 30], { dtype: 'float64' })).flat.toArray();
    let base = 30;
    for (const p of NB201_PATHS) {
      // Every edge live-op probability is 1/5, so each of the 4^L features is (1/5)^L.
      for (let i = 0; i < 4 ** p.length; i++) expect(u[base + i]).toBeCloseTo(0.2 ** p.length, 14);
      base += 4 ** p.length;
    }
  });

  it('relaxed paths are differentiable (finite differences, Float64)', () => {
    const rng = new Rng(12);
    const z = tensor(Array.from({ length: 60 }, () => rng.normal()), [2, 30], { dtype: 'float64' });
    const v = tensor(Array.from({ length: 260 }, () => rng.normal()), [2, 130], { dtype: 'float64' });
    const report = checkGrads((x) => sum(mul(paths.relax(x, { tau: 0.8 }).flat, v)), [z], { seed: 7 });
    expect(report.mismatches).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('rejects an unknown encoding by name, and --encoding on a space without a choice', () => {
    expect(() => nb201Space({ encoding: 'path' as 'paths' })).toThrow("nb201: encoding must be one of onehot, paths, got 'path'");
    // Both checks come before any table is read, so they need no data directory.
    expect(() => loadBenchmark({ space: 'nb201', encoding: 'path', dataDir: '/nonexistent' })).toThrow("--encoding: nb201: encoding must be one of onehot, paths, got 'path'");
    expect(() => loadBenchmark({ space: 'nbmacro', encoding: 'paths', dataDir: '/nonexistent' })).toThrow("--encoding: only nb201 offers a choice of encodings, got --encoding paths with space 'nbmacro'");
  });
});
