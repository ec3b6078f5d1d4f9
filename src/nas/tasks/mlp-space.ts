/**
 * The live task's search space: small MLP classifiers. An architecture is a choice vector
 * (./../spaces/choices.ts) with
 *   depth 1..4 hidden layers; width1..width4 on a log grid 16..256 (ratio √2: 16, 23, 32, 45, 64,
 *   91, 128, 181, 256); act relu | tanh | silu; lr an ordinal log grid 5e-4..2e-2; dropout 0 | 0.1 | 0.2.
 *
 * Widths of layers beyond `depth` do not exist in the network. So that two records computing the
 * same network are one architecture, every record this space hands out is *canonical*: the widths
 * beyond depth repeat the last real width (so that a deeper neighbour starts with a sensible
 * width, and the encoding of an unused slot is not arbitrary noise for the predictor). `hash`
 * canonicalises too, so a non-canonical record given by a user still collides with its network.
 *
 * Costs (units: parameters) are exact for discrete architectures; `relaxedCost` is a smooth
 * surrogate for the ascent's penalty that equals the exact count at every discrete point.
 */
import { maximum, minimum, type Tensor } from '../../autograd/index.js';
import type { Rng } from '../../autograd/random.js';
import type { ArchCost, ArchEncoding, Projection, RelaxedBatch, SearchSpace } from '../space.js';
import { ChoiceSpace, type ChoiceArch } from '../spaces/choices.js';
import type { MlpConfig } from './train-mlp.js';

export const MLP_MAX_DEPTH = 4;
export const MLP_ACTIVATIONS = ['relu', 'tanh', 'silu'] as const;
export const MLP_LRS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02] as const;
export const MLP_DROPOUTS = [0, 0.1, 0.2] as const;
const WIDTHS = Array.from({ length: MLP_MAX_DEPTH }, (_, i) => `width${i + 1}`);

export interface MlpSpaceOptions {
  /** Input features (196 for 14×14 digits). */
  readonly inputs: number;
  readonly classes?: number;
  /** Space id (default 'mnist-mlp'). */
  readonly name?: string;
}

/** Exact parameter count of an MLP inputs → hidden… → classes with biases. */
export function mlpParams(inputs: number, hidden: readonly number[], classes: number): number {
  const sizes = [inputs, ...hidden, classes];
  let n = 0;
  for (let i = 1; i < sizes.length; i++) n += sizes[i - 1]! * sizes[i]! + sizes[i]!;
  return n;
}

export class MlpSpace implements SearchSpace<ChoiceArch> {
  readonly name: string;
  readonly logitDim: number;
  readonly flatDim: number;
  readonly inputs: number;
  readonly classes: number;
  /** The underlying choice space (its layout is this space's layout). */
  readonly base: ChoiceSpace;

  constructor(opts: MlpSpaceOptions) {
    if (!Number.isInteger(opts.inputs) || opts.inputs < 1) throw new Error(`MlpSpace: inputs must be a positive integer, got ${opts.inputs}`);
    this.inputs = opts.inputs;
    this.classes = opts.classes ?? 10;
    this.name = opts.name ?? 'mnist-mlp';
    this.base = new ChoiceSpace({
      name: this.name,
      variables: [
        { type: 'int', name: 'depth', min: 1, max: MLP_MAX_DEPTH },
        ...WIDTHS.map((name) => ({ type: 'log-int' as const, name, min: 16, max: 256, steps: 9 })),
        { type: 'categorical', name: 'act', options: [...MLP_ACTIVATIONS] },
        { type: 'ordinal', name: 'lr', values: [...MLP_LRS] },
        { type: 'ordinal', name: 'dropout', values: [...MLP_DROPOUTS] },
      ],
      maxEnumerate: 0,
    });
    this.logitDim = this.base.logitDim;
    this.flatDim = this.base.flatDim;
  }

  /** The same network with unused widths set to the last real width. */
  canonical(arch: ChoiceArch): ChoiceArch {
    const depth = arch['depth'] as number;
    const last = arch[`width${depth}`];
    const out: Record<string, string | number> = { ...arch };
    for (let i = depth + 1; i <= MLP_MAX_DEPTH; i++) out[`width${i}`] = last!;
    return out;
  }

  /** Hidden widths, activation, learning rate and dropout of an architecture (what the trainer needs). */
  config(arch: ChoiceArch): MlpConfig {
    this.check(arch, 'config');
    const depth = arch['depth'] as number;
    return {
      hidden: WIDTHS.slice(0, depth).map((w) => arch[w] as number),
      activation: arch['act'] as MlpConfig['activation'],
      lr: arch['lr'] as number,
      dropout: arch['dropout'] as number,
    };
  }

