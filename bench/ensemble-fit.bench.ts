/**
 * Batched ensembles (issue 23 §1), side by side in one process: the predictor fit at `--cells`
 * NB-201 cells with an ensemble of 5 (default settings otherwise), MLP and GCN, trained the old
 * way (M separate networks: bench/lib/separate-ensemble.ts) and as one batched network
 * (NeuralPredictor); then whole PredNAS NB-201 runs (budget 100, default settings) the old and the
 * new way, alternating, which also checks that both query the same architectures. Each pair runs
 * in alternating order (old first, then new first), medians and ratios at the end; the per-member
 * predictions of the two fits are compared too (max |difference|).
 *
 * Run: npx tsx bench/ensemble-fit.bench.ts [--cells 100] [--rounds 5] [--gcn-rounds 3]
 *      [--runs 3] [--backend auto] [--dataset cifar100] [--data DIR] [--out bench/results/ensemble-fit.json]
 */
import { writeFileSync } from 'node:fs';
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
import { machine, median, now } from './lib/stats.js';

const { values } = parseArgs({
  options: {
    cells: { type: 'string' }, rounds: { type: 'string' }, 'gcn-rounds': { type: 'string' }, runs: { type: 'string' },
    backend: { type: 'string' }, dataset: { type: 'string' }, data: { type: 'string' }, out: { type: 'string' },
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
      const t0 = now();
      f();
      (f === old ? sep : bat).push(now() - t0);
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
  const doOld = () => withSeparateTraining(() => runOne(cfg, 'prednas', s));
  const doNew = () => runOne(cfg, 'prednas', s);
  const [first, second] = s % 2 === 0 ? [doOld(), doNew()] : [doNew(), doOld()];
  const [o, n] = s % 2 === 0 ? [first, second] : [second, first];
  const same = o.trajectory.length === n.trajectory.length && o.trajectory.every((p, i) => p.arch === n.trajectory[i]!.arch);
  const row = { seed: s, separate_ms: Math.round(o.timeMs.total), batched_ms: Math.round(n.timeMs.total), separate_fit_ms: Math.round(o.timeMs.fit ?? 0), batched_fit_ms: Math.round(n.timeMs.fit ?? 0), same_queries: same };
  runRows.push(row);
  console.log(JSON.stringify(row));
}
const med = (k: keyof RunRow) => median(runRows.map((r) => Number(r[k])));
const summary = {
  ...(await machine()), backend, last_matmul_backend: lastBackend(), cells, ensemble: 5,
  fit: Object.fromEntries(fits.map((f) => [f.kind, { separate_ms: f.median_separate_ms, batched_ms: f.median_batched_ms, ratio: f.ratio, max_member_diff: f.max_member_diff }])),
  prednas_run: runs > 0 ? {
    runs, separate_ms: med('separate_ms'), batched_ms: med('batched_ms'), ratio: Number((med('separate_ms') / med('batched_ms')).toFixed(2)),
    separate_fit_ms: med('separate_fit_ms'), batched_fit_ms: med('batched_fit_ms'), same_queries: runRows.every((r) => r.same_queries),
  } : null,
};
console.log(JSON.stringify(summary));
if (values.out !== undefined) writeFileSync(values.out, JSON.stringify({ summary, fits, runs: runRows }, null, 1) + '\n');
