/**
 * JSON space specifications: users define a search space without writing TypeScript — a vector of
 * choices (./choices.ts), a NAS-Bench-101-style graph cell (./cell.ts), or both (./cell-product.ts).
 * Core module: it takes the text (or a parsed value), never a path.
 *
 * Format (every key not listed is rejected, so typos fail loudly):
 *
 *   {
 *     "name": string,                      // required, non-empty: the space's id
 *     "description"?: string,              // free text, ignored
 *     "variables"?: [ Variable, ... ],     // names distinct; required and non-empty unless a cell
 *     "cell"?: Cell                        //   is given (then absent or [] means "cell only")
 *   }
 *
 *   Variable, by "type" (names match /^[A-Za-z_][A-Za-z0-9_.-]*$/):
 *     { "name", "type": "categorical", "options": [string, ...] }      // distinct, no ',', '=', spaces
 *     { "name", "type": "int", "min": int, "max": int, "step"?: int ≥ 1 }   // max − min multiple of step
 *     { "name", "type": "log-int", "min": int ≥ 1, "max": int, "steps"?: int, "multipleOf"?: int ≥ 1 }
 *          // geometric grid of `steps` points (default ratio ≈ 2), rounded to multiples, merged if equal
 *     { "name", "type": "ordinal", "values": [number, ...] }          // strictly increasing or decreasing
 *
 *   Cell (a DAG: vertex 0 the input, the last the output, interior vertices one op each):
 *     { "maxNodes": int in [2, 16],        // vertices, input and output included (NAS-Bench-101: 7)
 *       "ops": [string, ...],              // interior ops: distinct names like variable names,
 *                                          //   not "input"/"output" (NAS-Bench-101: 3 ops)
 *       "maxEdges"?: int ≥ 1,              // edge limit of the pruned cell (default: no limit)
 *       "minNodes"?: int ≥ 2 }             // vertex floor of the pruned cell (default 2)
 *
 * Which space a spec describes (`specSpace`): variables only → a ChoiceSpace; a cell only → a
 * CellSpace (architectures `{ adjacency, ops }`, printed `<n*n bits>|<op,op,...>`); both → a
 * ChoiceCellSpace (architectures `{ values, cell }`, printed `<name=value,...> + <cell>`, flat
 * encoding = variables' ++ cell's, graph view = the cell's). `spaceFromSpec` is the choice-only
 * entry point kept for callers that need a ChoiceSpace (its variables, size, enumeration).
 *
 * Errors are `SpecError`s whose message is `<JSON path>: expected <what>, got <what>`, e.g.
 * `variables[2].max: expected an integer ≥ min (16), got 8` or
 * `cell.maxEdges: expected an integer in [1, 21] (21 = every vertex pair of 7 vertices), got 30`.
 */
import { ChoiceSpace, type ChoiceSpaceOptions } from './choices.js';
import { SpecError, checkKeys, isRecord, validateVariable, type ChoiceVariable } from './choices-vars.js';
import { CellSpace, validateCellSpec, type CellSpec } from './cell.js';
import { ChoiceCellSpace } from './cell-product.js';

export { SpecError } from './choices-vars.js';

export interface SpaceSpec {
  readonly name: string;
  readonly description?: string;
  /** Empty only when `cell` is present. */
  readonly variables: readonly ChoiceVariable[];
  /** Validated, with defaults filled in (so a validated spec is itself a valid spec). */
  readonly cell?: CellSpec;
}

/** The spaces a specification can describe. */
export type SpecSpace = ChoiceSpace | CellSpace | ChoiceCellSpace;

const TOP_KEYS = ['name', 'description', 'variables', 'cell'] as const;

/** Validate a parsed JSON value as a space specification. */
export function validateSpaceSpec(spec: unknown): SpaceSpec {
  if (!isRecord(spec)) throw new SpecError('$', 'a JSON object with "name" and "variables"', spec);
  checkKeys(spec, TOP_KEYS, '$');
  const name = spec['name'];
  if (typeof name !== 'string' || name.trim() === '') throw new SpecError('name', 'a non-empty string', name);
  const description = spec['description'];
  if (description !== undefined && typeof description !== 'string') throw new SpecError('description', 'a string', description);
  const cell = spec['cell'] === undefined ? undefined : validateCellSpec(spec['cell'], 'cell');
  const vars = spec['variables'];
  if (cell !== undefined && (vars === undefined || (Array.isArray(vars) && vars.length === 0))) {
    return { name, ...(description === undefined ? {} : { description }), variables: [], cell };
  }
  if (!Array.isArray(vars) || vars.length === 0) {
    throw new SpecError('variables', cell === undefined ? 'a non-empty array of variable objects' : 'an array of variable objects (or no "variables": the cell alone)', vars);
  }
  const variables = vars.map((v, i) => validateVariable(v, `variables[${i}]`));
  const seen = new Map<string, number>();
  variables.forEach((v, i) => {
    const first = seen.get(v.name);
    if (first !== undefined) throw new SpecError(`variables[${i}].name`, `a name not already used (variables[${first}] is "${v.name}")`, v.name);
    seen.set(v.name, i);
  });
  return { name, ...(description === undefined ? {} : { description }), variables, ...(cell === undefined ? {} : { cell }) };
}

/** Parse JSON text, reporting syntax errors as a SpecError at `$`. */
export function parseSpaceSpec(text: string): SpaceSpec {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new SpecError('$', 'valid JSON', text, `a syntax error (${(e as Error).message})`);
  }
  return validateSpaceSpec(value);
}

/**
 * The space a specification (text or parsed value) describes: a ChoiceSpace, a CellSpace or a
 * ChoiceCellSpace (see the format above). `extra` (constraint, costs) applies to the variables.
 */
export function specSpace(spec: string | unknown, extra: Omit<ChoiceSpaceOptions, 'name' | 'variables'> = {}): SpecSpace {
  const s = typeof spec === 'string' ? parseSpaceSpec(spec) : validateSpaceSpec(spec);
  if (s.cell === undefined) return new ChoiceSpace({ ...extra, name: s.name, variables: s.variables });
  const cell = new CellSpace({ name: s.variables.length === 0 ? s.name : `${s.name}.cell`, ...s.cell });
  if (s.variables.length === 0) return cell;
  return new ChoiceCellSpace(new ChoiceSpace({ ...extra, name: `${s.name}.variables`, variables: s.variables }), cell, s.name);
}

/**
 * The choice space of a variables-only specification. A spec with a "cell" is rejected (at
 * `cell`) with a pointer to specSpace, which builds every kind.
 */
export function spaceFromSpec(spec: string | unknown, extra: Omit<ChoiceSpaceOptions, 'name' | 'variables'> = {}): ChoiceSpace {
  const s = typeof spec === 'string' ? parseSpaceSpec(spec) : validateSpaceSpec(spec);
  if (s.cell !== undefined) {
    throw new SpecError('cell', 'no "cell" for spaceFromSpec, which builds choice spaces only (use specSpace for specs with a graph cell)', s.cell);
  }
  return new ChoiceSpace({ ...extra, name: s.name, variables: s.variables });
}
