/** `prednas info`: what a space is, how big, its optimum per dataset, and whether its data is there. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolveDataDir } from '../../io/data-dir.js';
import { loadBenchmark } from '../../io/benchmarks.js';
import { isSpecPath, readSpecFile } from '../../io/run-space.js';
import { spaceFromSpec, specSpace } from '../../nas/spaces/spec.js';
import { describeValues } from '../../nas/spaces/choices-vars.js';
import { need, str, UsageError, type Ctx } from '../context.js';
import { loadTnb101Table } from '../../io/load-tnb101.js';
import { tnb101MacroOracle, TNB101_TASKS, TNB101_TASK_NAMES } from '../../nas/benchmarks/tnb101.js';
import type { Oracle } from '../../nas/oracle.js';
import { isLiveTask, LIVE_TASKS } from '../../io/mnist-task.js';
import { taskInfo } from './info-task.js';

export const INFO_FLAGS = { space: { type: 'string' }, task: { type: 'string' }, data: { type: 'string' }, fidelity: { type: 'string' } } as const;

export const INFO_HELP = `prednas info — size of a space, optimum per dataset, data status

Usage: prednas info --space nb201|nb101|nbmacro|tnb101-macro|SPEC.json [--data DIR] [--json]
       prednas info --task mnist-mlp|mnist-regnet [--fidelity Nep] [--json]

For a benchmark space: the number of architectures with results, the query semantics, and the
optimum per dataset under protocols A and B (computed from the table). For a spec file: its
variables, the number of architectures, and how to evaluate them. nbmacro and tnb101-macro also
print their cost range (params and MACs, raw counts: the units of --constraint) and what a query
returns; tnb101-macro lists every task (use one with --dataset) with its metric and direction.
For a live task: its variables, the number of distinct networks, the training every candidate
gets, and each cost's range (over every network where the grid is small enough to walk, else
over a seeded sample; the output says which).
`;

const SPACE_SIZES: Readonly<Record<string, string>> = {
  nb201: '15,625 cells (5 ops on 6 edges)',
  nb101: '423,624 unique cells (≤ 7 nodes, ≤ 9 edges)',
  nbmacro: '6,561 encodings = 3,969 distinct networks (8 layers, each identity / MB3-K3 / MB6-K5)',
  'tnb101-macro': '3,256 networks (4–6 modules, each keep / double channels / halve resolution / both)',
};
const DATA_FOLDERS: Readonly<Record<string, string>> = { nb201: 'nasbench201', nb101: 'nasbench101', nbmacro: 'nasbench_macro', 'tnb101-macro': 'transnas101_macro' };
/** What a query returns, for the spaces whose answer needs saying. */
const QUERY_NOTES: Readonly<Record<string, string>> = {
  nbmacro: 'no validation split: val = one of the three training runs (CIFAR-10 test top-1, best over 50 epochs), drawn per query with the seeded RNG; reported = the 3-run mean of the selected network',
  'tnb101-macro': 'val = the final-epoch validation metric of the task (no test split; reported = val); one oracle per task',
};

