/**
 * Choice-vector spaces: an architecture is one value per named variable (see ./choices-vars.ts for
 * the four variable kinds). Macro spaces (RegNet, YOLOX) and user spaces from a JSON spec
 * (./spec.ts) are all instances of this one class.
 *
 * An architecture is a plain record `{ depth: 3, width: 64, act: 'relu' }` whose keys are exactly
 * the variables' names; its printed form (and hash) is `depth=3,width=64,act=relu` in declaration
 * order.
 *
 * Flat encoding and logit layout (identical offsets, variables in declaration order):
 * - a categorical variable with k options takes k slots: one-hot for the encoding, k logits
 *   relaxed by softmax(z/τ), projected by argmax (ties → first option);
 * - an ordered variable (int, log-int, ordinal) with n grid points takes 1 slot holding its grid
 *   position u = (k + ½)/n ∈ (0, 1) — linear in the value for `int`, in log(value) for a pure
 *   geometric `log-int`. Its logit is relaxed by u = sigmoid(z) (τ does not apply) and projected
 *   by k = clamp(floor(n·sigmoid(z)), 0, n−1). That is METHOD.md's "lo + (hi−lo)·sigmoid(z), round
 *   to the grid and clamp" with the bounds widened by half a grid step, so that each grid point
 *   owns an equal share of the sigmoid's range and every discrete value has a finite logit:
 *   logits(a) = logit((k + ½)/n), relax(logits(a)) equals encode(a) exactly, and
 *   project(logits(a)) = a. The scale c of `logits(a, c)` applies to categoricals only.
 *
 * The relaxed *value* of an ordered variable (what cost surrogates use, see `relaxedValues`) is
 * the grid interpolated at the continuous index t = n·sigmoid(z) − ½: linearly for int and
 * ordinal, linearly in log(value) for log-int, extrapolated by the end segments beyond the first
 * and last points; at t = k it is exactly grid[k].
 *
 * An optional `constraint` predicate restricts the space without conditional variables: it is
 * applied by isValid, sample (rejection), mutate/neighbours (filtering) and project (a projected
 * point that violates it is reported as { ok: false }, never silently moved).
 */
import { concat, maximum, minimum, softmax, full, type Tensor } from '../../autograd/index.js';
import type { Rng } from '../../autograd/random.js';
import type { ArchCost, ArchEncoding, Projection, RelaxedBatch, SearchSpace } from '../space.js';
import {
  cardinality, compileVariables, describeValues, indexOfValue, validateVariable, valueAt,
  type ChoiceVariable, type CompiledVariable,
} from './choices-vars.js';

export type ChoiceValue = string | number;
export type ChoiceArch = Readonly<Record<string, ChoiceValue>>;

/** Relaxed variable values: ordered → [B] in value units; categorical → [B, k] probabilities. */
export type RelaxedValues = ReadonlyMap<string, Tensor>;

export interface ChoiceSpaceOptions {
  readonly name: string;
  readonly variables: readonly ChoiceVariable[];
  /** Whole-architecture rule: true when valid, false or a reason string when not. */
  readonly constraint?: (arch: ChoiceArch) => boolean | string;
  readonly cost?: (arch: ChoiceArch) => ArchCost;
  /** Differentiable cost from relaxed values (see `relaxedValues`) and the logits z they came from, each [B]. */
  readonly relaxedCost?: (values: RelaxedValues, z: Tensor) => { readonly params?: Tensor; readonly flops?: Tensor };
  /** Enumerate only when the product of cardinalities is at most this (default 1,000,000). */
  readonly maxEnumerate?: number;
  /** Rejection-sampling attempts before sample() gives up (default 10,000). */
  readonly sampleTries?: number;
}

export class ChoiceSpace implements SearchSpace<ChoiceArch> {
  readonly name: string;
  readonly logitDim: number;
  readonly flatDim: number;
  readonly variables: readonly CompiledVariable[];
  /** Product of the variables' cardinalities (before the constraint). */
  readonly size: number;
  readonly enumerate?: () => Iterable<ChoiceArch>;
  readonly cost?: (arch: ChoiceArch) => ArchCost;
  readonly relaxedCost?: (z: Tensor, opts?: { readonly tau?: number }) => { readonly params?: Tensor; readonly flops?: Tensor };
  private readonly byName: ReadonlyMap<string, CompiledVariable>;
  private readonly constraint: ((arch: ChoiceArch) => boolean | string) | undefined;
  private readonly sampleTries: number;

