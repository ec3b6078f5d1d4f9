/**
 * npm run bench:gcn — the GCN predictor workload of ../shared/peers/gcn_common.mjs (batch 128,
 * 8 nodes, 8 features, 3 GCN layers of 128, MLP head; forward+backward+Adam training step, and
 * 100 input-ascent steps on 64 candidates) on our engine, tfjs-cpu and tfjs-wasm in one process,
 * interleaved in blocks. The last line printed is one JSON object of medians (ms).
 * Env: STEPS (timed training steps per implementation, default 20), BLOCK (default 5),
 * WARMUP (default 3), ASCENT_REPS (default 3), ONLY (comma list of ours,tfjs-cpu,tfjs-wasm).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { backendStats, resetBackendStats } from '../src/kernels/registry.js';
import { setupAscent, setupTraining, type GcnCommon } from './lib/gcn-ours.js';
import { setupTfjs } from './lib/gcn-tfjs.js';
import { importPeer } from './lib/peers.js';
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
}

const impls: Impl[] = [];
if (!ONLY || ONLY.includes('ours')) {
  const tr = setupTraining(common);
  impls.push({
    name: 'ours', enter: async () => {}, initLoss: tr.initLoss, step: () => void tr.step(),
    ascent: () => setupAscent(common, tr.P), // the trained weights, as on the tfjs side
    stepMs: [], ascentMs: [], ascentScore: [],
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
    stepMs: [], ascentMs: [], ascentScore: [],
  });
}

resetBackendStats();
for (const im of impls) {
  await im.enter();
  for (let i = 0; i < WARMUP; i++) im.step();
}
for (let blk = 0; blk * BLOCK < STEPS; blk++) {
  for (let j = 0; j < impls.length; j++) {
    const im = impls[(j + blk) % impls.length]!;
    await im.enter();
    for (let i = 0; i < BLOCK && im.stepMs.length < STEPS; i++) {
      const t0 = now();
      im.step();
      im.stepMs.push(now() - t0);
    }
  }
}
for (let rep = 0; rep < ASCENT_REPS; rep++) {
  for (let j = 0; j < impls.length; j++) {
    const im = impls[(j + rep) % impls.length]!;
    await im.enter();
    const a = im.ascent();
    a.run(2); // warm-up (JIT) on this fresh state; then the 100 timed steps continue from it
    const s0 = a.score();
    const t0 = now();
    a.run(cfg.ascentSteps);
    im.ascentMs.push(now() - t0);
    im.ascentScore = [s0, a.score()];
  }
}

const flops = common.flopCounts();
const summary = impls.map((im) => ({
  impl: im.name, init_loss: im.initLoss, train_step_median_ms: median(im.stepMs), train_steps: im.stepMs.length,
  train_gflops_effective: flops.train / (median(im.stepMs) * 1e6), ascent_100_median_ms: median(im.ascentMs),
  ascent_gflops_effective: (flops.ascent * cfg.ascentSteps) / (median(im.ascentMs) * 1e6), ascent_score: im.ascentScore,
  step_ms: im.stepMs, ascent_ms: im.ascentMs,
}));
for (const s of summary) {
  console.log(`${s.impl.padEnd(10)} train ${s.train_step_median_ms.toFixed(2)} ms/step (${s.train_gflops_effective.toFixed(2)} GFLOP/s eff, init loss ${s.init_loss.toFixed(6)})` +
    ` | ascent 100 steps ${s.ascent_100_median_ms.toFixed(0)} ms (pred ${s.ascent_score.map((v) => v.toFixed(4)).join(' -> ')})`);
}
console.log('our matmuls ran on:', JSON.stringify(backendStats()));
const by = (name: string) => summary.find((s) => s.impl === name);
const line = {
  ours_ms: by('ours')?.train_step_median_ms ?? null,
  tfjs_cpu_ms: by('tfjs-cpu')?.train_step_median_ms ?? null,
  tfjs_wasm_ms: by('tfjs-wasm')?.train_step_median_ms ?? null,
  ours_ascent_ms: by('ours')?.ascent_100_median_ms ?? null,
  tfjs_cpu_ascent_ms: by('tfjs-cpu')?.ascent_100_median_ms ?? null,
  tfjs_wasm_ascent_ms: by('tfjs-wasm')?.ascent_100_median_ms ?? null,
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/gcn.json', import.meta.url), JSON.stringify({ kind: 'gcn', machine: await machine(), cfg, flops, steps: STEPS, block: BLOCK, warmup: WARMUP, ascentReps: ASCENT_REPS, results: summary, line }, null, 2) + '\n');
console.log(JSON.stringify(line));
process.exit(0);
