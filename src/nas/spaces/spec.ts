/**
 * JSON space specifications: users define a choice-vector space (./choices.ts) without writing
 * TypeScript. Core module: it takes the text (or a parsed value), never a path.
 *
 * Format (every key not listed is rejected, so typos fail loudly):
 *
 *   {
 *     "name": string,                      // required, non-empty: the space's id
 *     "description"?: string,              // free text, ignored
 *     "variables": [ Variable, ... ],      // required, at least one, names distinct
 *     "cell"?: ...                         // reserved for an NB-101-like graph cell: rejected
 *   }                                      //   with "not supported yet" for now
 *
 *   Variable, by "type" (names match /^[A-Za-z_][A-Za-z0-9_.-]*$/):
 *     { "name", "type": "categorical", "options": [string, ...] }      // distinct, no ',', '=', spaces
 *     { "name", "type": "int", "min": int, "max": int, "step"?: int ≥ 1 }   // max − min multiple of step
 *     { "name", "type": "log-int", "min": int ≥ 1, "max": int, "steps"?: int, "multipleOf"?: int ≥ 1 }
 *          // geometric grid of `steps` points (default ratio ≈ 2), rounded to multiples, merged if equal
 *     { "name", "type": "ordinal", "values": [number, ...] }          // strictly increasing or decreasing
 *
 * Errors are `SpecError`s whose message is `<JSON path>: expected <what>, got <what>`, e.g.
 * `variables[2].max: expected an integer ≥ min (16), got 8`.
 */
import { ChoiceSpace, type ChoiceSpaceOptions } from './choices.js';
import { SpecError, checkKeys, isRecord, validateVariable, type ChoiceVariable } from './choices-vars.js';

export { SpecError } from './choices-vars.js';

export interface SpaceSpec {
  readonly name: string;
  readonly description?: string;
  readonly variables: readonly ChoiceVariable[];
}

const TOP_KEYS = ['name', 'description', 'variables', 'cell'] as const;

/** Validate a parsed JSON value as a space specification. */
export function validateSpaceSpec(spec: unknown): SpaceSpec {
  if (!isRecord(spec)) throw new SpecError('$', 'a JSON object with "name" and "variables"', spec);
  checkKeys(spec, TOP_KEYS, '$');
  const name = spec['name'];
  if (typeof name !== 'string' || name.trim() === '') throw new SpecError('name', 'a non-empty string', name);
  const description = spec['description'];
  if (description !== undefined && typeof description !== 'string') throw new SpecError('description', 'a string', description);
  if (spec['cell'] !== undefined) {
    throw new SpecError('cell', 'no "cell": graph cells in JSON specifications are not supported yet (use the built-in nb101 space, or express the choices as variables)', spec['cell']);
  }
  const vars = spec['variables'];
  if (!Array.isArray(vars) || vars.length === 0) throw new SpecError('variables', 'a non-empty array of variable objects', vars);
  const variables = vars.map((v, i) => validateVariable(v, `variables[${i}]`));
  const seen = new Map<string, number>();
  variables.forEach((v, i) => {
    const first = seen.get(v.name);
    if (first !== undefined) throw new SpecError(`variables[${i}].name`, `a name not already used (variables[${first}] is "${v.name}")`, v.name);
    seen.set(v.name, i);
  });
  return description === undefined ? { name, variables } : { name, description, variables };
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

/** The space a specification (text or parsed value) describes. */
export function spaceFromSpec(spec: string | unknown, extra: Omit<ChoiceSpaceOptions, 'name' | 'variables'> = {}): ChoiceSpace {
  const s = typeof spec === 'string' ? parseSpaceSpec(spec) : validateSpaceSpec(spec);
  return new ChoiceSpace({ ...extra, name: s.name, variables: s.variables });
}
