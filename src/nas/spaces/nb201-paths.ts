/**
 * Path features of an NB-201 cell (the BANANAS "path encoding", White et al. 2021, adapted to
 * NB-201's ops-on-edges cell): one indicator per input→output path and per sequence of non-`none`
 * ops along it. The cell has four such paths — 0→3, 0→1→3, 0→2→3 and 0→1→2→3, i.e. edges
 * [3], [0,4], [1,5], [0,2,5] — so 4 + 16 + 16 + 64 = 100 features.
 *
 * Why offer it: a `none` on an edge silences every path through it, so cells that differ in
 * several edges can compute the same network and cells one edit apart can differ a lot. A one-hot
 * MLP must learn that interaction from ~100 samples; path indicators state it.
 *
 * Relaxed form: with per-edge op probabilities p_e, a path's feature for ops (o1..oL) is
 * Π p_e(o) — the probability that the path exists with those ops if edges were drawn
 * independently. For a one-hot p it is exactly the discrete indicator, so relax(logits(arch, c))
 * tends to encode(arch) as c grows, and gradients reach every edge on the path.
 */
import { concat, mul, reshape, type Tensor } from '../../autograd/index.js';

/** Edges of each input→output path, in the order the features are laid out. */
export const NB201_PATHS: readonly (readonly number[])[] = [[3], [0, 4], [1, 5], [0, 2, 5]];
/** Ops that can lie on a live path (every op but `none`, code 0), in code order. */
const LIVE_OPS = 4;
export const NB201_PATH_DIM = NB201_PATHS.reduce((n, p) => n + LIVE_OPS ** p.length, 0);

/** Write the path indicators of a discrete cell (six op codes) into `out` from `offset`. */
export function nb201PathFeatures(ops: readonly number[], out: Float32Array, offset: number): void {
  let base = offset;
  for (const path of NB201_PATHS) {
    let idx = 0;
    let live = true;
    for (const e of path) {
      const op = ops[e]!;
      if (op === 0) live = false;
      idx = idx * LIVE_OPS + (op - 1);
    }
    if (live) out[base + idx] = 1;
    base += LIVE_OPS ** path.length;
  }
}

/**
 * Differentiable path features of per-edge op probabilities [B, 6, 5] → [B, 100], in the same
 * layout as nb201PathFeatures (first edge of a path is the most significant index).
 */
export function nb201RelaxedPaths(probs: Tensor): Tensor {
  const b = probs.shape[0]!;
  const edge = (e: number): Tensor => reshape(probs.slice([0, e, 1], [b, e + 1, 1 + LIVE_OPS]), [b, LIVE_OPS]);
  const parts = NB201_PATHS.map((path) => {
    let acc = edge(path[0]!);
    for (let k = 1; k < path.length; k++) {
      const n = LIVE_OPS ** k;
      // Outer product: acc [B, n] × next edge [B, 4] → [B, n·4], earlier edges more significant.
      acc = reshape(mul(reshape(acc, [b, n, 1]), reshape(edge(path[k]!), [b, 1, LIVE_OPS])), [b, n * LIVE_OPS]);
    }
    return acc;
  });
  return concat(parts, 1);
}