  constructor(opts: ChoiceSpaceOptions) {
    if (typeof opts.name !== 'string' || opts.name.trim() === '') throw new Error('ChoiceSpace: name must be a non-empty string');
    if (!Array.isArray(opts.variables) || opts.variables.length === 0) throw new Error(`ChoiceSpace '${opts.name}': needs at least one variable`);
    this.name = opts.name;
    this.variables = compileVariables(opts.variables.map((v, i) => validateVariable(v, `variables[${i}]`)));
    this.byName = new Map(this.variables.map((v) => [v.name, v]));
    const last = this.variables[this.variables.length - 1]!;
    this.flatDim = this.logitDim = last.offset + last.width;
    this.size = this.variables.reduce((p, v) => p * cardinality(v), 1);
    this.constraint = opts.constraint;
    this.sampleTries = opts.sampleTries ?? 10_000;
    if (this.size <= (opts.maxEnumerate ?? 1_000_000)) this.enumerate = () => this.enumerateAll();
    if (opts.cost) {
      const cost = opts.cost;
      this.cost = (arch) => cost(this.checked(arch, 'cost'));
    }
    if (opts.relaxedCost) {
      const rc = opts.relaxedCost;
      this.relaxedCost = (z, o = {}) => rc(this.relaxedValues(z, o), z);
    }
  }

  /** The compiled variable of that name (its grid or options), or an error listing the names. */
  variable(name: string): CompiledVariable {
    const v = this.byName.get(name);
    if (!v) throw new Error(`${this.name}: no variable '${name}' (variables: ${[...this.byName.keys()].join(', ')})`);
    return v;
  }

  /** The admissible values of a variable, in grid/option order. */
  valuesOf(name: string): readonly ChoiceValue[] {
    const v = this.variable(name);
    return v.kind === 'categorical' ? v.options : v.grid;
  }

  /** Why `arch` is not a valid architecture of this space, or null when it is. */
  invalidReason(arch: unknown): string | null {
    const r = this.shapeReason(arch);
    if (r !== null) return r;
    return this.constraintReason(arch as ChoiceArch);
  }

  isValid(arch: ChoiceArch): boolean {
    return this.invalidReason(arch) === null;
  }

  /** Grid/option index of every variable, in declaration order. */
  indices(arch: ChoiceArch): number[] {
    this.checkShape(arch, 'indices');
    return this.variables.map((v) => indexOfValue(v, arch[v.name]));
  }

  fromIndices(idx: readonly number[]): ChoiceArch {
    if (idx.length !== this.variables.length) throw new Error(`${this.name}: expected ${this.variables.length} indices, got ${idx.length}`);
    const out: Record<string, ChoiceValue> = {};
    this.variables.forEach((v, i) => {
      const k = idx[i]!;
      if (!Number.isInteger(k) || k < 0 || k >= cardinality(v)) throw new Error(`${this.name}: index ${k} for '${v.name}' is outside [0, ${cardinality(v)})`);
      out[v.name] = valueAt(v, k);
    });
    return out;
  }

  sample(rng: Rng): ChoiceArch {
    for (let t = 0; t < this.sampleTries; t++) {
      const a = this.fromIndices(this.variables.map((v) => rng.int(cardinality(v))));
      if (this.constraintReason(a) === null) return a;
    }
    throw new Error(`${this.name}: no architecture satisfying the constraint in ${this.sampleTries} uniform draws; the constraint may be unsatisfiable`);
  }

  encode(arch: ChoiceArch): ArchEncoding {
    const idx = this.indices(arch);
    const flat = new Float32Array(this.flatDim);
    this.variables.forEach((v, i) => {
      if (v.kind === 'categorical') flat[v.offset + idx[i]!] = 1;
      else flat[v.offset] = (idx[i]! + 0.5) / v.grid.length;
    });
    return { flat };
  }

  logits(arch: ChoiceArch, c = 3): Float64Array {
    const idx = this.indices(arch);
    const z = new Float64Array(this.logitDim);
    this.variables.forEach((v, i) => {
      if (v.kind === 'categorical') z[v.offset + idx[i]!] = c;
      else {
        const u = (idx[i]! + 0.5) / v.grid.length;
        z[v.offset] = Math.log(u / (1 - u));
      }
    });
    return z;
  }

  relax(z: Tensor, opts: { readonly tau?: number } = {}): RelaxedBatch {
    const tau = this.checkLogits(z, opts.tau, 'relax');
    const b = z.shape[0]!;
    const parts = this.variables.map((v) => {
      const zs = z.slice([0, v.offset], [b, v.offset + v.width]);
      return v.kind === 'categorical' ? softmax(zs.div(tau), -1) : zs.sigmoid();
    });
    return { flat: parts.length === 1 ? parts[0]! : concat(parts, 1) };
  }

