/**
 * npm run bench:gcn — the GCN predictor workload of ../shared/peers/gcn_common.mjs (batch 128,
 * 8 nodes, 8 features, 3 GCN layers of 128, MLP head; forward+backward+Adam training step, and
 * 100 input-ascent steps on 64 candidates) on our engine with the js backend ('ours') and the
 * wasm backend ('ours-wasm'), on gpu.js in GL mode ('ours-gpujs-gl', when headless-gl has a display),
 * tfjs-cpu and tfjs-wasm in one process, interleaved in blocks; then
 * PyTorch on one thread (../shared/peers/bench_gcn_torch.py, a child process, before, between
 * and after the JS phases) when /usr/bin/python3 has torch. The last line printed is one JSON object of medians (ms).
 * Env: STEPS (timed training steps per implementation, default 20), BLOCK (default 5),
 * WARMUP (default 3), ASCENT_REPS (default 3), ONLY (comma list of ours,ours-wasm,ours-gpujs-gl,tfjs-cpu,tfjs-wasm),
 * TORCH=0 (skip PyTorch), TORCH_STEPS (default 100).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { loadGpuJs } from '../src/kernels/gpujs/index.js';
import { backendStats, resetBackendStats, setBackend, withBackend } from '../src/kernels/registry.js';
import { setupAscent, setupTraining, type GcnCommon } from './lib/gcn-ours.js';
import { setupTfjs } from './lib/gcn-tfjs.js';
import { importPeer, PEERS_DIR } from './lib/peers.js';
import { machine, median, now } from './lib/stats.js';
import { loadTfjs } from './lib/tfjs.js';

const STEPS = Number(process.env.STEPS ?? 20);
const BLOCK = Number(process.env.BLOCK ?? 5);
const WARMUP = Number(process.env.WARMUP ?? 3);
const ASCENT_REPS = Number(process.env.ASCENT_REPS ?? 3);
const ONLY = process.env.ONLY?.split(',');

const common = await importPeer<GcnCommon>('gcn_common.mjs');
const cfg = common.CFG;
const tf = await loadTfjs(true);

interface Impl {
  name: string;
  enter(): Promise<void>;
  initLoss: number;
  step(): void;
  ascent(): { run(steps: number): void; score(): number };
  stepMs: number[];
  ascentMs: number[];
  ascentScore: number[];
  /** Matmuls per backend that ran inside this implementation's timed steps (ours only). */
  matmuls: Record<string, number>;
}

const impls: Impl[] = [];
// gpu.js in GL mode (headless-gl; needs a display: scripts/headless-gl.sh), when it loads.
const gpuStatus: Record<string, string> = {};
const ours: [string, string][] = [['ours', 'js'], ['ours-wasm', 'wasm']];
if (!ONLY || ONLY.includes('ours-gpujs-gl')) {
  try {
    await loadGpuJs({ mode: 'headlessgl' }); // registers 'gpujs'
    ours.push(['ours-gpujs-gl', 'gpujs']);
    gpuStatus['ours-gpujs-gl'] = 'loaded';
  } catch (e) {
    gpuStatus['ours-gpujs-gl'] = `unavailable: ${(e as Error).message}`;
    console.log(`ours-gpujs-gl ${gpuStatus['ours-gpujs-gl']}`);
  }
}
for (const [name, backend] of ours) {
  if (ONLY && !ONLY.includes(name)) continue;
  // Weights are created and the initial loss computed on this implementation's backend.
  const tr = withBackend(backend, () => setupTraining(common));
  impls.push({
    name, enter: async () => setBackend(backend), initLoss: tr.initLoss, step: () => void tr.step(),
    ascent: () => setupAscent(common, tr.P), // the trained weights, as on the tfjs side
    stepMs: [], ascentMs: [], ascentScore: [], matmuls: {},
  });
}
for (const be of ['cpu', 'wasm'] as const) {
  if (ONLY && !ONLY.includes(`tfjs-${be}`)) continue;
  if (!(await tf.setBackend(be))) throw new Error(`tfjs backend ${be} failed to initialise`);
  const t = setupTfjs(tf, common);
  impls.push({
    name: `tfjs-${be}`, enter: async () => void (await tf.setBackend(be)), initLoss: t.initLoss, step: t.step,
    ascent: () => {
      const a = t.ascent();
      return { run: (s) => a.run(s), score: () => a.score() };
    },
    stepMs: [], ascentMs: [], ascentScore: [], matmuls: {},
  });
}

