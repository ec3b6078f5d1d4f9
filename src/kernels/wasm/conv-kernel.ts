/**
 * The convolutions' data-movement kernels on the wasm backend, emitted by ./emit.ts: im2col,
 * col2im and the [A, B, P] → [B, A, P] permute of src/kernels/conv.ts, in linear memory, so that a
 * convolution copies x and w in and y out once and its columns never pass through JS. They move
 * the same values to the same places as the JS loops (col2im adds in the same order, one float32
 * addition per tap, which is what `dx[i] += c` rounds to in a Float32Array), so results are equal
 * bit for bit (test/kernels-wasm-conv.test.ts).
 *
 * Exports (pointers in bytes):
 *   im2col(x, cols, geo)    cols ([C·kh·kw][N·OH·OW], channel-major) from x (NCHW)
 *   col2im(cols, dx, geo)   dx = 0, then dx[tap] += cols[...] in the JS loop order
 *   swap01(x, out, A, B, p) out[b, a, :] = x[a, b, :], p bytes per chunk
 * `geo` points at GEO_INTS i32s (N, C, H, W, kh, kw, sh, sw, ph, dh, OH, OW), then one triple per
 * kernel column kx: (kx·dw − pw, first and one-past-last output column whose tap is inside the
 * row), computed in JS (conv.ts's validRange), which keeps signed ceiling divisions out of the code.
 *
 * Writes go in ascending address order and some are whole vectors that run up to 12 bytes past the
 * row being written: the next row overwrites them, and callers leave 16 bytes of slack after every
 * output region (reads likewise run up to 12 bytes past an input, into slack).
 */
import { Code, I32, V128, type ExportedFn } from './emit.js';

/** i32 fields before the per-kx triples. */
export const GEO_INTS = 12;

/** Load the geometry into fresh locals: [N, C, H, W, kh, kw, sh, sw, ph, dh, OH, OW]. */
function loadGeo(c: Code, geo: number): number[] {
  return Array.from({ length: GEO_INTS }, (_, i) => {
    const l = c.local(I32);
    c.get(geo).i32Load(4 * i).set(l);
    return l;
  });
}

/**
 * The loops shared by im2col and col2im: over (c, ky, kx, n, oy) with `row` the byte address of the
 * columns' row (advancing OW floats per output row, i.e. sequentially), `img` the byte address of
 * x[n, c, 0, 0] in the image operand, and the kx triple in (xoff, x0, x1). `valid` emits the body
 * for an input row iy inside the image (`base` = address of image column `xoff`), `invalid` the
 * body for a padding row.
 */
function tapLoops(c: Code, geo: number, rowStart: number, imgStart: number, valid: (v: TapLocals) => void, invalid: ((v: TapLocals) => void) | null): void {
  const [N, C, H, W, kh, kw, sh, sw, ph, dh, OH, OW] = loadGeo(c, geo) as [number, number, number, number, number, number, number, number, number, number, number, number];
  const ch = c.local(I32), ky = c.local(I32), kx = c.local(I32), n = c.local(I32), oy = c.local(I32), iy = c.local(I32);
  const xoff = c.local(I32), x0 = c.local(I32), x1 = c.local(I32), t = c.local(I32), img = c.local(I32), base = c.local(I32), row = c.local(I32);
  const ox = c.local(I32), p = c.local(I32), d = c.local(I32), src = c.local(I32), e = c.local(I32), swb = c.local(I32);
  const v: TapLocals = { base, row, ox, p, x0, x1, sw, OW, d, src, e, swb };
  c.get(sw).i32(4).mul().set(swb);
  c.get(rowStart).set(row);
  c.forLoop(ch, () => c.i32(0), () => c.get(C), 1, () => {
    c.forLoop(ky, () => c.i32(0), () => c.get(kh), 1, () => {
      c.forLoop(kx, () => c.i32(0), () => c.get(kw), 1, () => {
        c.get(geo).get(kx).i32(12).mul().add().tee(t).i32Load(4 * GEO_INTS).set(xoff);
        c.get(t).i32Load(4 * GEO_INTS + 4).set(x0);
        c.get(t).i32Load(4 * GEO_INTS + 8).set(x1);
        c.forLoop(n, () => c.i32(0), () => c.get(N), 1, () => {
          // img = image + ((n·C + ch)·H·W)·4
          c.get(imgStart).get(n).get(C).mul().get(ch).add().get(H).mul().get(W).mul().i32(4).mul().add().set(img);
          c.forLoop(oy, () => c.i32(0), () => c.get(OH), 1, () => {
            c.get(oy).get(sh).mul().get(ph).sub().get(ky).get(dh).mul().add().tee(iy).get(H).ltU().if(() => {
              c.get(img).get(iy).get(W).mul().get(xoff).add().i32(4).mul().add().set(base);
              valid(v);
            }, invalid === null ? undefined : () => invalid(v));
            c.get(row).get(OW).i32(4).mul().add().set(row);
          });
        });
      });
    });
  });
}

interface TapLocals { base: number; row: number; ox: number; p: number; x0: number; x1: number; sw: number; OW: number; d: number; src: number; e: number; swb: number }