  /**
   * Relaxed values per variable (see the module comment): ordered → [B] in the variable's own
   * units, categorical → [B, k] softmax(z/τ) probabilities. Differentiable in z.
   */
  relaxedValues(z: Tensor, opts: { readonly tau?: number } = {}): RelaxedValues {
    const tau = this.checkLogits(z, opts.tau, 'relaxedValues');
    const b = z.shape[0]!;
    const out = new Map<string, Tensor>();
    for (const v of this.variables) {
      const zs = z.slice([0, v.offset], [b, v.offset + v.width]);
      if (v.kind === 'categorical') {
        out.set(v.name, softmax(zs.div(tau), -1));
        continue;
      }
      const n = v.grid.length;
      const t = zs.sigmoid().mul(n).sub(0.5).reshape([b]);
      const logScale = v.decl.type === 'log-int';
      const g = logScale ? v.grid.map(Math.log) : v.grid;
      const val = interpolate(g, t, z.dtype);
      out.set(v.name, logScale ? val.exp() : val);
    }
    return out;
  }

  project(z: ArrayLike<number>): Projection<ChoiceArch> {
    if (z.length !== this.logitDim) return { ok: false, reason: `${this.name} project: expected ${this.logitDim} logits, got ${z.length}` };
    for (let i = 0; i < z.length; i++) {
      if (!Number.isFinite(z[i]!)) return { ok: false, reason: `${this.name} project: logit ${i} (${this.slotName(i)}) is ${z[i]}` };
    }
    const idx = this.variables.map((v) => {
      if (v.kind === 'categorical') {
        let best = 0;
        for (let k = 1; k < v.width; k++) if (z[v.offset + k]! > z[v.offset + best]!) best = k;
        return best;
      }
      const n = v.grid.length;
      const s = 1 / (1 + Math.exp(-z[v.offset]!));
      return Math.min(n - 1, Math.max(0, Math.floor(s * n)));
    });
    const arch = this.fromIndices(idx);
    const why = this.constraintReason(arch);
    return why === null ? { ok: true, arch } : { ok: false, reason: `${this.name} project: ${this.toString(arch)} violates the constraint: ${why}` };
  }

  hash(arch: ChoiceArch): string {
    return this.toString(arch);
  }

  /**
   * Change one variable: a categorical to another option, an ordered variable to an adjacent grid
   * point half of the time and to any other grid point otherwise (so long grids are crossed in a
   * few steps). Redrawn until the constraint holds.
   */
  mutate(arch: ChoiceArch, rng: Rng): ChoiceArch {
    const idx = this.indices(arch);
    const movable = this.variables.map((v, i) => i).filter((i) => cardinality(this.variables[i]!) > 1);
    if (movable.length === 0) throw new Error(`${this.name}: every variable has a single value, nothing to mutate`);
    for (let t = 0; t < 100; t++) {
      const i = rng.choice(movable);
      const v = this.variables[i]!;
      const n = cardinality(v);
      const k = idx[i]!;
      let next: number;
      if (v.kind === 'ordered' && rng.next() < 0.5) {
        next = k === 0 ? 1 : k === n - 1 ? n - 2 : k + (rng.next() < 0.5 ? -1 : 1);
      } else {
        next = (k + 1 + rng.int(n - 1)) % n;
      }
      const out = [...idx];
      out[i] = next;
      const a = this.fromIndices(out);
      if (this.constraintReason(a) === null) return a;
    }
    const ns = this.neighbours(arch);
    if (ns.length === 0) throw new Error(`${this.name}: ${this.toString(arch)} has no valid one-variable change`);
    return rng.choice(ns);
  }

  /** Every valid one-variable change: other options of a categorical, adjacent grid points of an ordered variable. */
  neighbours(arch: ChoiceArch): ChoiceArch[] {
    const idx = this.indices(arch);
    const out: ChoiceArch[] = [];
    this.variables.forEach((v, i) => {
      const k = idx[i]!;
      const cands = v.kind === 'categorical' ? v.options.map((_, j) => j).filter((j) => j !== k) : [k - 1, k + 1].filter((j) => j >= 0 && j < v.grid.length);
      for (const j of cands) {
        const n = [...idx];
        n[i] = j;
        const a = this.fromIndices(n);
        if (this.constraintReason(a) === null) out.push(a);
      }
    });
    return out;
  }

  toString(arch: ChoiceArch): string {
    this.checkShape(arch, 'toString');
    return this.variables.map((v) => `${v.name}=${String(arch[v.name])}`).join(',');
  }

