import type { FloatArray, MatmulSpec } from '../backend.js';
import { directGemm } from './direct.js';
import { MR, NR, aScratch, bScratch, cScratch, packA, packB } from './pack.js';
import { rowBlock } from './tile.js';

/**
 * Depth and width of one cache block. A packed A block (MR·KC doubles = 8 KiB) and one packed B
 * panel (KC·NR = 8 KiB) sit in L1 while a row block sweeps the panels; the whole packed B block
 * (KC·NC doubles = 1 MiB) stays in L2.
 */
const KC = 256;
const NC = 512;
/** Below this many multiply-adds packing costs more than it saves. */
const TINY = 512;

/**
 * Cache-blocked, register-tiled CPU matmul for Float32 and Float64 (accumulation is always in
 * double precision; Float32 results are rounded once, on the final copy out of the Float64
 * scratch block). Products are summed in ascending depth order, like a naive loop, and zeros are not
 * skipped, so NaN/Inf propagate exactly as in the reference.
 */
export function matmulJs(spec: MatmulSpec): void {
  const { a, b, out, m, n, k, transA, transB, batch, aOffsets, bOffsets } = spec;
  if (batch === 0 || m === 0 || n === 0) return;
  if (k === 0) {
    out.fill(0, 0, batch * m * n);
    return;
  }
  // One B for every batch and the A batches back to back (x·W with x [..., m, k]): the batch is
  // just a taller A, so run one (batch·m)×k product and pack B once.
  if (batch > 1 && !transA && sharedOffset(bOffsets, batch) && consecutive(aOffsets, batch, m * k)) {
    gemm(a, aOffsets[0]!, false, b, bOffsets[0]!, transB, out, 0, batch * m, n, k, false);
    return;
  }
  let packedFrom = -1; // bOffset whose packed B is still in the scratch panel, if any
  for (let t = 0; t < batch; t++) {
    const bo = bOffsets[t]!;
    const reusable = gemm(a, aOffsets[t]!, transA, b, bo, transB, out, t * m * n, m, n, k, bo === packedFrom);
    packedFrom = reusable ? bo : -1;
  }
}

/**
 * out[oo..] = op(A)·op(B) for one product. Returns true when B fitted one block, so the packed
 * panel left in scratch is the whole of op(B) and the next call with the same B may skip packing
 * (`bIsPacked`).
 */
function gemm(
  a: FloatArray, ao: number, transA: boolean, b: FloatArray, bo: number, transB: boolean,
  out: FloatArray, oo: number, m: number, n: number, k: number, bIsPacked: boolean,
): boolean {
  if (m < MR || n < NR || m * n * k <= TINY) {
    directGemm(a, ao, transA, b, bo, transB, out, oo, m, n, k);
    return false;
  }
  const single = k <= KC && n <= NC;
  const c = cScratch(m * n);
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = Math.min(KC, k - p0);
    const pa = aScratch(MR * kc);
    for (let j0 = 0; j0 < n; j0 += NC) {
      const nc = Math.min(NC, n - j0);
      const pb = bScratch(Math.ceil(nc / NR) * NR * kc);
      if (!(single && bIsPacked)) packB(pb, b, bo, transB, n, k, j0, nc, p0, kc);
      for (let i0 = 0; i0 < m; i0 += MR) {
        const rows = Math.min(MR, m - i0);
        packA(pa, a, ao, transA, m, k, i0, rows, p0, kc);
        rowBlock(pa, pb, kc, c, i0 * n, n, rows, j0, nc, p0 > 0);
      }
    }
  }
  out.set(m * n === c.length ? c : c.subarray(0, m * n), oo); // native copy (and rounding to f32)
  return single;
}

function sharedOffset(offsets: Int32Array, batch: number): boolean {
  const first = offsets[0]!;
  for (let t = 1; t < batch; t++) if (offsets[t] !== first) return false;
  return true;
}

function consecutive(offsets: Int32Array, batch: number, stride: number): boolean {
  const first = offsets[0]!;
  for (let t = 1; t < batch; t++) if (offsets[t] !== first + t * stride) return false;
  return true;
}