export function info(ctx: Ctx): void {
  const { v } = ctx;
  const task = str(v, 'task');
  if (task !== undefined) {
    if (v['space'] !== undefined) throw new UsageError('info: give --space or --task, not both');
    if (!isLiveTask(task)) throw new UsageError(`--task: expected one of ${LIVE_TASKS.join(', ')}, got '${task}'`);
    return taskInfo(ctx, task);
  }
  const spaceArg = need(v, 'space', 'nb201, nb101, nbmacro, tnb101-macro or a JSON space spec file');
  if (isSpecPath(spaceArg)) return specInfo(ctx, spaceArg);
  const dataDir = resolveDataDir(str(v, 'data'));
  // Own keys only: --space toString must be an unknown space, not Object.prototype's method.
  const folder = Object.hasOwn(DATA_FOLDERS, spaceArg) ? DATA_FOLDERS[spaceArg] : undefined;
  if (folder === undefined) throw new Error(`unknown space '${spaceArg}'; available: ${Object.keys(DATA_FOLDERS).join(', ')}, or a JSON space spec file`);
  const present = existsSync(resolve(dataDir, folder));
  if (!present) {
    const msg = { space: spaceArg, size: SPACE_SIZES[spaceArg], data: { dir: dataDir, present: false } };
    if (ctx.json) return ctx.out(JSON.stringify(msg));
    return ctx.out(`${spaceArg}: ${SPACE_SIZES[spaceArg]}\ndata: ${resolve(dataDir, folder)} not found; pass --data DIR or set PREDNAS_DATA (searching with your own training via \`prednas run\` needs no table)`);
  }
  const fidelity = str(v, 'fidelity');
  // TransNAS-Bench-101 has one oracle per task: build all seven over one parsed table.
  const oracles: Oracle<unknown>[] = spaceArg === 'tnb101-macro'
    ? ((table) => TNB101_TASK_NAMES.map((t) => tnb101MacroOracle(table, t) as Oracle<unknown>))(loadTnb101Table({ dataDir }))
    : [loadBenchmark({ space: spaceArg, dataDir, ...(fidelity !== undefined ? { fidelity } : {}) }).oracle];
  const o = oracles[0]!;
  const space = o.space;
  const optima = oracles.flatMap((oo) => oo.datasets.map((ds) => {
    const a = oo.optimum(ds, 'A'), bb = oo.optimum(ds, 'B');
    const metric = spaceArg === 'tnb101-macro' ? { metric: TNB101_TASKS[ds as keyof typeof TNB101_TASKS].metric, direction: TNB101_TASKS[ds as keyof typeof TNB101_TASKS].direction } : {};
    return { dataset: ds, ...metric, A: { value: a.value, arch: space.toString(a.arch) }, B: { value: bb.value, arch: space.toString(bb.arch) } };
  }));
  const costs = costRange(space, o.archs());
  const note = QUERY_NOTES[spaceArg];
  const rec = {
    space: spaceArg, size: SPACE_SIZES[spaceArg], benchmark: o.benchmark, withResults: o.archs().length, pool: o.isPool, semantics: o.semantics,
    ...(note !== undefined ? { query: note } : {}), ...(costs !== null ? { costs } : {}), data: { dir: dataDir, present: true }, optima,
  };
  if (ctx.json) return ctx.out(JSON.stringify(rec));
  const lines = [
    `${spaceArg}: ${SPACE_SIZES[spaceArg]}`,
    `data: ${resolve(dataDir, folder)} (ok): ${o.benchmark}, ${o.archs().length} architectures with results${o.isPool ? ' (pool)' : ''}; query semantics '${o.semantics}'`,
    ...(note !== undefined ? [`query: ${note}`] : []),
    ...(costs !== null ? [`costs (raw counts, the units of --constraint): params ${costs.params.min.toExponential(3)} … ${costs.params.max.toExponential(3)}, flops (MACs) ${costs.flops.min.toExponential(3)} … ${costs.flops.max.toExponential(3)}`] : []),
  ];
  for (const x of optima) {
    const what = 'metric' in x ? ` — ${x.metric}, direction ${x.direction}` : '';
    lines.push(`  ${x.dataset}: optimum protocol A ${x.A.value.toFixed(3)} (${x.A.arch}), protocol B ${x.B.value.toFixed(3)} (${x.B.arch})${what}`);
  }
  ctx.out(lines.join('\n'));
}

/** Min/max params and FLOPs over the architectures with results, for the macro spaces (raw counts). */
function costRange(space: { cost?(a: unknown): { params?: number; flops?: number }; name: string }, archs: readonly unknown[]): { params: { min: number; max: number }; flops: { min: number; max: number } } | null {
  if (space.name !== 'nbmacro' && space.name !== 'tnb101-macro') return null;
  const r = { params: { min: Infinity, max: -Infinity }, flops: { min: Infinity, max: -Infinity } };
  for (const a of archs) {
    const c = space.cost!(a);
    for (const k of ['params', 'flops'] as const) {
      r[k].min = Math.min(r[k].min, c[k]!);
      r[k].max = Math.max(r[k].max, c[k]!);
    }
  }
  return r;
}

function specInfo(ctx: Ctx, path: string): void {
  const spec = readSpecFile(path) as { cell?: unknown };
  if (spec.cell !== undefined) {
    const sp = specSpace(spec);
    const rec = { space: sp.name, spec: resolve(path), cell: true, encoding: sp.flatDim, data: { present: false } };
    if (ctx.json) return ctx.out(JSON.stringify(rec));
    return ctx.out(`${sp.name} (${resolve(path)}): a space with a graph cell, encoding ${sp.flatDim}-d\ndata: none (a user space). Evaluate with your own training: prednas run --space ${path} --eval '...' --journal run.jsonl`);
  }
  const space = spaceFromSpec(spec);
  const vars = space.variables.map((x) => ({ name: x.name, type: x.decl.type, values: describeValues(x) }));
  const rec = { space: space.name, spec: resolve(path), size: space.size, variables: vars, data: { present: false, note: 'no benchmark table: evaluate with `prednas run` or `prednas suggest`/`tell`; `--dataset synthetic` tries the algorithms on a synthetic objective' } };
  if (ctx.json) return ctx.out(JSON.stringify(rec));
  ctx.out([
    `${space.name} (${resolve(path)}): ${space.size.toLocaleString('en-US')} architectures, ${vars.length} variables, encoding ${space.flatDim}-d`,
    ...vars.map((x) => `  ${x.name} (${x.type}): ${x.values}`),
    `data: none (a user space). Evaluate with your own training: prednas run --space ${path} --eval '...' --journal run.jsonl,`,
    `  or try the algorithms on a seeded synthetic objective: prednas search --space ${path} --dataset synthetic`,
  ].join('\n'));
}
