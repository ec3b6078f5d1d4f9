/**
 * The NAS-Bench-Macro space (Su et al., CVPR 2021): a MobileNetV2-style CIFAR-10 network whose 8
 * layers (stages of 2, 3, 3) each pick identity (0), MB3-K3 (1) or MB6-K5 (2): 3^8 = 6,561
 * encodings. An architecture is the eight codes, layer 1 first; its printed form is the table's
 * `arch` string, e.g. `22212220`.
 *
 * Equivalent encodings. An identity in a non-first layer of a stage is a no-op, so encodings that
 * differ only in where such identities sit inside a stage are one network. The canonical form
 * moves them to the end of their stage (the benchmark's `canonical_arch`; 3,969 networks). The
 * first layer of a stage is never moved: its identity is a stride-2 projection conv. `hash` is the
 * canonical string, so a search never queries two encodings of one network; `encode`/`logits` use
 * the canonical form (one network, one feature vector); `sample`, `mutate`, `neighbours` and
 * `project` return canonical forms, and `sample` is uniform over networks, not encodings (uniform
 * encodings would over-weight networks with identities).
 *
 * Encoding and relaxation: 24-d one-hot, layer-major (index 3·l + code); logits z ∈ R^24 relaxed by
 * per-layer softmax(z/τ); projection = per-layer argmax, then canonicalised, so every finite logit
 * vector projects to a valid network.
 */
import { reshape, softmax, type Tensor } from '../../autograd/index.js';
import type { Rng } from '../../autograd/random.js';
import type { ArchCost, ArchEncoding, Projection, RelaxedBatch, SearchSpace } from '../space.js';
import { NBMACRO_LAYERS, NBMACRO_NUM_OPS, NBMACRO_STAGES, nbmacroCost, nbmacroRelaxedCost } from './nbmacro-cost.js';

export { NBMACRO_LAYERS, NBMACRO_NUM_OPS, NBMACRO_STAGES, NBMACRO_COST, nbmacroCost, nbmacroRelaxedCost } from './nbmacro-cost.js';

/** Eight layer codes in 0..2. */
export type NbMacroArch = readonly number[];

export const NBMACRO_OPS = ['identity', 'mb3_k3', 'mb6_k5'] as const;
/** Number of encodings (3^8) and of distinct networks (9 · 21 · 21). */
export const NBMACRO_ENCODINGS = 3 ** 8;
export const NBMACRO_NETWORKS = 3969;

/** [start, end) layer indices of each stage. */
const STAGE_RANGES: readonly (readonly [number, number])[] = (() => {
  const out: [number, number][] = [];
  let s = 0;
  for (const n of NBMACRO_STAGES) {
    out.push([s, s + n]);
    s += n;
  }
  return out;
})();

export function isNbMacroArch(arch: unknown): arch is NbMacroArch {
  return Array.isArray(arch) && arch.length === NBMACRO_LAYERS && arch.every((c) => c === 0 || c === 1 || c === 2);
}

function check(arch: NbMacroArch, where: string): void {
  if (!isNbMacroArch(arch)) throw new Error(`nbmacro ${where}: expected 8 layer codes in 0..2, got ${JSON.stringify(arch)}`);
}

/** Mid-stage identities moved to the end of their stage (the benchmark's get_real_arch). */
export function nbmacroCanonical(arch: NbMacroArch): NbMacroArch {
  check(arch, 'canonical');
  const out: number[] = [];
  for (const [s, e] of STAGE_RANGES) {
    out.push(arch[s]!);
    const mid = arch.slice(s + 1, e);
    const kept = mid.filter((c) => c !== 0);
    out.push(...kept, ...new Array<number>(mid.length - kept.length).fill(0));
  }
  return out;
}

export function isNbMacroCanonical(arch: NbMacroArch): boolean {
  return nbmacroToString(nbmacroCanonical(arch)) === nbmacroToString(arch);
}

