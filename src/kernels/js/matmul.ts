import type { MatmulSpec } from '../backend.js';

/**
 * Reference-quality CPU matmul: one product at a time, i-p-j order for contiguous inner loops.
 * Transposed operands are read through strides, so no copies are made.
 */
export function matmulJs(spec: MatmulSpec): void {
  const { a, b, out, m, n, k, transA, transB, batch, aOffsets, bOffsets } = spec;
  // Strides of op(A)[i,p] and op(B)[p,j] in the stored row-major layout.
  const aRow = transA ? 1 : k;
  const aCol = transA ? m : 1;
  const bRow = transB ? 1 : n;
  const bCol = transB ? k : 1;
  for (let t = 0; t < batch; t++) {
    const ao = aOffsets[t]!;
    const bo = bOffsets[t]!;
    const oo = t * m * n;
    out.fill(0, oo, oo + m * n);
    for (let i = 0; i < m; i++) {
      const orow = oo + i * n;
      for (let p = 0; p < k; p++) {
        const av = a[ao + i * aRow + p * aCol]!;
        if (av === 0) continue;
        const bbase = bo + p * bRow;
        for (let j = 0; j < n; j++) out[orow + j]! += av * b[bbase + j * bCol]!;
      }
    }
  }
}
