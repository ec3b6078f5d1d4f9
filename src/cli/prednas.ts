#!/usr/bin/env node
/**
 * The `prednas` command line (Node only). Commands: search, compare, info. Each validates its
 * flags up front and writes results atomically.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { resolveDataDir } from '../io/data-dir.js';
import { loadBenchmark, BENCHMARKS } from '../io/benchmarks.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { runExperimentParallel, type ExperimentSpec } from '../io/parallel.js';
import { resultsTable } from '../nas/experiment/report.js';
import { runOne, reportedMetric } from '../nas/experiment/runner.js';
import { parseConstraint } from '../nas/experiment/constraint.js';
import { ALGORITHMS } from '../nas/search/registry.js';
import type { AlgorithmOptions } from '../nas/search/registry.js';
import { asList, parseChoice, parseIntFlag, parseSeeds } from './args.js';

const USAGE = `prednas — sample-efficient NAS by predictor gradient ascent

Usage:
  prednas search  --space nb201 [--dataset cifar10] [--algo prednas] [--budget 100] [--seed 0]
                  [--constraint flops<=40 ...] [--predictor mlp|gcn] [--fidelity 200ep|12ep] [--data DIR] [--out FILE]
  prednas compare --space nb201 [--dataset cifar10] [--algos ${ALGORITHMS.join(',')}] [--budget 100]
                  [--seeds 0..99] [--protocol A|B] [--workers 2] [--constraint ...] [--predictor mlp|gcn]
                  [--fidelity 200ep|12ep] [--data DIR] --out DIR
  prednas info    --space nb201 [--data DIR]

Data: tables are read from --data DIR, else $PREDNAS_DATA, else ../shared/data.
Spaces: ${BENCHMARKS.join(', ')}. Algorithms: ${ALGORITHMS.join(', ')}.
`;

const FLAGS = {
  space: { type: 'string' }, dataset: { type: 'string' }, algo: { type: 'string' }, algos: { type: 'string' },
  budget: { type: 'string' }, seed: { type: 'string' }, seeds: { type: 'string' }, protocol: { type: 'string' },
  workers: { type: 'string' }, constraint: { type: 'string', multiple: true }, predictor: { type: 'string' },
  fidelity: { type: 'string' }, data: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof FLAGS; allowPositionals: true }>>['values'];

function need(v: string | undefined, flag: string): string {
  if (v === undefined) throw new Error(`--${flag} is required (see prednas --help)`);
  return v;
}

function algorithmOptions(v: Values): AlgorithmOptions {
  const kind = parseChoice('predictor', v.predictor, ['mlp', 'gcn'] as const, 'mlp');
  return { prednas: { predictor: { kind } }, wen: { predictor: { kind } } };
}

function benchmarkRequest(v: Values) {
  return {
    space: need(v.space, 'space'),
    dataDir: resolveDataDir(v.data),
    ...(v.dataset !== undefined ? { dataset: v.dataset } : {}),
    ...(v.fidelity !== undefined ? { fidelity: v.fidelity } : {}),
  };
}

async function compare(v: Values): Promise<void> {
  const out = resolve(need(v.out, 'out'));
  const algos = (v.algos ?? ALGORITHMS.join(',')).split(',').map((s) => s.trim());
  for (const a of algos) parseChoice('algos', a, ALGORITHMS, 'prednas');
  const spec: ExperimentSpec = {
    benchmark: benchmarkRequest(v),
    algorithms: algos,
    budget: parseIntFlag('budget', v.budget, 100),
    seeds: parseSeeds(v.seeds ?? '0..99'),
    protocol: parseChoice('protocol', v.protocol, ['A', 'B'] as const, 'A'),
    constraints: asList(v.constraint).map((c) => (parseConstraint(c), c)),
    algorithmOptions: algorithmOptions(v),
  };
  const workers = parseIntFlag('workers', v.workers, 1);
  const t0 = performance.now();
  const res = await runExperimentParallel(spec, {
    workers,
    onRun: (r, done, total) => {
      const best = reportedMetric(r.trajectory, r.trajectory.length, spec.protocol);
      process.stderr.write(`\r[${done}/${total}] ${r.algo} seed ${r.seed}: ${best.toFixed(2)} (${(r.timeMs.total / 1000).toFixed(1)} s)      `);
    },
  });
  process.stderr.write('\n');
  const command = `prednas ${process.argv.slice(2).join(' ')}`;
  const table = `${resultsTable(res)}\nProduced by \`${command}\` in ${((performance.now() - t0) / 1000).toFixed(0)} s (${workers} worker${workers === 1 ? '' : 's'}).\n`;
  writeFileAtomic(resolve(out, 'results.json'), JSON.stringify({ ...res, command }, null, 1) + '\n');
  writeFileAtomic(resolve(out, 'table.md'), table);
  process.stdout.write(table);
}

function search(v: Values): void {
  const b = loadBenchmark(benchmarkRequest(v));
  const algo = parseChoice('algo', v.algo, ALGORITHMS, 'prednas');
  const seed = parseIntFlag('seed', v.seed, 0, 0);
  const budget = parseIntFlag('budget', v.budget, 100);
  const constraints = asList(v.constraint).map(parseConstraint);
  const cfg = { oracle: b.oracle, space: b.space, dataset: b.dataset, algorithms: [algo], budget, seeds: [seed], constraints, algorithmOptions: algorithmOptions(v) };
  const run = runOne(cfg, algo, seed);
  const best = run.trajectory.reduce((a, p) => (p.val > a.val ? p : a));
  const lines = [
    `${algo} on ${b.oracle.benchmark}/${b.dataset}, seed ${seed}, ${run.trajectory.length} queries in ${(run.timeMs.total / 1000).toFixed(2)} s` +
      (run.timeMs.fit !== undefined ? ` (predictor training ${(run.timeMs.fit / 1000).toFixed(2)} s, proposals ${(run.timeMs.propose! / 1000).toFixed(2)} s)` : ''),
    `best by validation: ${best.arch}`,
    `  val ${best.val.toFixed(3)}  test ${best.test === null ? 'n/a' : best.test.toFixed(3)}  (query ${best.query})`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  if (v.out !== undefined) writeFileAtomic(resolve(v.out), JSON.stringify({ schema: 'prednas.run/1', space: b.space.name, dataset: b.dataset, ...run }, null, 1) + '\n');
}

function info(v: Values): void {
  const b = loadBenchmark(benchmarkRequest(v));
  const o = b.oracle;
  const lines = [`${o.benchmark}: ${o.archs().length} architectures with results${o.isPool ? ' (pool)' : ''}; query semantics '${o.semantics}'`];
  for (const ds of o.datasets) {
    const a = o.optimum(ds, 'A'), bb = o.optimum(ds, 'B');
    lines.push(`  ${ds}: optimum protocol A ${a.value.toFixed(3)} (${b.space.toString(a.arch)}), protocol B ${bb.value.toFixed(3)} (${b.space.toString(bb.arch)})`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: FLAGS, allowPositionals: true, strict: true });
  const cmd = positionals[0];
  if (values.help || cmd === undefined || cmd === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (positionals.length > 1) throw new Error(`unexpected argument '${positionals[1]}'`);
  switch (cmd) {
    case 'search': return search(values);
    case 'compare': return compare(values);
    case 'info': return info(values);
    default: throw new Error(`unknown command '${cmd}' (commands: search, compare, info)`);
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`prednas: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
