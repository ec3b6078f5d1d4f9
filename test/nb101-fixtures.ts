/**
 * Generated NAS-Bench-101 fixtures for the tests (never rows of the shared tables): distinct cells
 * drawn by our sampler, hashed by our hash, with synthetic metrics in the tables' format.
 */
import { Rng } from '../src/autograd/random.js';
import { nb101Hash, nb101Space, nb101ToString, type Nb101Arch } from '../src/nas/spaces/nb101.js';
import { nb101EdgeCount } from '../src/nas/spaces/nb101-graph.js';

export interface Cell {
  readonly arch: Nb101Arch;
  readonly hash: string;
}

/** `count` cells with distinct hashes, deterministic in `seed`. */
export function distinctCells(count: number, seed: number): Cell[] {
  const space = nb101Space();
  const rng = new Rng(seed);
  const seen = new Set<string>();
  const out: Cell[] = [];
  while (out.length < count) {
    const arch = space.sample(rng);
    const hash = nb101Hash(arch);
    if (seen.has(hash)) continue;
    seen.add(hash);
    out.push({ arch, hash });
  }
  return out;
}

/** The spec columns of a table row: hash,n_vertices,n_edges,adjacency,ops. */
export function specFields(c: Cell): string[] {
  const [bits, letters] = nb101ToString(c.arch).split('|') as [string, string];
  return [c.hash, String(c.arch.ops.length), String(nb101EdgeCount(c.arch)), bits, letters];
}

export const SPACE_HEADER = 'hash,n_vertices,n_edges,adjacency,ops';
export const SUBSET_HEADER = `${SPACE_HEADER},val_acc_4ep,val_acc_12ep,val_acc_36ep,val_acc_108ep,train_time_108ep_s,params`;

/** A subset-format table: synthetic accuracies rising with the budget, times and parameter counts. */
export function subsetCsv(cells: readonly Cell[], seed: number): string {
  const rng = new Rng(seed);
  const lines = [SUBSET_HEADER];
  for (const c of cells) {
    const acc108 = 80 + 15 * rng.next();
    const accs = [0.4, 0.7, 0.95, 1].map((f) => (acc108 * f).toFixed(4));
    const time = (500 + 2000 * rng.next()).toFixed(2);
    const params = 200_000 + rng.int(50_000_000);
    lines.push([...specFields(c), ...accs, time, String(params)].join(','));
  }
  return lines.join('\n') + '\n';
}
