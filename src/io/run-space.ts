/**
 * Resolving `--space` (Node only): a built-in space by name, or a JSON spec file. Searching with
 * your own training (`run`, `suggest`) needs only the space; benchmark commands (`search`,
 * `compare`, `predictor-eval`, `info`) also need results, which a spec file gets from a seeded
 * *synthetic* objective (`--dataset synthetic[:SEED]`), clearly labelled as such, for trying the
 * algorithms on a space before spending GPU hours on it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Rng } from '../autograd/random.js';
import type { SearchSpace } from '../nas/space.js';
import { nb201Space } from '../nas/spaces/nb201.js';
import { nb101Space } from '../nas/spaces/nb101.js';
import { parseSpaceSpec, spaceFromSpec, specSpace } from '../nas/spaces/spec.js';
import type { ChoiceArch, ChoiceSpace } from '../nas/spaces/choices.js';
import { cardinality, indexOfValue } from '../nas/spaces/choices-vars.js';
import { FunctionOracle, type ScoredArch } from '../nas/benchmarks/synthetic.js';
import type { Oracle } from '../nas/oracle.js';
import type { JournalSpace } from './journal-format.js';

export const BUILTIN_SPACES = ['nb201', 'nb101'] as const;

export function isSpecPath(arg: string): boolean {
  return arg.toLowerCase().endsWith('.json');
}

export interface ResolvedSpace {
  readonly space: SearchSpace<unknown>;
  readonly journalSpace: JournalSpace;
}

/** Read and validate a spec file; errors name the file and the JSON path inside it. */
export function readSpecFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(resolve(path), 'utf8');
  } catch (e) {
    throw new Error(`--space: cannot read spec file ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); pass nb201, nb101 or a path to a JSON space spec (see examples/spaces/)`);
  }
  try {
    return JSON.parse(JSON.stringify(parseSpaceSpec(text)));
  } catch (e) {
    throw new Error(`space spec ${path}: ${(e as Error).message}`);
  }
}

export function spaceFromJournalSpace(js: JournalSpace): SearchSpace<unknown> {
  // Any spec kind (variables, a graph cell, or both) can be searched with the user's own training.
  if (js.kind === 'spec') return specSpace(js.spec) as SearchSpace<unknown>;
  switch (js.name) {
    case 'nb201': return nb201Space() as SearchSpace<unknown>;
    case 'nb101': return nb101Space() as SearchSpace<unknown>;
    default: throw new Error(`unknown space '${js.name}'; built-in spaces: ${BUILTIN_SPACES.join(', ')}, or pass a JSON spec file`);
  }
}

/** The space for ask/tell with the user's own evaluations (no benchmark table needed). */
export function resolveSpace(arg: string): ResolvedSpace {
  const journalSpace: JournalSpace = isSpecPath(arg) ? { kind: 'spec', spec: readSpecFile(arg) } : { kind: 'builtin', name: arg };
  return { space: spaceFromJournalSpace(journalSpace), journalSpace };
}

/**
 * A seeded synthetic objective over a choice space, in accuracy-like units (≈ 50–95): per variable
 * a smooth bump over its grid (ordered variables) or random option scores (categoricals), plus one
 * interaction between the first two variables, so that the optimum is not found coordinate-wise.
 */
export function syntheticObjective(space: ChoiceSpace, seed: number): (arch: ChoiceArch) => ScoredArch {
  const rng = new Rng(seed * 1_000_003 + 11);
  const vars = space.variables;
  const terms = vars.map((v) => {
    const n = cardinality(v);
    if (v.kind === 'categorical') return Array.from({ length: n }, () => rng.next());
    const peak = rng.next(), width = 0.25 + 0.5 * rng.next();
    return Array.from({ length: n }, (_, k) => Math.exp(-((((k + 0.5) / n - peak) / width) ** 2)));
  });
  const pair = vars.length > 1 ? 0.6 * rng.next() : 0;
  const maxSum = terms.reduce((s, t) => s + Math.max(...t), 0) + pair;
  return (arch) => {
    let s = 0;
    const ks = vars.map((v, i) => {
      const k = indexOfValue(v, arch[v.name]!);
      s += terms[i]![k]!;
      return k / Math.max(1, cardinality(v) - 1);
    });
    if (vars.length > 1) s += pair * (1 - Math.abs(ks[0]! - ks[1]!));
    const val = 50 + 45 * (s / maxSum);
    // A deterministic, small val/test discrepancy so protocol A and B differ as on real tables.
    return { val, test: val + 0.4 * Math.sin(val * 7.3) };
  }
}

/** `synthetic` or `synthetic:SEED` → the seed (default 0); anything else is refused with the fix. */
export function syntheticSeed(dataset: string | undefined, specPath: string): number {
  const m = dataset === undefined ? null : /^synthetic(?::(\d+))?$/.exec(dataset);
  if (m === null) {
    throw new Error(`${specPath} is a space without a benchmark table: pass --dataset synthetic[:SEED] to try the algorithms on a seeded synthetic objective over it, or evaluate with your own training via \`prednas run\` / \`prednas suggest\``);
  }
  return m[1] === undefined ? 0 : Number(m[1]);
}

export function specBenchmark(specPath: string, dataset: string | undefined): { oracle: Oracle<unknown>; space: SearchSpace<unknown>; dataset: string } {
  const seed = syntheticSeed(dataset, specPath);
  const spec = readSpecFile(specPath) as { cell?: unknown };
  if (spec.cell !== undefined) throw new Error(`${specPath}: the synthetic objective covers variables-only specs; a spec with a "cell" is searched with your own training via \`prednas run\` / \`prednas suggest\``);
  const space = spaceFromSpec(spec);
  if (space.enumerate === undefined) throw new Error(`${specPath}: space '${space.name}' has ${space.size} architectures, too many to score a synthetic objective over; use \`prednas run\` with your own training`);
  const name = `synthetic:${seed}`;
  const oracle = new FunctionOracle(`synthetic(${space.name})`, space, space.enumerate(), syntheticObjective(space, seed), { dataset: name });
  return { oracle: oracle as Oracle<unknown>, space: space as SearchSpace<unknown>, dataset: name };
}
