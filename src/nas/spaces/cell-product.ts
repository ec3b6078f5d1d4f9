/**
 * The product of a choice-vector space (./choices.ts) and a graph cell space (./cell.ts): what a
 * JSON specification with both "variables" and a "cell" describes, e.g. a training recipe or macro
 * skeleton around a searched cell.
 *
 * An architecture is `{ values: ChoiceArch, cell: CellArch }`. Layouts concatenate, values first:
 * flat = choice flat ++ cell flat, logits likewise, relax/project split the logits at the choice
 * part's logitDim; the graph view is the cell's. Hash and printed form join the parts with
 * PART_SEPARATOR, ' + ', e.g. `depth=3,act=relu + 011001000|conv3x3`: neither part can contain
 * whitespace (variable names, options and cell op names exclude it, numbers never print it), so
 * the separator is unambiguous even though options and numbers may contain '+' or '|'.
 *
 * mutate changes one part, chosen with equal odds (the other one when the chosen part cannot change); neighbours are
 * the choice part's neighbours with the same cell plus the cell's neighbours with the same values.
 */
import { concat, slice, type Tensor } from '../../autograd/index.js';
import type { Rng } from '../../autograd/random.js';
import { lazyGraphView, type ArchEncoding, type Projection, type RelaxedBatch, type SearchSpace } from '../space.js';
import type { ChoiceArch, ChoiceSpace } from './choices.js';
import type { CellArch, CellSpace } from './cell.js';

export interface ChoiceCellArch {
  readonly values: ChoiceArch;
  readonly cell: CellArch;
}

export const PART_SEPARATOR = ' + ';
const SPLIT_RE = /\s+\+\s+/;

export class ChoiceCellSpace implements SearchSpace<ChoiceCellArch> {
  readonly name: string;
  readonly logitDim: number;
  readonly flatDim: number;
  readonly graphDims: { readonly n: number; readonly f: number };

  constructor(
    readonly choices: ChoiceSpace,
    readonly cell: CellSpace,
    name = choices.name,
  ) {
    this.name = name;
    this.logitDim = choices.logitDim + cell.logitDim;
    this.flatDim = choices.flatDim + cell.flatDim;
    this.graphDims = cell.graphDims;
  }

  sample(rng: Rng): ChoiceCellArch {
    const values = this.choices.sample(rng);
    return { values, cell: this.cell.sample(rng) };
  }

  encode(arch: ChoiceCellArch): ArchEncoding {
    const a = this.checked(arch, 'encode');
    const v = this.choices.encode(a.values);
    const c = this.cell.encode(a.cell);
    const flat = new Float32Array(this.flatDim);
    flat.set(v.flat, 0);
    flat.set(c.flat, v.flat.length);
    return c.graph ? { flat, graph: c.graph } : { flat };
  }

  logits(arch: ChoiceCellArch, c?: number): Float64Array {
    const a = this.checked(arch, 'logits');
    const z = new Float64Array(this.logitDim);
    z.set(this.choices.logits(a.values, c), 0);
    z.set(this.cell.logits(a.cell, c), this.choices.logitDim);
    return z;
  }

  relax(z: Tensor, opts: { readonly tau?: number } = {}): RelaxedBatch {
    if (z.shape.length !== 2 || z.shape[1] !== this.logitDim) {
      throw new Error(`${this.name} relax: logits must have shape [B, ${this.logitDim}], got [${z.shape.join(', ')}]`);
    }
    const b = z.shape[0]!;
    const split = this.choices.logitDim;
    const v = this.choices.relax(slice(z, [0, 0], [b, split]), opts);
    const c = this.cell.relax(slice(z, [0, split], [b, this.logitDim]), opts);
    const flat = concat([v.flat, c.flat], 1);
    // The cell's graph view, still unbuilt: read through its getters only if a predictor asks.
    return 'adj' in c ? lazyGraphView(flat, () => ({ adj: c.adj!, nodes: c.nodes! })) : { flat };
  }

  project(z: ArrayLike<number>): Projection<ChoiceCellArch> {
    if (z.length !== this.logitDim) return { ok: false, reason: `${this.name} project: expected ${this.logitDim} logits, got ${z.length}` };
    const split = this.choices.logitDim;
    const zs = Array.from(z);
    const v = this.choices.project(zs.slice(0, split));
    if (!v.ok) return { ok: false, reason: `${this.name} project (variables): ${v.reason}` };
    const c = this.cell.project(zs.slice(split));
    if (!c.ok) return { ok: false, reason: `${this.name} project (cell): ${c.reason}` };
    return { ok: true, arch: { values: v.arch, cell: c.arch } };
  }