/**
 * PyTorch, one thread, same workload (the peers' script), in a child process; run before the JS
 * implementations, between their training and ascent phases, and after them (the load on a
 * shared machine drifts, so one torch run at one moment is not a fair comparison).
 */
type TorchRun = { train_step_median_ms: number; ascent_100_steps_median_ms: number; init_loss: number; torch: string };
function runTorch(): TorchRun | string {
  if (process.env.TORCH === '0') return 'skipped (TORCH=0)';
  const out = `${tmpdir()}/prednas-gcn-torch-1t.json`;
  const r = spawnSync('/usr/bin/python3', [`${PEERS_DIR}bench_gcn_torch.py`, '--threads', '1', '--steps', process.env.TORCH_STEPS ?? '100', '--out', out], { encoding: 'utf8' });
  if (r.status !== 0) return `unavailable: /usr/bin/python3 bench_gcn_torch.py exited ${r.status ?? r.error?.message}: ${(r.stderr || r.stdout || '').trim().split('\n').pop()}`;
  const j = JSON.parse(readFileSync(out, 'utf8')) as { torch: string; results: { train_step_median_ms: number; ascent_100_steps_median_ms: number; init_loss: number }[] };
  const t = j.results[0]!;
  return { train_step_median_ms: t.train_step_median_ms, ascent_100_steps_median_ms: t.ascent_100_steps_median_ms, init_loss: t.init_loss, torch: j.torch };
}
const torchRuns: (TorchRun | string)[] = [runTorch()];

/** Time `fn` and add the backends that ran its matmuls to `im.matmuls`. */
function counted(im: Impl, fn: () => void): number {
  resetBackendStats();
  const t0 = now();
  fn();
  const ms = now() - t0;
  for (const [b, c] of Object.entries(backendStats())) im.matmuls[b] = (im.matmuls[b] ?? 0) + c;
  return ms;
}

for (const im of impls) {
  await im.enter();
  for (let i = 0; i < WARMUP; i++) im.step();
}
for (let blk = 0; blk * BLOCK < STEPS; blk++) {
  for (let j = 0; j < impls.length; j++) {
    const im = impls[(j + blk) % impls.length]!;
    await im.enter();
    for (let i = 0; i < BLOCK && im.stepMs.length < STEPS; i++) im.stepMs.push(counted(im, () => im.step()));
  }
}
torchRuns.push(runTorch());
for (let rep = 0; rep < ASCENT_REPS; rep++) {
  for (let j = 0; j < impls.length; j++) {
    const im = impls[(j + rep) % impls.length]!;
    await im.enter();
    const a = im.ascent();
    a.run(2); // warm-up (JIT) on this fresh state; then the 100 timed steps continue from it
    const s0 = a.score();
    im.ascentMs.push(counted(im, () => a.run(cfg.ascentSteps)));
    im.ascentScore = [s0, a.score()];
  }
}
setBackend('js');
torchRuns.push(runTorch());
const torchOk = torchRuns.filter((t): t is TorchRun => typeof t !== 'string');
/** Per-metric median over the torch runs that succeeded, else the first reason. */
const torch: TorchRun | string = torchOk.length === 0 ? (torchRuns[0] as string) : {
  ...torchOk[0]!,
  train_step_median_ms: median(torchOk.map((t) => t.train_step_median_ms)),
  ascent_100_steps_median_ms: median(torchOk.map((t) => t.ascent_100_steps_median_ms)),
};

