/**
 * Speed of one PredNAS run on NB-201 (100 queries, default settings, one thread), with the time
 * split the issue asks for: predictor training / ascent and proposal / bookkeeping (oracle queries,
 * hashing, the search loop). Run: npx tsx bench/prednas-run.bench.ts [--runs 3] [--dataset cifar10]
 * [--backend js|wasm|auto] [--epochs N]
 */
import { parseArgs } from 'node:util';
import { configFromSpec } from '../src/io/parallel.js';
import { resolveDataDir } from '../src/io/data-dir.js';
import { runOne } from '../src/nas/experiment/runner.js';
import { setBackend, lastBackend } from '../src/kernels/index.js';

const { values } = parseArgs({ options: { runs: { type: 'string' }, dataset: { type: 'string' }, data: { type: 'string' }, backend: { type: 'string' }, epochs: { type: 'string' } } });
// Kernel backend for the whole run: js (default, exact in double accumulation), wasm or auto.
if (values.backend !== undefined) setBackend(values.backend);
const runs = Number(values.runs ?? 3);
const cfg = configFromSpec({
  benchmark: { space: 'nb201', dataset: values.dataset ?? 'cifar10', dataDir: resolveDataDir(values.data) },
  algorithms: ['prednas'], budget: 100, seeds: [0], protocol: 'A', constraints: [],
  ...(values.epochs !== undefined ? { algorithmOptions: { prednas: { predictor: { epochs: Number(values.epochs) } } } } : {}),
});
interface Row { seed: number; total_ms: number; fit_ms: number; propose_ms: number; bookkeeping_ms: number; rounds: number | undefined }
const rows: Row[] = [];
for (let s = 0; s < runs; s++) {
  const r = runOne(cfg, 'prednas', s);
  const t = r.timeMs;
  rows.push({ seed: s, total_ms: Math.round(t.total), fit_ms: Math.round(t.fit ?? 0), propose_ms: Math.round(t.propose ?? 0), bookkeeping_ms: Math.round(t.total - (t.fit ?? 0) - (t.propose ?? 0)), rounds: t.rounds });
  console.log(JSON.stringify(rows[rows.length - 1]));
}
const med = (k: keyof Row) => [...rows.map((r) => Number(r[k]))].sort((a, b) => a - b)[Math.floor(rows.length / 2)];
console.log(JSON.stringify({ backend: values.backend ?? 'js', last_matmul_backend: lastBackend(), median_total_ms: med('total_ms'), median_fit_ms: med('fit_ms'), median_propose_ms: med('propose_ms'), median_bookkeeping_ms: med('bookkeeping_ms') }));