/** Base-3 code with layer 1 most significant: the row of the encoding in the table's order. */
export function nbmacroCode(arch: NbMacroArch): number {
  check(arch, 'code');
  return arch.reduce((c, x) => c * NBMACRO_NUM_OPS + x, 0);
}

export function nbmacroFromCode(code: number): NbMacroArch {
  if (!Number.isInteger(code) || code < 0 || code >= NBMACRO_ENCODINGS) throw new Error(`nbmacro: code ${code} is outside [0, ${NBMACRO_ENCODINGS})`);
  const out = new Array<number>(NBMACRO_LAYERS);
  for (let l = NBMACRO_LAYERS - 1; l >= 0; l--) {
    out[l] = code % NBMACRO_NUM_OPS;
    code = Math.floor(code / NBMACRO_NUM_OPS);
  }
  return out;
}

export function nbmacroToString(arch: NbMacroArch): string {
  check(arch, 'toString');
  return arch.join('');
}

/** Parse an 8-character code string such as `22212220`; errors name the offending character. */
export function nbmacroParse(s: string): NbMacroArch {
  const t = s.trim();
  if (t.length !== NBMACRO_LAYERS) {
    throw new Error(`nbmacro: malformed arch '${s}': ${t.length} character(s), expected ${NBMACRO_LAYERS} layer codes (0 identity, 1 mb3_k3, 2 mb6_k5), e.g. 22212220`);
  }
  return [...t].map((ch, l) => {
    if (ch !== '0' && ch !== '1' && ch !== '2') throw new Error(`nbmacro: malformed arch '${s}': layer ${l + 1} is '${ch}', expected 0, 1 or 2`);
    return Number(ch);
  });
}

/** Every canonical code sequence of one stage of n layers: any first code, then canonical middles. */
function stageForms(n: number): number[][] {
  const out: number[][] = [];
  for (let first = 0; first < NBMACRO_NUM_OPS; first++) {
    for (let code = 0; code < NBMACRO_NUM_OPS ** (n - 1); code++) {
      const mid: number[] = [];
      for (let c = code, i = 0; i < n - 1; i++, c = Math.floor(c / NBMACRO_NUM_OPS)) mid.unshift(c % NBMACRO_NUM_OPS);
      const k = mid.filter((x) => x !== 0);
      if (mid.join('') === [...k, ...new Array<number>(mid.length - k.length).fill(0)].join('')) out.push([first, ...mid]);
    }
  }
  return out;
}

const STAGE_FORMS: readonly (readonly number[][])[] = NBMACRO_STAGES.map(stageForms);

export class NbMacroSpace implements SearchSpace<NbMacroArch> {
  readonly name = 'nbmacro';
  readonly logitDim = NBMACRO_LAYERS * NBMACRO_NUM_OPS;
  readonly flatDim = NBMACRO_LAYERS * NBMACRO_NUM_OPS;

  /** Uniform over the 3,969 networks: one canonical form per stage, uniformly. */
  sample(rng: Rng): NbMacroArch {
    return STAGE_FORMS.flatMap((forms) => forms[rng.int(forms.length)]!);
  }

  encode(arch: NbMacroArch): ArchEncoding {
    const flat = new Float32Array(this.flatDim);
    nbmacroCanonical(arch).forEach((c, l) => (flat[l * NBMACRO_NUM_OPS + c] = 1));
    return { flat };
  }

  logits(arch: NbMacroArch, c = 3): Float64Array {
    const z = new Float64Array(this.logitDim);
    nbmacroCanonical(arch).forEach((x, l) => (z[l * NBMACRO_NUM_OPS + x] = c));
    return z;
  }

