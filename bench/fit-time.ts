/**
 * Time of the predictor fit at `--cells` NB-201 cells (ensemble of 5, default settings; MLP and
 * GCN), of two PredNAS NB-201 runs (budget 100, default settings, seeds `--seed` and the next; the
 * second as a table's later runs meet the process) and of a Wen run (seed `--seed`), in this
 * checkout, as one JSON line: CPU milliseconds of this process (user + system), and the PredNAS
 * run's wall-clock fit share as the runner records it. Uses only APIs that predate batched ensembles, so that
 * bench/ensemble-fit.bench.ts --base DIR can run it in a checkout of an older commit too.
 * Run: npx tsx bench/fit-time.ts [--cells 100] [--seed 0] [--backend auto] [--data DIR] [--gcn 1] [--runs 1]
 */
import { parseArgs } from 'node:util';
import { Rng } from '../src/autograd/random.js';
import { resolveDataDir } from '../src/io/data-dir.js';
import { configFromSpec } from '../src/io/parallel.js';
import { setBackend } from '../src/kernels/index.js';
import { runOne } from '../src/nas/experiment/runner.js';
import { NeuralPredictor } from '../src/nas/predictors/neural.js';
import { nb201Space, type Nb201Arch } from '../src/nas/spaces/nb201.js';

const { values } = parseArgs({ options: { cells: { type: 'string' }, seed: { type: 'string' }, backend: { type: 'string' }, data: { type: 'string' }, gcn: { type: 'string' }, runs: { type: 'string' } } });
setBackend(values.backend ?? 'auto');
const cells = Number(values.cells ?? 100);
const space = nb201Space();
const rng = new Rng(23);
const pool = new Map<string, Nb201Arch>();
while (pool.size < cells) {
  const a = space.sample(rng);
  pool.set(space.hash(a), a);
}
const archs = [...pool.values()];
const ys = archs.map((a) => a.reduce((s, op, e) => s + Math.sin(op * 1.3 + e), 0) + 0.1 * rng.normal());
const time = (f: () => void) => { const t0 = process.cpuUsage(); f(); const d = process.cpuUsage(t0); return (d.user + d.system) / 1000; };
const fit = (kind: 'mlp' | 'gcn') => time(() => new NeuralPredictor(space, { kind, seed: 0 }).fit(archs, ys));
fit('mlp'); // warm-up
const out: Record<string, number | boolean | string> = { mlp_fit_ms: Math.round(fit('mlp')) };
if (values.gcn !== '0') out.gcn_fit_ms = Math.round(fit('gcn'));
const runs = Number(values.runs ?? 1);
if (runs > 0) {
  const cfg = configFromSpec({
    benchmark: { space: 'nb201', dataset: 'cifar100', dataDir: resolveDataDir(values.data) },
    algorithms: ['prednas'], budget: 100, seeds: [0], protocol: 'A', constraints: [],
  });
  let r!: ReturnType<typeof runOne>;
  out.prednas_ms = Math.round(time(() => { r = runOne(cfg, 'prednas', Number(values.seed ?? 0)); }));
  out.prednas_fit_ms = Math.round(r.timeMs.fit ?? 0);
  out.queries = r.trajectory.map((p) => p.arch).join(';');
  // A second run in the same process, as every run of a table after the first: the engine's
  // state (JIT, heap, recycled buffers) is then what a table's runs meet.
  out.prednas_warm_ms = Math.round(time(() => { r = runOne(cfg, 'prednas', Number(values.seed ?? 0) + 1); }));
  out.queries += '|' + r.trajectory.map((p) => p.arch).join(';');
  // The Wen control: the same predictor, ranking a pool of 1,000 random cells per round.
  const wenCfg = { ...cfg, algorithms: ['wen'] };
  out.wen_ms = Math.round(time(() => { r = runOne(wenCfg, 'wen', Number(values.seed ?? 0)); }));
  out.wen_propose_ms = Math.round(r.timeMs.propose ?? 0);
  out.queries += '|' + r.trajectory.map((p) => p.arch).join(';');
}
console.log(JSON.stringify(out));
