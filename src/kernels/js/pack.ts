import type { FloatArray } from '../backend.js';

/**
 * Packing of matmul operands into Float64 panels.
 *
 * The micro-kernel (tile.ts) reads only these panels, never the caller's arrays, for three
 * reasons: its loads stay monomorphic (always Float64Array, whatever the caller's dtype), every
 * transpose variant becomes the same unit-stride walk, and the Float32→Float64 conversion is paid
 * once per element instead of once per multiply. Panels are zero-padded to the tile width so that
 * edge tiles run the same code; the padded products land in discarded outputs only.
 */

/** Tile height (rows of op(A)) and width (columns of op(B)) of the register-blocked micro-kernel. */
export const MR = 4;
export const NR = 4;
// The loops below write the literal 4 for MR/NR: an exported const is a module-cell load that V8
// does not fold, and in a hot loop that halves the speed (measured).

// Module-level scratch, grown on demand and reused: no allocation per call in steady state.
let aPanel = new Float64Array(MR * 256);
let bPanel = new Float64Array(NR * 256 * 64);

let cBlock = new Float64Array(4096);

export function cScratch(size: number): Float64Array {
  if (cBlock.length < size) cBlock = new Float64Array(Math.max(size, 2 * cBlock.length));
  return cBlock;
}

export function aScratch(size: number): Float64Array {
  if (aPanel.length < size) aPanel = new Float64Array(Math.max(size, 2 * aPanel.length));
  return aPanel;
}

export function bScratch(size: number): Float64Array {
  if (bPanel.length < size) bPanel = new Float64Array(Math.max(size, 2 * bPanel.length));
  return bPanel;
}

/**
 * Rows i0..i0+rows-1 and depth p0..p0+kc-1 of op(A) into `dst` as kc groups of MR values
 * (dst[q·MR + r] = op(A)[i0+r, p0+q]); rows ≥ `rows` are zero.
 * A[t] starts at `ao`; op(A) is m×k, stored k×m when `transA`.
 */
export function packA(
  dst: Float64Array, a: FloatArray, ao: number, transA: boolean, m: number, k: number,
  i0: number, rows: number, p0: number, kc: number,
): void {
  if (rows < 4) dst.fill(0, 0, kc * 4);
  if (transA) {
    // op(A)[i, p] = a[ao + p·m + i]: the MR values of one depth step are contiguous.
    let src = ao + p0 * m + i0;
    if (rows === 4) {
      for (let q = 0, d = 0; q < kc; q++, d += 4, src += m) {
        dst[d] = a[src]!; dst[d + 1] = a[src + 1]!; dst[d + 2] = a[src + 2]!; dst[d + 3] = a[src + 3]!;
      }
    } else {
      for (let q = 0, d = 0; q < kc; q++, d += 4, src += m) {
        for (let r = 0; r < rows; r++) dst[d + r] = a[src + r]!;
      }
    }
  } else {
    // op(A)[i, p] = a[ao + i·k + p]: read each row contiguously, write with stride MR.
    for (let r = 0; r < rows; r++) {
      const src = ao + (i0 + r) * k + p0;
      for (let q = 0, d = r; q < kc; q++, d += 4) dst[d] = a[src + q]!;
    }
  }
}

/**
 * Columns j0..j0+nc-1 and depth p0..p0+kc-1 of op(B) into `dst` as ⌈nc/NR⌉ panels of kc·NR
 * values (panel P: dst[P·kc·NR + q·NR + c] = op(B)[p0+q, j0+P·NR+c]); missing columns are zero.
 * B[t] starts at `bo`; op(B) is k×n, stored n×k when `transB`.
 */
export function packB(
  dst: Float64Array, b: FloatArray, bo: number, transB: boolean, n: number, k: number,
  j0: number, nc: number, p0: number, kc: number,
): void {
  const panels = Math.ceil(nc / 4);
  for (let P = 0; P < panels; P++) {
    const base = P * kc * 4;
    const jj = j0 + P * 4;
    const cols = Math.min(4, j0 + nc - jj);
    if (cols < 4) dst.fill(0, base, base + kc * 4);
    if (transB) {
      // op(B)[p, j] = b[bo + j·k + p]: each column is a contiguous row of the stored B.
      for (let c = 0; c < cols; c++) {
        const src = bo + (jj + c) * k + p0;
        for (let q = 0, d = base + c; q < kc; q++, d += 4) dst[d] = b[src + q]!;
      }
    } else if (cols === 4) {
      let src = bo + p0 * n + jj;
      for (let q = 0, d = base; q < kc; q++, d += 4, src += n) {
        dst[d] = b[src]!; dst[d + 1] = b[src + 1]!; dst[d + 2] = b[src + 2]!; dst[d + 3] = b[src + 3]!;
      }
    } else {
      let src = bo + p0 * n + jj;
      for (let q = 0, d = base; q < kc; q++, d += 4, src += n) {
        for (let c = 0; c < cols; c++) dst[d + c] = b[src + c]!;
      }
    }
  }
}