const flops = common.flopCounts();
const summary = impls.map((im) => ({
  impl: im.name, init_loss: im.initLoss, train_step_median_ms: median(im.stepMs), train_steps: im.stepMs.length,
  train_gflops_effective: flops.train / (median(im.stepMs) * 1e6), ascent_100_median_ms: median(im.ascentMs),
  ascent_gflops_effective: (flops.ascent * cfg.ascentSteps) / (median(im.ascentMs) * 1e6), ascent_score: im.ascentScore,
  matmuls_by_backend: im.matmuls, step_ms: im.stepMs, ascent_ms: im.ascentMs,
}));
for (const s of summary) {
  console.log(`${s.impl.padEnd(10)} train ${s.train_step_median_ms.toFixed(2)} ms/step (${s.train_gflops_effective.toFixed(2)} GFLOP/s eff, init loss ${s.init_loss.toFixed(6)})` +
    ` | ascent 100 steps ${s.ascent_100_median_ms.toFixed(0)} ms (pred ${s.ascent_score.map((v) => v.toFixed(4)).join(' -> ')})`);
}
for (const s of summary) if (Object.keys(s.matmuls_by_backend).length > 0) console.log(`${s.impl} matmuls ran on: ${JSON.stringify(s.matmuls_by_backend)}`);
console.log(typeof torch === 'string' ? `torch-1t   ${torch}` : `torch-1t   train ${torch.train_step_median_ms.toFixed(2)} ms/step (init loss ${torch.init_loss.toFixed(6)}) | ascent 100 steps ${torch.ascent_100_steps_median_ms.toFixed(0)} ms (torch ${torch.torch}; median of runs before, between and after: ${torchRuns.map((t) => (typeof t === 'string' ? t : `${t.train_step_median_ms.toFixed(2)} / ${t.ascent_100_steps_median_ms.toFixed(0)}`)).join(', ')})`);
const by = (name: string) => summary.find((s) => s.impl === name);
const torchMs = typeof torch === 'string' ? null : torch.train_step_median_ms;
const torchAscentMs = typeof torch === 'string' ? null : torch.ascent_100_steps_median_ms;
const ratio = (x: number | undefined, y: number | null): number | null => (x === undefined || y === null ? null : Number((x / y).toFixed(2)));
const line = {
  ours_ms: by('ours')?.train_step_median_ms ?? null,
  ours_wasm_ms: by('ours-wasm')?.train_step_median_ms ?? null,
  torch_1t_ms: torchMs,
  ours_wasm_vs_torch: ratio(by('ours-wasm')?.train_step_median_ms, torchMs),
  tfjs_cpu_ms: by('tfjs-cpu')?.train_step_median_ms ?? null,
  tfjs_wasm_ms: by('tfjs-wasm')?.train_step_median_ms ?? null,
  ours_ascent_ms: by('ours')?.ascent_100_median_ms ?? null,
  ours_wasm_ascent_ms: by('ours-wasm')?.ascent_100_median_ms ?? null,
  torch_1t_ascent_ms: torchAscentMs,
  ours_wasm_ascent_vs_torch: ratio(by('ours-wasm')?.ascent_100_median_ms, torchAscentMs),
  tfjs_cpu_ascent_ms: by('tfjs-cpu')?.ascent_100_median_ms ?? null,
  tfjs_wasm_ascent_ms: by('tfjs-wasm')?.ascent_100_median_ms ?? null,
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/gcn.json', import.meta.url), JSON.stringify({ kind: 'gcn', machine: await machine(), cfg, flops, steps: STEPS, block: BLOCK, warmup: WARMUP, ascentReps: ASCENT_REPS, results: summary, gpujs: gpuStatus, torch_1t: torch, torch_1t_runs: torchRuns, line }, null, 2) + '\n');
console.log(JSON.stringify(line));
process.exit(0);