/**
 * Pointer walk over the taps [x0, x1) of a row: d from row + 4·x0 to e = row + 4·x1 in steps of
 * `dStep` bytes, src from base + 4·sw·x0 in steps of `sStep` (a local or a constant); `body` runs
 * while `more` (default d < e) holds. Increments instead of index products in the inner loops.
 */
function tapStart(c: Code, v: TapLocals): void {
  c.get(v.row).get(v.x0).i32(4).mul().add().set(v.d);
  c.get(v.row).get(v.x1).i32(4).mul().add().set(v.e);
  c.get(v.base).get(v.x0).get(v.swb).mul().add().set(v.src);
}

/** tapStart (unless `start` is false: continue where the pointers are), then the walk. */
function tapWalk(c: Code, v: TapLocals, dStep: number, sStep: number | null, body: () => void, more?: () => void, start = true): void {
  if (start) tapStart(c, v);
  c.block(() => c.loop(() => {
    if (more) more();
    else c.get(v.d).get(v.e).ltS();
    c.eqz().brIf(1);
    body();
    c.get(v.d).i32(dStep).add().set(v.d);
    c.get(v.src);
    if (sStep === null) c.get(v.swb);
    else c.i32(sStep);
    c.add().set(v.src).br(0);
  }));
}

/** Store f32 zeros at row[from..to) (float indices in locals or constants). */
function zeroFloats(c: Code, v: TapLocals, from: () => void, to: () => void): void {
  c.forLoop(v.ox, from, to, 1, () => c.get(v.row).get(v.ox).i32(4).mul().add().f32(0).f32Store());
}

function im2col(): Code {
  const [x, cols, geo] = [0, 1, 2];
  const c = new Code([I32, I32, I32]);
  tapLoops(c, geo, cols, x, (v) => {
    zeroFloats(c, v, () => c.i32(0), () => c.get(v.x0));
    c.get(v.sw).i32(1).eq().if(() => {
      // Contiguous taps: whole vectors (the last one may run past x1; zeroed just below or by the next row).
      tapWalk(c, v, 16, 16, () => c.get(v.d).get(v.src).v128Load(0, 0).v128Store(0, 0));
    }, () => {
      tapWalk(c, v, 4, null, () => c.get(v.d).get(v.src).f32Load().f32Store());
    });
    zeroFloats(c, v, () => c.get(v.x1), () => c.get(v.OW));
  }, (v) => {
    // A padding row: zeros, whole vectors.
    c.forLoop(v.ox, () => c.i32(0), () => c.get(v.OW), 4, () => c.get(v.row).get(v.ox).i32(4).mul().add().v128Zero().v128Store(0, 0));
  });
  return c;
}

function col2im(): Code {
  const [cols, dx, geo] = [0, 1, 2];
  const c = new Code([I32, I32, I32]);
  const at = c.local(I32), end = c.local(I32);
  // dx = 0: N·C·H·W floats (geo fields 0–3), whole vectors.
  c.get(dx).set(at);
  c.get(dx).get(geo).i32Load(0).get(geo).i32Load(4).mul().get(geo).i32Load(8).mul().get(geo).i32Load(12).mul().i32(4).mul().add().set(end);
  c.block(() => c.loop(() => {
    c.get(at).get(end).geS().brIf(1);
    c.get(at).v128Zero().v128Store(0, 0);
    c.get(at).i32(16).add().set(at).br(0);
  }));
  tapLoops(c, geo, cols, dx, (v) => {
    // dx[base + ox·sw] += row[ox] for ox in [x0, x1): each lane is its own dx element, so whole
    // vectors keep every element's order of additions; the scalar walk finishes the row.
    c.get(v.sw).i32(1).eq().if(() => {
      tapWalk(c, v, 16, 16, () => c.get(v.src).get(v.src).v128Load(0, 0).get(v.d).v128Load(0, 0).f32x4Add().v128Store(0, 0),
        () => c.get(v.d).i32(16).add().get(v.e).leS());
    }, () => tapStart(c, v));
    // The scalar walk goes on from where the vectors stopped (fewer than 4 taps left).
    tapWalk(c, v, 4, null, () => c.get(v.src).get(v.src).f32Load().get(v.d).f32Load().f32Add().f32Store(), undefined, false);
  }, null);
  return c;
}

function swap01(): Code {
  const [x, out, A, B, pb] = [0, 1, 2, 3, 4];
  const c = new Code([I32, I32, I32, I32, I32]);
  const a = c.local(I32), b = c.local(I32), q = c.local(I32), src = c.local(I32);
  // In output order, so the vector that runs past a chunk's end is overwritten by the next chunk.
  c.forLoop(b, () => c.i32(0), () => c.get(B), 1, () => {
    c.forLoop(a, () => c.i32(0), () => c.get(A), 1, () => {
      c.get(x).get(a).get(B).mul().get(b).add().get(pb).mul().add().set(src);
      c.forLoop(q, () => c.i32(0), () => c.get(pb), 16, () => c.get(out).get(q).add().get(src).get(q).add().v128Load(0, 0).v128Store(0, 0));
      c.get(out).get(pb).add().set(out);
    });
  });
  return c;
}

export function convFunctions(): ExportedFn[] {
  return [
    { name: 'im2col', code: im2col() },
    { name: 'col2im', code: col2im() },
    { name: 'swap01', code: swap01() },
  ];
}
