/**
 * The TransNAS-Bench-101 macro space (Duan et al., CVPR 2021): a ResNet-style encoder of 4–6
 * modules, each module one code — 1 keep, 2 double the channels, 3 halve the resolution, 4 both —
 * with 1–4 downsamplings and 1–3 channel doublings in total: exactly 3,256 networks. An
 * architecture is its module codes, first module first; its printed form is the benchmark's key
 * `64-<codes>-basic` (parse also accepts the bare codes, e.g. `232323`).
 *
 * Every valid code sequence is a different network (no module is a no-op), so the canonical hash
 * is simply the code string; what needs care is the variable depth. The encoding is per-module
 * categorical over 6 slots: slots 1–4 always hold a module (4 options: codes 1..4), slots 5–6 may
 * be empty (5 options: none, 1..4), 4·4 + 2·5 = 26 one-hot entries; an empty slot is encoded
 * explicitly, so a 4-module network is not a 6-module network with unknown tail.
 *
 * Relaxation: per-slot softmax(z/τ) in the same layout. Projection: the valid network of highest
 * total logit, i.e. the most probable one under the relaxed product distribution (an exact search
 * over all 3,256, so depth, order and the downsampling/doubling limits are always respected, and
 * an empty slot 5 with a module in slot 6 — not a valid layout — is never produced).
 */
import type { Tensor } from '../../autograd/index.js';
import type { Rng } from '../../autograd/random.js';
import type { ArchCost, ArchEncoding, Projection, RelaxedBatch, SearchSpace } from '../space.js';
import { tnb101Cost, tnb101ExpectedCost, tnb101FlatProbs, tnb101SlotProbs } from './tnb101-cost.js';

export { tnb101Cost, tnb101ModuleCost, TNB101_SIZES, TNB101_STEM_COST } from './tnb101-cost.js';

/** Module codes (1..4), 4 to 6 of them. */
export type Tnb101MacroArch = readonly number[];

export const TNB101_MODULE_CODES = { 1: 'keep', 2: 'double channels', 3: 'halve resolution', 4: 'double channels and halve resolution' } as const;
export const TNB101_MIN_MODULES = 4;
export const TNB101_MAX_MODULES = 6;
export const TNB101_NETWORKS = 3256;
const REQUIRED_SLOTS = 4;
const LOGITS = REQUIRED_SLOTS * 4 + (TNB101_MAX_MODULES - REQUIRED_SLOTS) * 5;

/** Flat index of code (1..4, or 0 = empty in an optional slot) in slot i. */
function flatIndex(slot: number, code: number): number {
  return slot < REQUIRED_SLOTS ? 4 * slot + (code - 1) : 4 * REQUIRED_SLOTS + 5 * (slot - REQUIRED_SLOTS) + code;
}

/** Why a code sequence is not a valid network, or null when it is. */
export function tnb101Invalid(arch: unknown): string | null {
  if (!Array.isArray(arch)) return `expected an array of module codes, got ${JSON.stringify(arch)}`;
  if (arch.length < TNB101_MIN_MODULES || arch.length > TNB101_MAX_MODULES) return `${arch.length} modules, expected ${TNB101_MIN_MODULES}–${TNB101_MAX_MODULES}`;
  const bad = arch.findIndex((c) => !(c === 1 || c === 2 || c === 3 || c === 4));
  if (bad >= 0) return `module ${bad + 1} has code ${JSON.stringify(arch[bad])}, expected 1..4`;
  const downs = arch.filter((c) => c >= 3).length, doubles = arch.filter((c) => c % 2 === 0).length;
  if (downs < 1 || downs > 4) return `${downs} downsampling module(s) (codes 3, 4), expected 1–4`;
  if (doubles < 1 || doubles > 3) return `${doubles} channel-doubling module(s) (codes 2, 4), expected 1–3`;
  return null;
}

export function isTnb101MacroArch(arch: unknown): arch is Tnb101MacroArch {
  return tnb101Invalid(arch) === null;
}

function check(arch: Tnb101MacroArch, where: string): void {
  const why = tnb101Invalid(arch);
  if (why !== null) throw new Error(`tnb101-macro ${where}: not a valid network: ${why}`);
}

export function tnb101Code(arch: Tnb101MacroArch): string {
  check(arch, 'code');
  return arch.join('');
}

export function tnb101ToString(arch: Tnb101MacroArch): string {
  return `64-${tnb101Code(arch)}-basic`;
}

/** Parse `64-<codes>-basic` or bare codes; errors say which part is wrong. */
export function tnb101Parse(s: string): Tnb101MacroArch {
  const t = s.trim();
  const m = /^(?:64-)?([0-9]+)(?:-basic)?$/.exec(t);
  if (m === null) throw new Error(`tnb101-macro: malformed arch '${s}': expected '64-<4 to 6 module codes>-basic' (e.g. 64-232323-basic) or the bare codes`);
  const arch = [...m[1]!].map(Number);
  const why = tnb101Invalid(arch);
  if (why !== null) throw new Error(`tnb101-macro: arch '${s}' is not in the space: ${why}`);
  return arch;
}