  /** Short human form, e.g. `196-91-45-10 silu lr=0.003 dropout=0.1`. */
  describe(arch: ChoiceArch): string {
    const c = this.config(arch);
    return `${[this.inputs, ...c.hidden, this.classes].join('-')} ${c.activation} lr=${c.lr} dropout=${c.dropout}`;
  }

  sample(rng: Rng): ChoiceArch {
    return this.canonical(this.base.sample(rng));
  }

  encode(arch: ChoiceArch): ArchEncoding {
    return this.base.encode(this.canonical(this.check(arch, 'encode')));
  }

  logits(arch: ChoiceArch, c?: number): Float64Array {
    return this.base.logits(this.canonical(this.check(arch, 'logits')), c);
  }

  relax(z: Tensor, opts?: { readonly tau?: number }): RelaxedBatch {
    return this.base.relax(z, opts);
  }

  project(z: ArrayLike<number>): Projection<ChoiceArch> {
    const p = this.base.project(z);
    return p.ok ? { ok: true, arch: this.canonical(p.arch) } : p;
  }

  hash(arch: ChoiceArch): string {
    return this.base.toString(this.canonical(this.check(arch, 'hash')));
  }

  /** One real change: retried until the network differs (a change to an unused width is none). */
  mutate(arch: ChoiceArch, rng: Rng): ChoiceArch {
    const h = this.hash(arch);
    for (let t = 0; t < 100; t++) {
      const m = this.canonical(this.base.mutate(this.canonical(arch), rng));
      if (this.hash(m) !== h) return m;
    }
    throw new Error(`${this.name}: no mutation of ${this.toString(arch)} changed the network in 100 tries`);
  }

  neighbours(arch: ChoiceArch): ChoiceArch[] {
    const own = this.hash(arch);
    const seen = new Set<string>([own]);
    const out: ChoiceArch[] = [];
    for (const n of this.base.neighbours(this.canonical(arch))) {
      const c = this.canonical(n);
      const h = this.hash(c);
      if (!seen.has(h)) {
        seen.add(h);
        out.push(c);
      }
    }
    return out;
  }

  toString(arch: ChoiceArch): string {
    return this.base.toString(arch);
  }

  parse(s: string): ChoiceArch {
    return this.canonical(this.base.parse(s));
  }

  isValid(arch: ChoiceArch): boolean {
    return this.base.isValid(arch);
  }

  cost(arch: ChoiceArch): ArchCost {
    return { params: mlpParams(this.inputs, this.config(arch).hidden, this.classes) };
  }

  /**
   * Smooth parameter count: with d the relaxed depth, layer i is "on" by a_i = clamp(d − i + 1, 0, 1)
   * (a_1 = 1); hidden layer i ≥ 2 costs a_i·(w_{i−1}·w_i + w_i), the output layer reads the soft
   * last width Σ_i (a_i − a_{i+1})·w_i. At an integer depth this is exactly mlpParams.
   */
  relaxedCost(z: Tensor, opts?: { readonly tau?: number }): { readonly params: Tensor } {
    const vals = this.base.relaxedValues(z, opts ?? {});
    const d = vals.get('depth')!;
    const w = WIDTHS.map((n) => vals.get(n)!);
    const a = w.map((_, i) => (i === 0 ? null : minimum(maximum(d.sub(i), 0), 1)));
    let params = w[0]!.mul(this.inputs + 1);
    for (let i = 1; i < MLP_MAX_DEPTH; i++) params = params.add(a[i]!.mul(w[i - 1]!.mul(w[i]!).add(w[i]!)));
    let last = w[MLP_MAX_DEPTH - 1]!.mul(a[MLP_MAX_DEPTH - 1]!);
    for (let i = 0; i < MLP_MAX_DEPTH - 1; i++) {
      const on = i === 0 ? w[0]!.mul(0).add(1) : a[i]!;
      last = last.add(w[i]!.mul(on.sub(a[i + 1]!)));
    }
    return { params: params.add(last.mul(this.classes)).add(this.classes) };
  }

  private check(arch: ChoiceArch, where: string): ChoiceArch {
    const why = this.base.invalidReason(arch);
    if (why !== null) throw new Error(`${this.name} ${where}: ${why}`);
    return arch;
  }
}

export function mlpSpace(opts: MlpSpaceOptions): MlpSpace {
  return new MlpSpace(opts);
}
