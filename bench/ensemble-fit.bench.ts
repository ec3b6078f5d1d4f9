/**
 * Batched ensembles (issue 23 §1), side by side in one process: the predictor fit at `--cells`
 * NB-201 cells with an ensemble of 5 (default settings otherwise), MLP and GCN, trained the old
 * way (M separate networks: bench/lib/separate-ensemble.ts) and as one batched network
 * (NeuralPredictor); then whole PredNAS NB-201 runs (budget 100, default settings) the old and the
 * new way, alternating, which also checks that both query the same architectures. Each pair runs
 * in alternating order (old first, then new first), medians and ratios at the end; the per-member
 * predictions of the two fits are compared too (max |difference|). Times are CPU time of this
 * process (process.cpuUsage, user + system): on a shared, loaded machine wall time swung 5x
 * between identical fits, CPU time far less.
 *
 * With `--base DIR` (a checkout of the commit before, e.g. `git worktree add DIR <commit>`, with
 * a node_modules, a symlink to this one's will do), it also runs bench/fit-time.ts (copied into
 * DIR) there and here, alternately, `--base-rounds` times: before against after, whole engine.
 *
 * Run: npx tsx bench/ensemble-fit.bench.ts [--cells 100] [--rounds 5] [--gcn-rounds 3]
 *      [--runs 3] [--backend auto] [--dataset cifar100] [--data DIR] [--base DIR] [--base-rounds 3]
 *      [--out bench/results/ensemble-fit.json]
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Rng } from '../src/autograd/random.js';
import { resolveDataDir } from '../src/io/data-dir.js';
import { configFromSpec } from '../src/io/parallel.js';
import { lastBackend, setBackend } from '../src/kernels/index.js';
import { runOne } from '../src/nas/experiment/runner.js';
import { NeuralPredictor } from '../src/nas/predictors/neural.js';
import type { PredictorKind } from '../src/nas/predictors/predictor.js';
import { nb201Space, type Nb201Arch } from '../src/nas/spaces/nb201.js';
import { SeparateEnsemble, withSeparateTraining } from './lib/separate-ensemble.js';
import { machine, median } from './lib/stats.js';

/** CPU milliseconds (user + system) that fn takes, and its result. */
function cpu<T>(fn: () => T): [number, T] {
  const t0 = process.cpuUsage();
  const r = fn();
  const d = process.cpuUsage(t0);
  return [(d.user + d.system) / 1000, r];
}

const { values } = parseArgs({
  options: {
    cells: { type: 'string' }, rounds: { type: 'string' }, 'gcn-rounds': { type: 'string' }, runs: { type: 'string' },
    backend: { type: 'string' }, dataset: { type: 'string' }, data: { type: 'string' }, out: { type: 'string' },
    base: { type: 'string' }, 'base-rounds': { type: 'string' },
  },
});
const cells = Number(values.cells ?? 100);
const backend = values.backend ?? 'auto';
setBackend(backend);
const space = nb201Space();
const rng = new Rng(23);
const pool = new Map<string, Nb201Arch>();
while (pool.size < cells) {
  const a = space.sample(rng);
  pool.set(space.hash(a), a);
}
const archs = [...pool.values()];
// Any continuous target: what a fit costs does not depend on the values (all pairs are ordered).
const ys = archs.map((a) => a.reduce((s, op, e) => s + Math.sin(op * 1.3 + e), 0) + 0.1 * rng.normal());

interface FitRow { kind: PredictorKind; separate_ms: number[]; batched_ms: number[]; median_separate_ms: number; median_batched_ms: number; ratio: number; max_member_diff: number }
const fits: FitRow[] = [];
for (const kind of ['mlp', 'gcn'] as const) {
  const rounds = Number(kind === 'gcn' ? values['gcn-rounds'] ?? 3 : values.rounds ?? 5);
  const opts = { kind, seed: 0 };
  const old = () => { const p = new SeparateEnsemble(space, opts); p.fit(archs, ys); return p; };
  const neu = () => { const p = new NeuralPredictor(space, opts); p.fit(archs, ys); return p; };
  // Warm-up (JIT, wasm instantiation) and the equality check.
  const a = old(), b = neu();
  const pa = a.predictMembers(archs), pb = b.predictMembers(archs);
  let maxDiff = 0;
  pa.forEach((row, m) => row.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - pb[m]![i]!)))));
  const sep: number[] = [], bat: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? [old, neu] : [neu, old];
    for (const f of order) {
      (f === old ? sep : bat).push(cpu<unknown>(f)[0]);
    }
  }
  const row: FitRow = {
    kind, separate_ms: sep.map(Math.round), batched_ms: bat.map(Math.round),
    median_separate_ms: Math.round(median(sep)), median_batched_ms: Math.round(median(bat)),
    ratio: Number((median(sep) / median(bat)).toFixed(2)), max_member_diff: maxDiff,
  };
  fits.push(row);
  console.log(JSON.stringify(row));
}

