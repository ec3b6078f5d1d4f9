/** `prednas info`: what a space is, how big, its optimum per dataset, and whether its data is there. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolveDataDir } from '../../io/data-dir.js';
import { loadBenchmark } from '../../io/benchmarks.js';
import { isSpecPath, readSpecFile } from '../../io/run-space.js';
import { spaceFromSpec, specSpace } from '../../nas/spaces/spec.js';
import { describeValues } from '../../nas/spaces/choices-vars.js';
import { need, str, type Ctx } from '../context.js';

export const INFO_FLAGS = { space: { type: 'string' }, data: { type: 'string' }, fidelity: { type: 'string' } } as const;

export const INFO_HELP = `prednas info — size of a space, optimum per dataset, data status

Usage: prednas info --space nb201|nb101|SPEC.json [--data DIR] [--json]

For a benchmark space: the number of architectures with results, the query semantics, and the
optimum per dataset under protocols A and B (computed from the table). For a spec file: its
variables, the number of architectures, and how to evaluate them.
`;

const SPACE_SIZES: Readonly<Record<string, string>> = { nb201: '15,625 cells (5 ops on 6 edges)', nb101: '423,624 unique cells (≤ 7 nodes, ≤ 9 edges)' };
const DATA_FOLDERS: Readonly<Record<string, string>> = { nb201: 'nasbench201', nb101: 'nasbench101' };

export function info(ctx: Ctx): void {
  const { v } = ctx;
  const spaceArg = need(v, 'space', 'nb201, nb101 or a JSON space spec file');
  if (isSpecPath(spaceArg)) return specInfo(ctx, spaceArg);
  const dataDir = resolveDataDir(str(v, 'data'));
  const folder = DATA_FOLDERS[spaceArg];
  if (folder === undefined) throw new Error(`unknown space '${spaceArg}'; available: nb201, nb101, or a JSON space spec file`);
  const present = existsSync(resolve(dataDir, folder));
  if (!present) {
    const msg = { space: spaceArg, size: SPACE_SIZES[spaceArg], data: { dir: dataDir, present: false } };
    if (ctx.json) return ctx.out(JSON.stringify(msg));
    return ctx.out(`${spaceArg}: ${SPACE_SIZES[spaceArg]}\ndata: ${resolve(dataDir, folder)} not found; pass --data DIR or set PREDNAS_DATA (searching with your own training via \`prednas run\` needs no table)`);
  }
  const fidelity = str(v, 'fidelity');
  const b = loadBenchmark({ space: spaceArg, dataDir, ...(fidelity !== undefined ? { fidelity } : {}) });
  const o = b.oracle;
  const optima = o.datasets.map((ds) => {
    const a = o.optimum(ds, 'A'), bb = o.optimum(ds, 'B');
    return { dataset: ds, A: { value: a.value, arch: b.space.toString(a.arch) }, B: { value: bb.value, arch: b.space.toString(bb.arch) } };
  });
  const rec = { space: spaceArg, size: SPACE_SIZES[spaceArg], benchmark: o.benchmark, withResults: o.archs().length, pool: o.isPool, semantics: o.semantics, data: { dir: dataDir, present: true }, optima };
  if (ctx.json) return ctx.out(JSON.stringify(rec));
  const lines = [
    `${spaceArg}: ${SPACE_SIZES[spaceArg]}`,
    `data: ${resolve(dataDir, folder)} (ok): ${o.benchmark}, ${o.archs().length} architectures with results${o.isPool ? ' (pool)' : ''}; query semantics '${o.semantics}'`,
  ];
  for (const x of optima) lines.push(`  ${x.dataset}: optimum protocol A ${x.A.value.toFixed(3)} (${x.A.arch}), protocol B ${x.B.value.toFixed(3)} (${x.B.arch})`);
  ctx.out(lines.join('\n'));
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