/** All 3,256 networks: by depth, then lexicographically. */
function enumerateAll(): Tnb101MacroArch[] {
  const out: Tnb101MacroArch[] = [];
  for (let n = TNB101_MIN_MODULES; n <= TNB101_MAX_MODULES; n++) {
    for (let c = 0; c < 4 ** n; c++) {
      const a: number[] = [];
      for (let x = c, i = 0; i < n; i++, x = Math.floor(x / 4)) a.unshift((x % 4) + 1);
      if (isTnb101MacroArch(a)) out.push(a);
    }
  }
  return out;
}

const ALL: readonly Tnb101MacroArch[] = enumerateAll();
/** The six flat indices (one per slot, empties included) of each network, row-major [ALL.length, 6]. */
const ALL_INDICES: Int32Array = (() => {
  const out = new Int32Array(ALL.length * TNB101_MAX_MODULES);
  ALL.forEach((a, r) => {
    for (let slot = 0; slot < TNB101_MAX_MODULES; slot++) out[r * TNB101_MAX_MODULES + slot] = flatIndex(slot, a[slot] ?? 0);
  });
  return out;
})();

export class Tnb101MacroSpace implements SearchSpace<Tnb101MacroArch> {
  readonly name = 'tnb101-macro';
  readonly logitDim = LOGITS;
  readonly flatDim = LOGITS;

  sample(rng: Rng): Tnb101MacroArch {
    return ALL[rng.int(ALL.length)]!;
  }

  encode(arch: Tnb101MacroArch): ArchEncoding {
    check(arch, 'encode');
    const flat = new Float32Array(this.flatDim);
    for (let slot = 0; slot < TNB101_MAX_MODULES; slot++) flat[flatIndex(slot, arch[slot] ?? 0)] = 1;
    return { flat };
  }

  logits(arch: Tnb101MacroArch, c = 3): Float64Array {
    const z = new Float64Array(this.logitDim);
    this.encode(arch).flat.forEach((x, i) => (z[i] = x * c));
    return z;
  }

  relax(z: Tensor, opts: { readonly tau?: number } = {}): RelaxedBatch {
    return { flat: tnb101FlatProbs(tnb101SlotProbs(z, opts.tau ?? 1)) };
  }

  /** The network with the highest summed logit over its six slots (exact, over all 3,256). */
  project(z: ArrayLike<number>): Projection<Tnb101MacroArch> {
    if (z.length !== this.logitDim) return { ok: false, reason: `tnb101-macro project: expected ${this.logitDim} logits, got ${z.length}` };
    for (let i = 0; i < z.length; i++) if (!Number.isFinite(z[i]!)) return { ok: false, reason: `tnb101-macro project: logit ${i} is ${z[i]}` };
    let best = 0, bestScore = -Infinity;
    for (let r = 0, p = 0; r < ALL.length; r++) {
      let s = 0;
      for (let slot = 0; slot < TNB101_MAX_MODULES; slot++, p++) s += z[ALL_INDICES[p]!]!;
      if (s > bestScore) {
        bestScore = s;
        best = r;
      }
    }
    return { ok: true, arch: ALL[best]! };
  }

  hash(arch: Tnb101MacroArch): string {
    return tnb101Code(arch);
  }

  /** A uniformly drawn neighbour (one module changed, removed or inserted). */
  mutate(arch: Tnb101MacroArch, rng: Rng): Tnb101MacroArch {
    const ns = this.neighbours(arch);
    if (ns.length === 0) throw new Error(`tnb101-macro mutate: ${tnb101ToString(arch)} has no valid neighbour`);
    return ns[rng.int(ns.length)]!;
  }

  /** Valid networks one edit away: a module's code changed, a module removed, or one inserted. */
  neighbours(arch: Tnb101MacroArch): Tnb101MacroArch[] {
    check(arch, 'neighbours');
    const seen = new Set<string>([arch.join('')]);
    const out: Tnb101MacroArch[] = [];
    const push = (a: number[]) => {
      const k = a.join('');
      if (!seen.has(k) && isTnb101MacroArch(a)) {
        seen.add(k);
        out.push(a);
      }
    };
    for (let i = 0; i < arch.length; i++) {
      for (let c = 1; c <= 4; c++) if (c !== arch[i]) push([...arch.slice(0, i), c, ...arch.slice(i + 1)]);
    }
    for (let i = 0; i < arch.length; i++) push([...arch.slice(0, i), ...arch.slice(i + 1)]);
    for (let i = 0; i <= arch.length; i++) for (let c = 1; c <= 4; c++) push([...arch.slice(0, i), c, ...arch.slice(i)]);
    return out;
  }

  toString(arch: Tnb101MacroArch): string {
    return tnb101ToString(arch);
  }

  parse(s: string): Tnb101MacroArch {
    return tnb101Parse(s);
  }

  isValid(arch: Tnb101MacroArch): boolean {
    return isTnb101MacroArch(arch);
  }

  /** Encoder params and MACs at 224×224 (raw counts; see tnb101-cost.ts for the convention). */
  cost(arch: Tnb101MacroArch): ArchCost {
    check(arch, 'cost');
    return tnb101Cost(arch);
  }

  relaxedCost(z: Tensor, opts: { readonly tau?: number } = {}): { params: Tensor; flops: Tensor } {
    return tnb101ExpectedCost(tnb101SlotProbs(z, opts.tau ?? 1));
  }

  enumerate(): Iterable<Tnb101MacroArch> {
    return ALL;
  }
}

export function tnb101MacroSpace(): Tnb101MacroSpace {
  return new Tnb101MacroSpace();
}
