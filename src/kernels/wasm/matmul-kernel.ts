/**
 * The wasm backend's matmul kernels, emitted as SIMD128 code by ./emit.ts.
 *
 * Float32 GEMM in the classic packed form: op(B) is packed into column panels of NR values per
 * depth step (zero-padded at the right edge) — or, when B is row-major and few rows reuse it,
 * read in place with its row stride — op(A) into row panels of MR values per depth step
 * (zero-padded at the bottom), and an MR×NR register tile of f32x4 accumulators sweeps the depth:
 * per step NR/4 vector loads of B, MR splat loads of A, MR·NR/4 multiplies and adds. Packing
 * turns every transpose variant into the same unit-stride walk (strides are arguments, in bytes),
 * so one micro-kernel serves op(A)·op(B) for all four combinations.
 *
 * Products are summed in ascending depth order in float32 (each lane is one output: no
 * reassociation across depth), so results are reproducible bit for bit. Wasm SIMD has no FMA in
 * the baseline proposal: every step is a rounded multiply then a rounded add.
 *
 * Exports (all arguments i32; pointers and strides in bytes):
 *   packB(b, sp, sj, dst, k, n)   op(B)[p, j] at b + p·sp + j·sj → ⌈n/NR⌉ panels of k·NR floats
 *   gemm(a, rs, ds, b, bj, bk, c, m, n, k, pa, edge)
 *                                  c (m×n, row-major) = op(A)·B; op(A)[i, p] at a + i·rs + p·ds;
 *                                  the NR columns from j at b + j·bj, one depth step further every
 *                                  bk bytes: packed panels (bj = 4k, bk = 4·NR) or, for a row-major
 *                                  B, B itself (bj = 4, bk = 4n; the right-edge panel then reads
 *                                  past the row into lanes that are discarded);
 *                                  pa: scratch of MR·k floats, edge: scratch of MR·NR floats
 */
import { Code, I32, V128, moduleBytes, type ExportedFn } from './emit.js';

export interface Tiling {
  /** Rows of the register tile. */
  mr: number;
  /** Columns of the register tile (a multiple of 4: one f32x4 per 4 columns). */
  nr: number;
}

/** 4×8: 8 accumulators + 2 B vectors + 1 splat = 11 of the 16 xmm registers V8 allocates on x64. */
export const DEFAULT_TILING: Tiling = { mr: 4, nr: 8 };

/** Zero `bytes` (a multiple of 16) from `ptr` with v128 stores; clobbers `ptr` and `end`. */
function zero(c: Code, ptr: number, bytes: () => void, end: number): void {
  c.get(ptr);
  bytes();
  c.add().set(end);
  c.block(() => c.loop(() => {
    c.get(ptr).get(end).geS().brIf(1);
    c.get(ptr).v128Zero().v128Store();
    c.get(ptr).i32(16).add().set(ptr).br(0);
  }));
}

function packB({ nr }: Tiling): Code {
  const [b, sp, sj, dst, k, n] = [0, 1, 2, 3, 4, 5];
  const c = new Code([I32, I32, I32, I32, I32, I32]);
  const j0 = c.local(I32), cols = c.local(I32), p = c.local(I32), src = c.local(I32), d = c.local(I32);
  const col = c.local(I32), end = c.local(I32);
  c.forLoop(j0, () => c.i32(0), () => c.get(n), nr, () => {
    // cols = min(nr, n − j0)
    c.i32(nr).get(n).get(j0).sub().tee(cols).i32(nr).get(cols).ltS().select().set(cols);
    c.get(cols).i32(nr).eq().get(sj).i32(4).eq().mul().if(() => {
      // Full panel of a row-major B: nr/4 vector copies per depth step.
      c.get(b).get(j0).i32(4).mul().add().set(src);
      c.get(dst).get(j0).get(k).mul().i32(4).mul().add().set(d);
      c.forLoop(p, () => c.i32(0), () => c.get(k), 1, () => {
        for (let q = 0; q < nr / 4; q++) c.get(d).get(src).v128Load(16 * q, 0).v128Store(16 * q, 0);
        c.get(src).get(sp).add().set(src);
        c.get(d).i32(nr * 4).add().set(d);
      });
    }, () => {
      // Transposed B or the right-edge panel: zero-pad, then copy column by column. The padded
      // lanes land only in discarded outputs; zeros (not stale memory) keep denormals and NaNs,
      // which are slow or noisy, out of the arithmetic.
      c.get(dst).get(j0).get(k).mul().i32(4).mul().add().set(d);
      c.get(cols).i32(nr).ltS().if(() => zero(c, d, () => c.get(k).i32(nr * 4).mul(), end));
      c.forLoop(col, () => c.i32(0), () => c.get(cols), 1, () => {
        c.get(b).get(j0).get(col).add().get(sj).mul().add().set(src);
        c.get(dst).get(j0).get(k).mul().get(col).add().i32(4).mul().add().set(d);
        c.forLoop(p, () => c.i32(0), () => c.get(k), 1, () => {
          c.get(d).get(src).f32Load().f32Store();
          c.get(src).get(sp).add().set(src);
          c.get(d).i32(nr * 4).add().set(d);
        });
      });
    });
  });
  return c;
}

