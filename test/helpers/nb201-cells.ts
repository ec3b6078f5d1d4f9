/** Distinct NB-201 cells from a seed, and a known smooth target over them, for predictor tests. */
import { Rng } from '../../src/autograd/random.js';
import { nb201Space, type Nb201Arch } from '../../src/nas/spaces/nb201.js';

const space = nb201Space();

/** n distinct cells, drawn with Rng(seed) (duplicates skipped, so n draws or more). */
export function distinctCells(n: number, seed: number): Nb201Arch[] {
  const rng = new Rng(seed);
  const out = new Map<string, Nb201Arch>();
  while (out.size < n) {
    const a = space.sample(rng);
    out.set(space.hash(a), a);
  }
  return [...out.values()];
}

/** A known target: per-edge op weights plus a conv-count interaction. */
export const knownTarget = (a: Nb201Arch): number => a.reduce((s, op, e) => s + Math.sin(op * 1.3 + e), 0) + 0.5 * a.filter((o) => o === 3).length;