  hash(arch: ChoiceCellArch): string {
    const a = this.checked(arch, 'hash');
    return `${this.choices.hash(a.values)}${PART_SEPARATOR}${this.cell.hash(a.cell)}`;
  }

  mutate(arch: ChoiceCellArch, rng: Rng): ChoiceCellArch {
    const a = this.checked(arch, 'mutate');
    const values = (): ChoiceCellArch => ({ values: this.choices.mutate(a.values, rng), cell: a.cell });
    const cell = (): ChoiceCellArch => ({ values: a.values, cell: this.cell.mutate(a.cell, rng) });
    const [first, second] = rng.next() < 0.5 ? [values, cell] : [cell, values];
    // A part that cannot change (every variable fixed, or a single-cell space) says so by throwing; then the other part moves.
    try {
      return first();
    } catch (e1) {
      try {
        return second();
      } catch (e2) {
        throw new Error(`${this.name} mutate: neither part can change: ${(e1 as Error).message}; ${(e2 as Error).message}`);
      }
    }
  }

  neighbours(arch: ChoiceCellArch): ChoiceCellArch[] {
    const a = this.checked(arch, 'neighbours');
    return [
      ...this.choices.neighbours(a.values).map((values) => ({ values, cell: a.cell })),
      ...this.cell.neighbours(a.cell).map((cell) => ({ values: a.values, cell })),
    ];
  }

  toString(arch: ChoiceCellArch): string {
    const a = this.shaped(arch, 'toString');
    return `${this.choices.toString(a.values)}${PART_SEPARATOR}${this.cell.toString(a.cell)}`;
  }

  parse(s: string): ChoiceCellArch {
    const parts = s.trim().split(SPLIT_RE);
    if (parts.length !== 2) {
      throw new Error(`${this.name}: cannot parse '${s}': found ${parts.length - 1} '${PART_SEPARATOR}' separator(s), expected 1; expected '<variables>${PART_SEPARATOR}<cell>', e.g. '${this.example()}'`);
    }
    const [values, cell] = parts as [string, string];
    const wrap = <T>(part: string, f: () => T): T => {
      try {
        return f();
      } catch (e) {
        throw new Error(`${this.name}: cannot parse '${s}': in the ${part} part: ${(e as Error).message}`);
      }
    };
    return { values: wrap('variables', () => this.choices.parse(values)), cell: wrap('cell', () => this.cell.parse(cell)) };
  }

  isValid(arch: ChoiceCellArch): boolean {
    return this.invalidReason(arch) === null;
  }

  /** Why `arch` is not an architecture of this space, naming the part, or null. */
  invalidReason(arch: unknown): string | null {
    if (typeof arch !== 'object' || arch === null || Array.isArray(arch)) return `expected { values, cell }, got ${String(arch)}`;
    const keys = Object.keys(arch).sort().join(',');
    if (keys !== 'cell,values') return `expected exactly the keys cell and values, got ${keys === '' ? 'none' : keys}`;
    const { values, cell } = arch as ChoiceCellArch;
    const v = this.choices.invalidReason(values);
    if (v !== null) return `values: ${v}`;
    const c = this.cell.invalidReason(cell);
    return c === null ? null : `cell: ${c}`;
  }

  private checked(arch: ChoiceCellArch, where: string): ChoiceCellArch {
    const r = this.invalidReason(arch);
    if (r !== null) throw new Error(`${this.name} ${where}: ${r}`);
    return arch;
  }

  /** toString needs well-formed parts only (the cell may be unpruned or over the limits, as the cell space allows). */
  private shaped(arch: ChoiceCellArch, where: string): ChoiceCellArch {
    if (typeof arch !== 'object' || arch === null || !('values' in arch) || !('cell' in arch)) {
      throw new Error(`${this.name} ${where}: expected { values, cell }, got ${String(arch)}`);
    }
    return arch;
  }

  /** A printed architecture for error messages: the projection of all-zero logits. */
  private example(): string {
    const p = this.project(new Float64Array(this.logitDim));
    return p.ok ? this.toString(p.arch) : `name=value,...${PART_SEPARATOR}0100|`;
  }
}