const runs = Number(values.runs ?? 3);
const cfg = configFromSpec({
  benchmark: { space: 'nb201', dataset: values.dataset ?? 'cifar100', dataDir: resolveDataDir(values.data) },
  algorithms: ['prednas'], budget: 100, seeds: [0], protocol: 'A', constraints: [],
});
interface RunRow { seed: number; separate_ms: number; batched_ms: number; separate_fit_ms: number; batched_fit_ms: number; same_queries: boolean }
const runRows: RunRow[] = [];
runOne(cfg, 'prednas', 99); // warm-up
for (let s = 0; s < runs; s++) {
  const doOld = () => cpu(() => withSeparateTraining(() => runOne(cfg, 'prednas', s)));
  const doNew = () => cpu(() => runOne(cfg, 'prednas', s));
  const [first, second] = s % 2 === 0 ? [doOld(), doNew()] : [doNew(), doOld()];
  const [[oc, o], [nc, n]] = s % 2 === 0 ? [first, second] : [second, first];
  const same = o.trajectory.length === n.trajectory.length && o.trajectory.every((p, i) => p.arch === n.trajectory[i]!.arch);
  // fit_ms: the runner's wall-clock split, for the share of the run that is training.
  const row = { seed: s, separate_ms: Math.round(oc), batched_ms: Math.round(nc), separate_fit_ms: Math.round(o.timeMs.fit ?? 0), batched_fit_ms: Math.round(n.timeMs.fit ?? 0), same_queries: same };
  runRows.push(row);
  console.log(JSON.stringify(row));
}
const med = (k: keyof RunRow) => median(runRows.map((r) => Number(r[k])));

// Before against after: bench/fit-time.ts in the base checkout and in this one, alternately.
interface TreeRow { mlp_fit_ms: number; gcn_fit_ms: number; prednas_ms: number; prednas_fit_ms: number; prednas_warm_ms?: number; wen_ms?: number; wen_propose_ms?: number; queries: string }
const baseRows: { before: TreeRow; after: TreeRow; seed: number }[] = [];
if (values.base !== undefined) {
  const base = resolve(values.base), here = resolve('.');
  copyFileSync(join(here, 'bench/fit-time.ts'), join(base, 'bench/fit-time.ts'));
  const timeIn = (tree: string, seed: number): TreeRow => {
    const args = ['--import', 'tsx', 'bench/fit-time.ts', '--cells', String(cells), '--seed', String(seed), '--backend', backend, '--data', resolveDataDir(values.data)];
    const r = spawnSync(process.execPath, args, { cwd: tree, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`fit-time in ${tree} failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as TreeRow;
  };
  const n = Number(values['base-rounds'] ?? 3);
  for (let s = 0; s < n; s++) {
    const seed = s % 3;
    const [x, y] = s % 2 === 0 ? [timeIn(base, seed), timeIn(here, seed)] : [timeIn(here, seed), timeIn(base, seed)];
    const row = s % 2 === 0 ? { before: x, after: y, seed } : { before: y, after: x, seed };
    baseRows.push(row);
    const { queries: qb, ...b } = row.before, { queries: qa, ...a } = row.after;
    console.log(JSON.stringify({ seed, before: b, after: a, same_queries: qb === qa }));
  }
}
const bm = (which: 'before' | 'after', k: keyof TreeRow) => median(baseRows.map((r) => Number(r[which][k])));
const ratio = (k: keyof TreeRow) => Number((bm('before', k) / bm('after', k)).toFixed(2));
const summary = {
  ...(await machine()), backend, last_matmul_backend: lastBackend(), cells, ensemble: 5,
  fit: Object.fromEntries(fits.map((f) => [f.kind, { separate_ms: f.median_separate_ms, batched_ms: f.median_batched_ms, ratio: f.ratio, max_member_diff: f.max_member_diff }])),
  prednas_run: runs > 0 ? {
    runs, separate_ms: med('separate_ms'), batched_ms: med('batched_ms'), ratio: Number((med('separate_ms') / med('batched_ms')).toFixed(2)),
    separate_fit_ms: med('separate_fit_ms'), batched_fit_ms: med('batched_fit_ms'), same_queries: runRows.every((r) => r.same_queries),
  } : null,
  before_after: baseRows.length > 0 ? {
    base: values.base, rounds: baseRows.length,
    mlp_fit_ms: [bm('before', 'mlp_fit_ms'), bm('after', 'mlp_fit_ms')], mlp_fit_ratio: ratio('mlp_fit_ms'),
    gcn_fit_ms: [bm('before', 'gcn_fit_ms'), bm('after', 'gcn_fit_ms')], gcn_fit_ratio: ratio('gcn_fit_ms'),
    prednas_ms: [bm('before', 'prednas_ms'), bm('after', 'prednas_ms')], prednas_ratio: ratio('prednas_ms'),
    prednas_fit_ms: [bm('before', 'prednas_fit_ms'), bm('after', 'prednas_fit_ms')],
    prednas_warm_ms: [bm('before', 'prednas_warm_ms'), bm('after', 'prednas_warm_ms')], prednas_warm_ratio: ratio('prednas_warm_ms'),
    wen_ms: [bm('before', 'wen_ms'), bm('after', 'wen_ms')], wen_ratio: ratio('wen_ms'),
    wen_propose_ms: [bm('before', 'wen_propose_ms'), bm('after', 'wen_propose_ms')], wen_propose_ratio: ratio('wen_propose_ms'),
    same_queries: baseRows.every((r) => r.before.queries === r.after.queries),
  } : null,
};
console.log(JSON.stringify(summary));
if (values.out !== undefined) {
  const beforeAfter = baseRows.map(({ seed, before: { queries: qb, ...b }, after: { queries: qa, ...a } }) => ({ seed, before: b, after: a, same_queries: qb === qa }));
  writeFileSync(values.out, JSON.stringify({ summary, fits, runs: runRows, beforeAfter }, null, 1) + '\n');
}