  parse(s: string): ChoiceArch {
    const fail = (msg: string): never => {
      throw new Error(`${this.name}: cannot parse '${s}': ${msg}; expected ${this.variables.map((v) => `${v.name}=…`).join(',')}`);
    };
    const out: Record<string, ChoiceValue> = {};
    const parts = s.trim() === '' ? [] : s.split(',');
    for (const part of parts) {
      const eq = part.indexOf('=');
      if (eq < 0) fail(`'${part.trim()}' is not of the form name=value`);
      const name = part.slice(0, eq).trim();
      const text = part.slice(eq + 1).trim();
      const v = this.byName.get(name);
      if (!v) fail(`unknown variable '${name}' (variables: ${[...this.byName.keys()].join(', ')})`);
      if (Object.hasOwn(out, name)) fail(`variable '${name}' is given twice`);
      const value: ChoiceValue = v!.kind === 'categorical' ? text : text === '' ? NaN : Number(text);
      if (indexOfValue(v!, value) < 0) fail(`'${text}' is not a value of '${name}' (values: ${describeValues(v!)})`);
      out[name] = value;
    }
    const missing = this.variables.filter((v) => !Object.hasOwn(out, v.name)).map((v) => v.name);
    if (missing.length > 0) fail(`missing variable(s) ${missing.join(', ')}`);
    const ordered = this.fromIndices(this.variables.map((v) => indexOfValue(v, out[v.name])));
    const why = this.constraintReason(ordered);
    if (why !== null) fail(`it violates the constraint: ${why}`);
    return ordered;
  }

  private *enumerateAll(): Iterable<ChoiceArch> {
    const card = this.variables.map(cardinality);
    const idx = card.map(() => 0);
    for (;;) {
      const a = this.fromIndices(idx);
      if (this.constraintReason(a) === null) yield a;
      let i = idx.length - 1;
      while (i >= 0 && ++idx[i]! === card[i]!) idx[i--] = 0;
      if (i < 0) return;
    }
  }

  private shapeReason(arch: unknown): string | null {
    if (typeof arch !== 'object' || arch === null || Array.isArray(arch)) return `expected a record of ${this.variables.length} values, got ${String(arch)}`;
    const rec = arch as Record<string, unknown>;
    for (const k of Object.keys(rec)) if (!this.byName.has(k)) return `unknown variable '${k}'`;
    for (const v of this.variables) {
      if (!Object.hasOwn(rec, v.name)) return `missing variable '${v.name}'`;
      if (indexOfValue(v, rec[v.name]) < 0) return `'${v.name}' = ${JSON.stringify(rec[v.name])} is not one of ${describeValues(v)}`;
    }
    return null;
  }

  private constraintReason(arch: ChoiceArch): string | null {
    if (!this.constraint) return null;
    const r = this.constraint(arch);
    return r === true ? null : r === false ? 'the space constraint is not satisfied' : r;
  }

  private checkShape(arch: ChoiceArch, where: string): void {
    const r = this.shapeReason(arch);
    if (r !== null) throw new Error(`${this.name} ${where}: ${r}`);
  }

  private checked(arch: ChoiceArch, where: string): ChoiceArch {
    const r = this.invalidReason(arch);
    if (r !== null) throw new Error(`${this.name} ${where}: ${r}`);
    return arch;
  }

  private checkLogits(z: Tensor, tau: number | undefined, where: string): number {
    const t = tau ?? 1;
    if (!(t > 0) || !Number.isFinite(t)) throw new Error(`${this.name} ${where}: tau must be a finite number > 0, got ${t}`);
    if (z.rank !== 2 || z.shape[1] !== this.logitDim) {
      throw new Error(`${this.name} ${where}: logits must have shape [B, ${this.logitDim}], got [${z.shape.join(', ')}]`);
    }
    return t;
  }

  private slotName(i: number): string {
    const v = this.variables.find((x) => i >= x.offset && i < x.offset + x.width)!;
    return v.kind === 'categorical' ? `${v.name}=${v.options[i - v.offset]}` : v.name;
  }
}

/**
 * Piecewise-linear interpolation of grid g at continuous indices t ([B]), extrapolated by the
 * first and last segments: g0 + Σ_k Δk·clamp(t − k, 0, 1) + Δ0·min(t, 0) + Δlast·max(t − (n−1), 0).
 */
function interpolate(g: readonly number[], t: Tensor, dtype: Tensor['dtype']): Tensor {
  const n = g.length;
  if (n === 1) return full(t.shape, g[0]!, { dtype }).add(t.mul(0));
  let acc = minimum(t, 0).mul(g[1]! - g[0]!).add(g[0]!);
  for (let k = 0; k < n - 1; k++) {
    const d = g[k + 1]! - g[k]!;
    if (d !== 0) acc = acc.add(minimum(maximum(t.sub(k), 0), 1).mul(d));
  }
  return acc.add(maximum(t.sub(n - 1), 0).mul(g[n - 1]! - g[n - 2]!));
}

export function choiceSpace(opts: ChoiceSpaceOptions): ChoiceSpace {
  return new ChoiceSpace(opts);
}
