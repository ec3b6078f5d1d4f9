
// Edge tiles are spilled here and copied out partially (one scratch, reused).
const edge = new Float64Array(16);

/**
 * One row block of the product: for every NR-column panel of `pb`, the MR×NR tile
 * op(A)[i0.., :]·op(B)[:, panel] over the kc packed depth steps, written to c[cRow..] (row
 * stride n). `c` is a Float64 scratch block, never the caller's output: the stores stay
 * monomorphic whatever the caller's dtype (Float32 and Float64 outputs through one store site
 * measured 10–30% slower), and later depth blocks accumulate in double precision.
 *
 * The 16 accumulators live in locals (V8 keeps most in registers): a typed-array store per
 * multiply-add is what makes naive JS loops slow, so each output is stored once per depth block.
 * `accumulate` adds to `out` instead of overwriting (second and later depth blocks).
 * The tile size is written as the literal 4 (MR = NR = 4 in pack.ts; see the note there).
 */
export function rowBlock(
  pa: Float64Array, pb: Float64Array, kc: number, c: Float64Array, oRow: number, n: number,
  rows: number, j0: number, nc: number, accumulate: boolean,
): void {
  const panels = Math.ceil(nc / 4);
  const step = kc * 4;
  for (let P = 0, pbo = 0; P < panels; P++, pbo += step) {
    let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
    let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
    for (let qa = 0, qb = pbo, end = pbo + step; qb < end; qa += 4, qb += 4) {
      const b0 = pb[qb]!, b1 = pb[qb + 1]!, b2 = pb[qb + 2]!, b3 = pb[qb + 3]!;
      const x0 = pa[qa]!, x1 = pa[qa + 1]!, x2 = pa[qa + 2]!, x3 = pa[qa + 3]!;
      c00 += x0 * b0; c01 += x0 * b1; c02 += x0 * b2; c03 += x0 * b3;
      c10 += x1 * b0; c11 += x1 * b1; c12 += x1 * b2; c13 += x1 * b3;
      c20 += x2 * b0; c21 += x2 * b1; c22 += x2 * b2; c23 += x2 * b3;
      c30 += x3 * b0; c31 += x3 * b1; c32 += x3 * b2; c33 += x3 * b3;
    }
    const j = j0 + P * 4;
    const cols = Math.min(4, j0 + nc - j);
    let o = oRow + j;
    if (rows === 4 && cols === 4) {
      if (accumulate) {
        c[o] = c[o]! + c00; c[o + 1] = c[o + 1]! + c01; c[o + 2] = c[o + 2]! + c02; c[o + 3] = c[o + 3]! + c03; o += n;
        c[o] = c[o]! + c10; c[o + 1] = c[o + 1]! + c11; c[o + 2] = c[o + 2]! + c12; c[o + 3] = c[o + 3]! + c13; o += n;
        c[o] = c[o]! + c20; c[o + 1] = c[o + 1]! + c21; c[o + 2] = c[o + 2]! + c22; c[o + 3] = c[o + 3]! + c23; o += n;
        c[o] = c[o]! + c30; c[o + 1] = c[o + 1]! + c31; c[o + 2] = c[o + 2]! + c32; c[o + 3] = c[o + 3]! + c33;
      } else {
        c[o] = c00; c[o + 1] = c01; c[o + 2] = c02; c[o + 3] = c03; o += n;
        c[o] = c10; c[o + 1] = c11; c[o + 2] = c12; c[o + 3] = c13; o += n;
        c[o] = c20; c[o + 1] = c21; c[o + 2] = c22; c[o + 3] = c23; o += n;
        c[o] = c30; c[o + 1] = c31; c[o + 2] = c32; c[o + 3] = c33;
      }
    } else {
      edge[0] = c00; edge[1] = c01; edge[2] = c02; edge[3] = c03;
      edge[4] = c10; edge[5] = c11; edge[6] = c12; edge[7] = c13;
      edge[8] = c20; edge[9] = c21; edge[10] = c22; edge[11] = c23;
      edge[12] = c30; edge[13] = c31; edge[14] = c32; edge[15] = c33;
      for (let r = 0; r < rows; r++, o += n) {
        for (let q = 0; q < cols; q++) {
          if (accumulate) c[o + q] = c[o + q]! + edge[r * 4 + q]!;
          else c[o + q] = edge[r * 4 + q]!;
        }
      }
    }
  }
}
