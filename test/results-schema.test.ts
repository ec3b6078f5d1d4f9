/**
 * The JSON Schema shipped for prednas.results/1 (schema/results.schema.json) and prednas's own
 * validator agree: both accept every committed results file and a fresh one, both reject each
 * structural defect, and the cross-field rules JSON Schema cannot state (runs = algorithms ×
 * seeds, query numbering) are caught by the validator, as the schema's description says.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { readResultsFile } from '../src/io/results-file.js';
import { runExperiment } from '../src/nas/experiment/runner.js';
import { FunctionOracle } from '../src/nas/benchmarks/synthetic.js';
import { spaceFromSpec } from '../src/nas/spaces/spec.js';
import { syntheticObjective } from '../src/io/run-space.js';
import { validateResults } from '../src/nas/report/results-schema.js';

const schema = JSON.parse(readFileSync('schema/results.schema.json', 'utf8')) as { required: string[]; title: string };
const check = new Ajv({ allErrors: true, strict: true }).compile(schema);
const bySchema = (v: unknown) => check(v) === true;
const byValidator = (v: unknown) => { try { validateResults(v); return true; } catch { return false; } };

// The committed compare folders (predictor-eval folders have another schema).
const committed = readdirSync('results', { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('predictor-'))
  .flatMap((d) => { try { return [[d.name, readResultsFile(join('results', d.name))] as const]; } catch { return []; } });

function fresh(): Record<string, unknown> {
  const space = spaceFromSpec({ name: 'p', variables: [{ name: 'a', type: 'int', min: 0, max: 7 }, { name: 'b', type: 'categorical', options: ['x', 'y', 'z'] }] });
  const oracle = new FunctionOracle('syn', space, space.enumerate!(), syntheticObjective(space, 1));
  const res = runExperiment({ oracle, dataset: 'synthetic', algorithms: ['random', 'rea'], budget: 12, seeds: [0, 1], checkpoints: [5, 10] });
  return JSON.parse(JSON.stringify({ ...res, prednas: '0.1.0', command: 'prednas compare …' })) as Record<string, unknown>;
}

describe('schema/results.schema.json', () => {
  it('accepts every committed results file and a fresh one, as the validator does', () => {
    expect(committed.length).toBeGreaterThan(10);
    expect(schema.title).toBe('prednas.results/1');
    for (const [name, res] of committed) {
      expect(bySchema(res), `${name}: ${JSON.stringify(check.errors?.slice(0, 2))}`).toBe(true);
      expect(byValidator(res), name).toBe(true);
    }
    expect(bySchema(fresh())).toBe(true);
    expect(byValidator(fresh())).toBe(true);
  });

  it('requires what the validator requires: removing any required field fails both', () => {
    for (const key of schema.required) {
      const v = fresh();
      delete v[key];
      expect(bySchema(v), key).toBe(false);
      expect(byValidator(v), key).toBe(false);
    }
  });

  it('rejects the same structural defects as the validator', () => {
    const cases: [string, (v: any) => void][] = [ // loosely typed JSON, mutated freely
      ['wrong schema id', (v) => { v.schema = 'prednas.results/2'; }],
      ['protocol C', (v) => { v.protocol = 'C'; }],
      ['semantics', (v) => { v.semantics = 'median'; }],
      ['fractional budget', (v) => { v.budget = 12.5; }],
      ['seed as a string', (v) => { v.seeds[0] = '0'; }],
      ['optimum without arch', (v) => { delete v.optimum.arch; }],
      ['checkpoint mean as a string', (v) => { v.summary.rea['5'].mean = '1'; }],
      ['details without meanTimeMs', (v) => { delete v.details.rea.meanTimeMs; }],
      ['test neither number nor null', (v) => { v.runs[0].trajectory[0].test = 'n/a'; }],
      ['point without val', (v) => { delete v.runs[1].trajectory[2].val; }],
      ['run without timeMs.total', (v) => { v.runs[0].timeMs = {}; }],
      ['version not a string', (v) => { v.prednas = 1; }],
    ];
    for (const [what, mutate] of cases) {
      const v = fresh();
      mutate(v);
      expect(bySchema(v), what).toBe(false);
      expect(byValidator(v), what).toBe(false);
    }
  });

  it('leaves the cross-field rules to the validator, as its description says', () => {
    const cases: [string, (v: any) => void][] = [ // loosely typed JSON, mutated freely
      ['a run missing', (v) => { v.runs.pop(); }],
      ['query numbering skips', (v) => { v.runs[0].trajectory[3].query = 9; }],
      ['trajectory longer than the budget', (v) => { v.budget = 5; }],
    ];
    for (const [what, mutate] of cases) {
      const v = fresh();
      mutate(v);
      expect(bySchema(v), what).toBe(true);
      expect(byValidator(v), what).toBe(false);
    }
  });
});