function packA({ mr }: Tiling): Code {
  // op(A) rows i0..i0+rows−1 starting at a → dst[p·mr + r], rows ≥ `rows` zero.
  const [a, rs, ds, dst, rows, k] = [0, 1, 2, 3, 4, 5];
  const c = new Code([I32, I32, I32, I32, I32, I32]);
  const p = c.local(I32), r = c.local(I32), src = c.local(I32), d = c.local(I32), end = c.local(I32);
  c.get(rows).i32(mr).ltS().if(() => {
    c.get(dst).set(d);
    zero(c, d, () => c.get(k).i32(mr * 4).mul().i32(15).add().i32(-16).and(), end);
  });
  const contiguous = mr === 4;
  c.get(rows).i32(mr).eq().get(rs).i32(4).eq().mul().i32(contiguous ? 1 : 0).mul().if(() => {
    // Transposed A, full panel: the 4 values of one depth step are contiguous.
    c.get(a).set(src);
    c.get(dst).set(d);
    c.forLoop(p, () => c.i32(0), () => c.get(k), 1, () => {
      c.get(d).get(src).v128Load(0, 0).v128Store(0, 2);
      c.get(src).get(ds).add().set(src);
      c.get(d).i32(mr * 4).add().set(d);
    });
  }, () => {
    c.forLoop(r, () => c.i32(0), () => c.get(rows), 1, () => {
      c.get(a).get(r).get(rs).mul().add().set(src);
      c.get(dst).get(r).i32(4).mul().add().set(d);
      c.forLoop(p, () => c.i32(0), () => c.get(k), 1, () => {
        c.get(d).get(src).f32Load().f32Store();
        c.get(src).get(ds).add().set(src);
        c.get(d).i32(mr * 4).add().set(d);
      });
    });
  });
  return c;
}

function gemm({ mr, nr }: Tiling, packAIndex: number): Code {
  const [a, rs, ds, pb, bj, bk, cp, m, n, k, pa, edge] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const c = new Code([I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32]);
  const i0 = c.local(I32), j0 = c.local(I32), rows = c.local(I32), cols = c.local(I32), p = c.local(I32);
  const ap = c.local(I32), bp = c.local(I32), out = c.local(I32), r = c.local(I32), q = c.local(I32);
  const nv = nr / 4;
  const acc: number[][] = [];
  for (let x = 0; x < mr; x++) acc.push(Array.from({ length: nv }, () => c.local(V128)));
  const bv = Array.from({ length: nv }, () => c.local(V128));
  const av = c.local(V128);

  c.forLoop(i0, () => c.i32(0), () => c.get(m), mr, () => {
    c.i32(mr).get(m).get(i0).sub().tee(rows).i32(mr).get(rows).ltS().select().set(rows);
    c.get(a).get(i0).get(rs).mul().add().get(rs).get(ds).get(pa).get(rows).get(k).call(packAIndex);
    c.forLoop(j0, () => c.i32(0), () => c.get(n), nr, () => {
      c.i32(nr).get(n).get(j0).sub().tee(cols).i32(nr).get(cols).ltS().select().set(cols);
      for (const row of acc) for (const x of row) c.v128Zero().set(x);
      c.get(pa).set(ap);
      c.get(pb).get(j0).get(bj).mul().add().set(bp);
      c.get(k).set(p);
      c.loop(() => {
        for (let x = 0; x < nv; x++) c.get(bp).v128Load(16 * x, 0).set(bv[x]!);
        for (let y = 0; y < mr; y++) {
          c.get(ap).load32Splat(4 * y).set(av);
          for (let x = 0; x < nv; x++) c.get(acc[y]![x]!).get(av).get(bv[x]!).f32x4Mul().f32x4Add().set(acc[y]![x]!);
        }
        c.get(ap).i32(mr * 4).add().set(ap);
        c.get(bp).get(bk).add().set(bp);
        c.get(p).i32(1).sub().tee(p).brIf(0);
      });
      // out = c + (i0·n + j0)·4
      c.get(cp).get(i0).get(n).mul().get(j0).add().i32(4).mul().add().set(out);
      c.get(rows).i32(mr).eq().get(cols).i32(nr).eq().mul().if(() => {
        for (let y = 0; y < mr; y++) {
          for (let x = 0; x < nv; x++) c.get(out).get(acc[y]![x]!).v128Store(16 * x, 2);
          if (y < mr - 1) c.get(out).get(n).i32(4).mul().add().set(out);
        }
      }, () => {
        // Edge tile: spill to scratch, copy the rows×cols that exist.
        for (let y = 0; y < mr; y++) for (let x = 0; x < nv; x++) c.get(edge).get(acc[y]![x]!).v128Store(16 * (y * nv + x), 2);
        c.forLoop(r, () => c.i32(0), () => c.get(rows), 1, () => {
          c.forLoop(q, () => c.i32(0), () => c.get(cols), 1, () => {
            c.get(out).get(r).get(n).mul().get(q).add().i32(4).mul().add();
            c.get(edge).get(r).i32(nr).mul().get(q).add().i32(4).mul().add().f32Load();
            c.f32Store();
          });
        });
      });
    });
  });
  return c;
}

/** The matmul functions for a tiling; they must be the module's first three (gemm calls index 1). */
export function matmulFunctions(tiling: Tiling = DEFAULT_TILING): ExportedFn[] {
  if (tiling.nr % 4 !== 0 || tiling.nr < 4 || tiling.mr < 1) throw new Error(`matmul tiling: nr must be a positive multiple of 4 and mr ≥ 1 (got ${tiling.mr}×${tiling.nr})`);
  return [
    { name: 'packB', code: packB(tiling) },
    { name: 'packA', code: packA(tiling) },
    { name: 'gemm', code: gemm(tiling, 1) },
  ];
}

/** A module of the matmul functions alone (functions: 0 packB, 1 packA, 2 gemm). */
export function matmulModuleBytes(tiling: Tiling = DEFAULT_TILING): Uint8Array<ArrayBuffer> {
  return moduleBytes(matmulFunctions(tiling));
}
