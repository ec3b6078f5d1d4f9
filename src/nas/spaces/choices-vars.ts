/**
 * The variables of a choice-vector space (see ./choices.ts): their declarations, one validator
 * shared by the TypeScript constructor and the JSON specification (so both give the same precise
 * errors), and their compiled form, a grid of admissible values.
 *
 * Four kinds:
 * - `categorical`: unordered string options;
 * - `int`: min, min+step, …, max (max − min must be a multiple of step);
 * - `log-int`: a geometric grid of `steps` points from min to max, each rounded to a multiple of
 *   `multipleOf` (default 1); points that rounding merges are kept once, so a grid of widths
 *   8..256 in multiples of 8 may end up with fewer than `steps` points (the compiled grid says);
 * - `ordinal`: an explicit strictly monotone list of numbers (e.g. learning rates [0.1, 0.01]).
 * The last three are *ordered*: the grid order is meaningful and neighbours are adjacent points.
 */

export type CategoricalVariable = { readonly type: 'categorical'; readonly name: string; readonly options: readonly string[] };
export type IntVariable = { readonly type: 'int'; readonly name: string; readonly min: number; readonly max: number; readonly step?: number };
export type LogIntVariable = {
  readonly type: 'log-int';
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Geometric grid points before rounding (default: ratio ≈ 2, i.e. round(log2(max/min)) + 1). */
  readonly steps?: number;
  readonly multipleOf?: number;
};
export type OrdinalVariable = { readonly type: 'ordinal'; readonly name: string; readonly values: readonly number[] };
export type ChoiceVariable = CategoricalVariable | IntVariable | LogIntVariable | OrdinalVariable;
export type ChoiceVariableType = ChoiceVariable['type'];
export const CHOICE_VARIABLE_TYPES: readonly ChoiceVariableType[] = ['categorical', 'int', 'log-int', 'ordinal'];

/** A compiled variable: its values in order, and where it sits in the flat/logit vectors. */
export type CompiledVariable =
  | { readonly kind: 'categorical'; readonly decl: CategoricalVariable; readonly name: string; readonly options: readonly string[]; readonly offset: number; readonly width: number }
  | { readonly kind: 'ordered'; readonly decl: IntVariable | LogIntVariable | OrdinalVariable; readonly name: string; readonly grid: readonly number[]; readonly offset: number; readonly width: 1 };

/**
 * Grid points one int / log-int variable may have. The grid is built as an array, so an int range
 * of 1e9 ran the process out of memory (found by fuzzing); no searchable variable needs more.
 */
export const MAX_GRID_POINTS = 100_000;

/** Variable and option names: printable in `name=value,...` without quoting. */
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const OPTION_RE = /^[^,=\s]+$/;

export class SpecError extends Error {
  constructor(
    readonly path: string,
    readonly expected: string,
    readonly got: unknown,
    /** Overrides the description of `got` (e.g. for a JSON syntax error). */
    gotText?: string,
  ) {
    super(`${path}: expected ${expected}, got ${gotText ?? describe(got)}`);
    this.name = 'SpecError';
  }
}

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing (key missing)';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  try {
    const s = JSON.stringify(v);
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return typeof v;
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reject keys outside `allowed`, naming the first unknown one and listing the allowed ones. */
export function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) throw new SpecError(`${path}.${k}`, `no such key (allowed: ${allowed.join(', ')})`, obj[k]);
  }
}

function int(obj: Record<string, unknown>, key: string, path: string, lo = -Infinity): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < lo) {
    throw new SpecError(`${path}.${key}`, lo > -Infinity ? `an integer ≥ ${lo}` : 'an integer', v);
  }
  return v;
}

/**
 * Validate one variable declaration (from JSON or TypeScript), returning a typed copy. `path`
 * prefixes every error (e.g. `variables[2]`).
 */
