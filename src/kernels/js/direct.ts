import type { FloatArray } from '../backend.js';

/**
 * Unpacked kernel for products where a 4×4 tile would mostly be padding or packing would cost
 * more than the arithmetic: matrix-vector (n or m below the tile size) and tiny products.
 * Operands are read through (row, column) strides, so all transpose variants share one loop;
 * four independent accumulators per pass share each load of the operand that stays fixed.
 */
export function directGemm(
  a: FloatArray, ao: number, transA: boolean, b: FloatArray, bo: number, transB: boolean,
  out: FloatArray, oo: number, m: number, n: number, k: number,
): void {
  // Strides of op(A)[i, p] and op(B)[p, j] in the stored row-major layouts.
  const ai = transA ? 1 : k, ap = transA ? m : 1;
  const bp = transB ? 1 : n, bj = transB ? k : 1;
  if (n < m) {
    // Few columns: four rows at a time against one column of op(B).
    for (let j = 0; j < n; j++) {
      const bCol = bo + j * bj;
      let i = 0;
      for (; i + 4 <= m; i += 4) {
        const r0 = ao + i * ai, r1 = r0 + ai, r2 = r1 + ai, r3 = r2 + ai;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let p = 0, pa = 0, pb = bCol; p < k; p++, pa += ap, pb += bp) {
          const v = b[pb]!;
          s0 += a[r0 + pa]! * v; s1 += a[r1 + pa]! * v; s2 += a[r2 + pa]! * v; s3 += a[r3 + pa]! * v;
        }
        const o = oo + i * n + j;
        out[o] = s0; out[o + n] = s1; out[o + 2 * n] = s2; out[o + 3 * n] = s3;
      }
      for (; i < m; i++) {
        const r = ao + i * ai;
        let s = 0;
        for (let p = 0, pa = r, pb = bCol; p < k; p++, pa += ap, pb += bp) s += a[pa]! * b[pb]!;
        out[oo + i * n + j] = s;
      }
    }
    return;
  }
  // Few rows: four columns at a time against one row of op(A).
  for (let i = 0; i < m; i++) {
    const aRow = ao + i * ai;
    const oRow = oo + i * n;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const c0 = bo + j * bj, c1 = c0 + bj, c2 = c1 + bj, c3 = c2 + bj;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let p = 0, pa = aRow, pb = 0; p < k; p++, pa += ap, pb += bp) {
        const v = a[pa]!;
        s0 += v * b[c0 + pb]!; s1 += v * b[c1 + pb]!; s2 += v * b[c2 + pb]!; s3 += v * b[c3 + pb]!;
      }
      out[oRow + j] = s0; out[oRow + j + 1] = s1; out[oRow + j + 2] = s2; out[oRow + j + 3] = s3;
    }
    for (; j < n; j++) {
      let s = 0;
      for (let p = 0, pa = aRow, pb = bo + j * bj; p < k; p++, pa += ap, pb += bp) s += a[pa]! * b[pb]!;
      out[oRow + j] = s;
    }
  }
}
