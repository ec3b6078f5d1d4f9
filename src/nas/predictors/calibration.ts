/**
 * Putting ensemble members on one scale. Under the pairwise ranking loss a member's output is only
 * defined up to an increasing affine map: the loss sees score differences, so each member drifts to
 * its own offset, and its scale grows as long as training goes on. Averaging such outputs, taking
 * their spread as uncertainty, or weighing them against a cost penalty then mixes in how each member
 * happened to drift. An affine least-squares fit of each member's training-set scores to the
 * (standardised) targets maps every member onto the targets' scale, so that mean, std, a confidence
 * bound and the penalty's λ mean what they say; it keeps each member's ranking as it is.
 */

/** score ↦ a·score + b. */
export interface Affine {
  readonly a: number;
  readonly b: number;
}

/**
 * Least-squares affine map of `scores` onto `targets` (equal lengths ≥ 1). A member whose scores
 * are all equal carries no ranking: it maps to the targets' mean (a = 0). A member that ranks the
 * training set backwards gets a < 0 and is flipped: what it knows is still an ordering.
 */
export function fitAffine(scores: ArrayLike<number>, targets: ArrayLike<number>): Affine {
  const n = scores.length;
  if (n !== targets.length || n === 0) throw new Error(`fitAffine: expected equal non-zero lengths, got ${n} scores and ${targets.length} targets`);
  let ms = 0, mt = 0;
  for (let i = 0; i < n; i++) {
    ms += scores[i]!;
    mt += targets[i]!;
  }
  ms /= n;
  mt /= n;
  let sst = 0, sss = 0, s2 = 0;
  for (let i = 0; i < n; i++) {
    const ds = scores[i]! - ms;
    sss += ds * ds;
    sst += ds * (targets[i]! - mt);
    s2 += scores[i]! * scores[i]!;
  }
  // A spread at rounding level relative to the scores themselves is a constant output, not a ranking.
  const a = sss > 1e-12 * s2 ? sst / sss : 0;
  return { a, b: mt - a * ms };
}

/** Mean and (population) std across members, per architecture, of already-calibrated scores. */
export function ensembleMoments(members: readonly ArrayLike<number>[], maps: readonly Affine[]): { mean: Float64Array; std: Float64Array } {
  const M = members.length;
  if (M === 0 || M !== maps.length) throw new Error(`ensembleMoments: expected as many maps as members (>= 1), got ${maps.length} and ${M}`);
  const B = members[0]!.length;
  const mean = new Float64Array(B), std = new Float64Array(B);
  for (let i = 0; i < B; i++) {
    let s = 0;
    for (let m = 0; m < M; m++) s += maps[m]!.a * members[m]![i]! + maps[m]!.b;
    const mu = s / M;
    let s2 = 0;
    for (let m = 0; m < M; m++) {
      const d = maps[m]!.a * members[m]![i]! + maps[m]!.b - mu;
      s2 += d * d;
    }
    mean[i] = mu;
    std[i] = Math.sqrt(s2 / M);
  }
  return { mean, std };
}