export function validateVariable(v: unknown, path: string): ChoiceVariable {
  if (!isRecord(v)) throw new SpecError(path, 'an object with "name" and "type"', v);
  const name = v['name'];
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    throw new SpecError(`${path}.name`, `a name matching ${NAME_RE.source}`, name);
  }
  const type = v['type'];
  switch (type) {
    case 'categorical': {
      checkKeys(v, ['name', 'type', 'options'], path);
      const options = v['options'];
      if (!Array.isArray(options) || options.length === 0) throw new SpecError(`${path}.options`, 'a non-empty array of strings', options);
      const seen = new Set<string>();
      options.forEach((o, i) => {
        if (typeof o !== 'string' || !OPTION_RE.test(o)) {
          throw new SpecError(`${path}.options[${i}]`, 'a non-empty string without commas, "=" or whitespace', o);
        }
        if (seen.has(o)) throw new SpecError(`${path}.options[${i}]`, 'distinct options', `a repeat of ${JSON.stringify(o)}`);
        seen.add(o);
      });
      return { type, name, options: [...(options as string[])] };
    }
    case 'int': {
      checkKeys(v, ['name', 'type', 'min', 'max', 'step'], path);
      const min = int(v, 'min', path);
      const max = int(v, 'max', path);
      if (max < min) throw new SpecError(`${path}.max`, `an integer ≥ min (${min})`, max);
      const step = v['step'] === undefined ? 1 : int(v, 'step', path, 1);
      if ((max - min) % step !== 0) throw new SpecError(`${path}.max`, `min + k·step (max − min = ${max - min} is not a multiple of step ${step})`, max);
      if ((max - min) / step + 1 > MAX_GRID_POINTS) {
        throw new SpecError(`${path}.max`, `at most ${MAX_GRID_POINTS} values per variable (min ${min}, step ${step}: max ≤ ${min + (MAX_GRID_POINTS - 1) * step})`, max);
      }
      return { type, name, min, max, step };
    }
    case 'log-int': {
      checkKeys(v, ['name', 'type', 'min', 'max', 'steps', 'multipleOf'], path);
      const multipleOf = v['multipleOf'] === undefined ? 1 : int(v, 'multipleOf', path, 1);
      const min = int(v, 'min', path, 1);
      const max = int(v, 'max', path, 1);
      if (max < min) throw new SpecError(`${path}.max`, `an integer ≥ min (${min})`, max);
      if (min % multipleOf !== 0) throw new SpecError(`${path}.min`, `a multiple of multipleOf (${multipleOf})`, min);
      if (max % multipleOf !== 0) throw new SpecError(`${path}.max`, `a multiple of multipleOf (${multipleOf})`, max);
      const steps = v['steps'] === undefined ? defaultLogSteps(min, max) : int(v, 'steps', path, 1);
      if (max > min && steps < 2) throw new SpecError(`${path}.steps`, 'at least 2 grid points when max > min', steps);
      if (max === min && steps !== 1) throw new SpecError(`${path}.steps`, '1 when min = max', steps);
      if (steps > MAX_GRID_POINTS) throw new SpecError(`${path}.steps`, `at most ${MAX_GRID_POINTS} grid points`, steps);
      return { type, name, min, max, steps, multipleOf };
    }
    case 'ordinal': {
      checkKeys(v, ['name', 'type', 'values'], path);
      const values = v['values'];
      if (!Array.isArray(values) || values.length === 0) throw new SpecError(`${path}.values`, 'a non-empty array of numbers', values);
      values.forEach((x, i) => {
        if (typeof x !== 'number' || !Number.isFinite(x)) throw new SpecError(`${path}.values[${i}]`, 'a finite number', x);
      });
      const xs = values as number[];
      const dir = xs.length > 1 ? Math.sign(xs[1]! - xs[0]!) : 1;
      for (let i = 1; i < xs.length; i++) {
        if (dir === 0 || Math.sign(xs[i]! - xs[i - 1]!) !== dir) {
          throw new SpecError(`${path}.values[${i}]`, `strictly ${dir < 0 ? 'decreasing' : 'increasing'} values (an ordinal is ordered)`, xs[i]);
        }
      }
      return { type, name, values: [...xs] };
    }
    default:
      throw new SpecError(`${path}.type`, `one of ${CHOICE_VARIABLE_TYPES.map((t) => JSON.stringify(t)).join(', ')}`, type);
  }
}

function defaultLogSteps(min: number, max: number): number {
  return max === min ? 1 : Math.max(2, Math.round(Math.log2(max / min)) + 1);
}

/** The admissible values of an ordered variable, in order. */
export function orderedGrid(v: IntVariable | LogIntVariable | OrdinalVariable): number[] {
  if (v.type === 'ordinal') return [...v.values];
  if (v.type === 'int') {
    const step = v.step ?? 1;
    return Array.from({ length: (v.max - v.min) / step + 1 }, (_, k) => v.min + k * step);
  }
  const m = v.multipleOf ?? 1;
  const steps = v.steps ?? defaultLogSteps(v.min, v.max);
  if (steps === 1) return [v.min];
  const out: number[] = [];
  for (let k = 0; k < steps; k++) {
    const x = k === steps - 1 ? v.max : v.min * (v.max / v.min) ** (k / (steps - 1));
    const q = Math.min(v.max, Math.max(v.min, Math.round(x / m) * m));
    if (out[out.length - 1] !== q) out.push(q);
  }
  return out;
}

/** Compile validated declarations, assigning flat/logit offsets in declaration order. */
export function compileVariables(vars: readonly ChoiceVariable[]): CompiledVariable[] {
  const names = new Set<string>();
  let offset = 0;
  return vars.map((decl, i) => {
    if (names.has(decl.name)) throw new SpecError(`variables[${i}].name`, 'a name not used by an earlier variable', decl.name);
    names.add(decl.name);
    if (decl.type === 'categorical') {
      const c: CompiledVariable = { kind: 'categorical', decl, name: decl.name, options: decl.options, offset, width: decl.options.length };
      offset += decl.options.length;
      return c;
    }
    const c: CompiledVariable = { kind: 'ordered', decl, name: decl.name, grid: orderedGrid(decl), offset, width: 1 };
    offset += 1;
    return c;
  });
}

/** Number of admissible values. */
export function cardinality(v: CompiledVariable): number {
  return v.kind === 'categorical' ? v.options.length : v.grid.length;
}

/** Index of a value in a variable's option list / grid, or -1. */
export function indexOfValue(v: CompiledVariable, value: unknown): number {
  if (v.kind === 'categorical') return typeof value === 'string' ? v.options.indexOf(value) : -1;
  return typeof value === 'number' ? v.grid.indexOf(value) : -1;
}

export function valueAt(v: CompiledVariable, k: number): string | number {
  return v.kind === 'categorical' ? v.options[k]! : v.grid[k]!;
}

/** Human-readable list of admissible values, shortened for long grids. */
export function describeValues(v: CompiledVariable): string {
  const xs = v.kind === 'categorical' ? v.options : v.grid.map(String);
  return xs.length <= 12 ? xs.join(', ') : `${xs.slice(0, 5).join(', ')}, …, ${xs.slice(-3).join(', ')} (${xs.length} values)`;
}