  relax(z: Tensor, opts: { readonly tau?: number } = {}): RelaxedBatch {
    const tau = opts.tau ?? 1;
    if (!(tau > 0)) throw new Error(`nbmacro relax: tau must be > 0, got ${tau}`);
    if (z.rank !== 2 || z.shape[1] !== this.logitDim) {
      throw new Error(`nbmacro relax: logits must have shape [B, ${this.logitDim}], got [${z.shape.join(', ')}]`);
    }
    const probs = softmax(reshape(z, [-1, NBMACRO_LAYERS, NBMACRO_NUM_OPS]).div(tau), -1);
    return { flat: reshape(probs, [-1, this.flatDim]) };
  }

  project(z: ArrayLike<number>): Projection<NbMacroArch> {
    if (z.length !== this.logitDim) return { ok: false, reason: `nbmacro project: expected ${this.logitDim} logits, got ${z.length}` };
    const codes: number[] = [];
    for (let l = 0; l < NBMACRO_LAYERS; l++) {
      let best = 0;
      for (let c = 0; c < NBMACRO_NUM_OPS; c++) {
        const v = z[l * NBMACRO_NUM_OPS + c]!;
        if (!Number.isFinite(v)) return { ok: false, reason: `nbmacro project: logit ${l * NBMACRO_NUM_OPS + c} (layer ${l + 1}, ${NBMACRO_OPS[c]}) is ${v}` };
        if (v > z[l * NBMACRO_NUM_OPS + best]!) best = c;
      }
      codes.push(best);
    }
    return { ok: true, arch: nbmacroCanonical(codes) };
  }

  /** The canonical string: equivalent encodings hash equal. */
  hash(arch: NbMacroArch): string {
    return nbmacroToString(nbmacroCanonical(arch));
  }

  /** One layer changed to another code, canonicalised (always a different network, see the test). */
  mutate(arch: NbMacroArch, rng: Rng): NbMacroArch {
    check(arch, 'mutate');
    const l = rng.int(NBMACRO_LAYERS);
    const out = [...arch];
    out[l] = (arch[l]! + 1 + rng.int(NBMACRO_NUM_OPS - 1)) % NBMACRO_NUM_OPS;
    return nbmacroCanonical(out);
  }

  /** Distinct networks one layer change away, canonical, in first-seen order. */
  neighbours(arch: NbMacroArch): NbMacroArch[] {
    const self = this.hash(arch);
    const seen = new Set<string>([self]);
    const out: NbMacroArch[] = [];
    for (let l = 0; l < NBMACRO_LAYERS; l++) {
      for (let c = 0; c < NBMACRO_NUM_OPS; c++) {
        if (c === arch[l]) continue;
        const n = [...arch];
        n[l] = c;
        const canon = nbmacroCanonical(n);
        const h = nbmacroToString(canon);
        if (!seen.has(h)) {
          seen.add(h);
          out.push(canon);
        }
      }
    }
    return out;
  }

  toString(arch: NbMacroArch): string {
    return nbmacroToString(arch);
  }

  parse(s: string): NbMacroArch {
    return nbmacroParse(s);
  }

  /** Every encoding is a valid network (non-canonical ones are aliases of their canonical form). */
  isValid(arch: NbMacroArch): boolean {
    return isNbMacroArch(arch);
  }

  /** Params and MACs, raw counts (the table's units). */
  cost(arch: NbMacroArch): ArchCost {
    check(arch, 'cost');
    return nbmacroCost(arch);
  }

  relaxedCost(z: Tensor, opts: { readonly tau?: number } = {}): { params: Tensor; flops: Tensor } {
    return nbmacroRelaxedCost(z, opts.tau ?? 1);
  }

  /** The 3,969 distinct networks (canonical forms), in table (base-3) order. */
  *enumerate(): Iterable<NbMacroArch> {
    for (let c = 0; c < NBMACRO_ENCODINGS; c++) {
      const a = nbmacroFromCode(c);
      if (isNbMacroCanonical(a)) yield a;
    }
  }
}

export function nbmacroSpace(): NbMacroSpace {
  return new NbMacroSpace();
}
