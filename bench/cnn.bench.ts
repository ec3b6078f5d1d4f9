/**
 * npm run bench:cnn — the small-CNN training step of ../shared/peers/cnn_common.mjs (batch 64 of
 * 1×28×28; convs [1→16 k3 s2] [16→32 k3 s2] [32→32 k3 groups 4] [32→64 k1], each + batch norm
 * (training mode) + ReLU; global average pooling; 64→10 head; cross-entropy; Adam 1e-3) on our
 * engine with the js backend ('ours') and the wasm backend ('ours-wasm'), tfjs-cpu and tfjs-wasm
 * in one process, interleaved in blocks of steps in rotated order; PyTorch 1 thread (the peers'
 * bench_cnn_torch.py, a child process with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset) before,
 * between and after. Every implementation first computes the initial loss on the peers' data
 * and weights; the run refuses to time an implementation whose loss differs from ours by > 1e-4.
 * Env: STEPS (timed steps per implementation, default 30), BLOCK (5), WARMUP (3),
 * CPU_STEPS (timed tfjs-cpu steps, one per block, default 5), ONLY (comma list of
 * ours,ours-wasm,tfjs-cpu,tfjs-wasm), TORCH=0 (skip PyTorch), TORCH_STEPS (50).
 * Writes bench/results/cnn.json; the last line printed is a JSON object of medians and ratios.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Adam, batchNorm2d, conv2d, crossEntropy, globalAvgPool2d, matmul, noGrad, tensor, type Tensor } from '../src/autograd/index.js';
import { backendStats, resetBackendStats, setBackend, withBackend } from '../src/kernels/registry.js';
import { importPeer, PEERS_DIR } from './lib/peers.js';
import { machine, median, now } from './lib/stats.js';
import { loadTfjs, type Tf } from './lib/tfjs.js';

const STEPS = Number(process.env.STEPS ?? 30);
const BLOCK = Number(process.env.BLOCK ?? 5);
const WARMUP = Number(process.env.WARMUP ?? 3);
const ONLY = process.env.ONLY?.split(',');
const CPU_STEPS = Number(process.env.CPU_STEPS ?? 5);

type ConvCfg = [number, number, number, number, number, number];
interface CnnCommon {
  CNN_CFG: { batch: number; size: number; classes: number; lr: number; bnEps: number; convs: ConvCfg[] };
  makeCnnData(): { X: Float32Array; labels: Int32Array };
  makeCnnWeights(): { convs: { w: Float32Array; gamma: Float32Array; beta: Float32Array }[]; fcW: Float32Array; fcB: Float32Array };
  cnnFlops(): { fwdMacs: number; trainFlops: number };
}
const common = await importPeer<CnnCommon>('cnn_common.mjs');
const cfg = common.CNN_CFG;
const { X, labels } = common.makeCnnData();
const W0 = common.makeCnnWeights();
const B = cfg.batch, S = cfg.size, K = cfg.classes;

/** Ours: the model written with the public ops, exactly as the peers' PyTorch loss_fn. */
function setupOurs() {
  const p = (d: Float32Array, shape: number[]) => tensor(Float32Array.from(d), shape, { requiresGrad: true });
  const layers = cfg.convs.map(([cin, cout, k, stride, padding, groups], i) => ({
    w: p(W0.convs[i]!.w, [cout, cin / groups, k, k]), gamma: p(W0.convs[i]!.gamma, [cout]), beta: p(W0.convs[i]!.beta, [cout]), stride, padding, groups,
  }));
  const last = cfg.convs[cfg.convs.length - 1]![1];
  const fcW = p(W0.fcW, [last, K]), fcB = p(W0.fcB, [K]);
  const x = tensor(X, [B, 1, S, S]);
  const y = Array.from(labels);
  const loss = (): Tensor => {
    let h = x;
    for (const l of layers) {
      h = conv2d(h, l.w, { stride: l.stride, padding: l.padding, groups: l.groups });
      h = batchNorm2d(h, { gamma: l.gamma, beta: l.beta, eps: cfg.bnEps }).relu();
    }
    return crossEntropy(matmul(globalAvgPool2d(h), fcW).add(fcB), y);
  };
  const params = [...layers.flatMap((l) => [l.w, l.gamma, l.beta]), fcW, fcB];
  const opt = new Adam(params, { lr: cfg.lr, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
  return {
    initLoss: noGrad(() => loss().item()),
    step: (): number => {
      opt.zeroGrad();
      const l = loss();
      l.backward();
      opt.step();
      return l.item();
    },
  };
}

/**
 * tfjs: NHWC (its conv layout), weights OIHW → HWIO, the grouped conv as per-group convs + concat.
 * tfjs-backend-wasm 4.22 registers no Conv2DBackpropFilter kernel, so a conv2d cannot be trained
 * there; it has Conv3D and both Conv3D backprop kernels, so on wasm each conv runs as a depth-1
 * conv3d on the explicitly padded input (tf.conv3d has no numeric padding). tfjs-cpu uses conv2d.
 */
function setupTfjs(tf: Tf, backend: 'cpu' | 'wasm') {
  type T = ReturnType<Tf['tensor']>;
  type T4 = ReturnType<Tf['tensor4d']>;
  const conv = (x: T4, w: T4, stride: number, pad: number): T4 => {
    if (backend === 'cpu') return tf.conv2d(x, w, stride, pad);
    const xp = pad === 0 ? x : tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]]);
    const y = tf.conv3d(tf.expandDims(xp, 1) as ReturnType<Tf['tensor5d']>, tf.expandDims(w, 0) as ReturnType<Tf['tensor5d']>, stride, 'valid');
    return tf.squeeze(y, [1]) as T4;
  };
  const xt = tf.tidy(() => tf.transpose(tf.tensor4d(X, [B, 1, S, S]), [0, 2, 3, 1]));
  const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), K);
  const layers = cfg.convs.map(([cin, cout, k, stride, padding, groups], i) => {
    const cg = cin / groups, og = cout / groups;
    const oihw = tf.tensor4d(W0.convs[i]!.w, [cout, cg, k, k]);
    // One HWIO filter per group: output channels g·og … g·og+og−1 read input channels g·cg …
    const ws = Array.from({ length: groups }, (_, g) => tf.variable(tf.tidy(() => tf.transpose(tf.slice(oihw, [g * og, 0, 0, 0], [og, cg, k, k]), [2, 3, 1, 0]))));
    oihw.dispose();
    return { ws, gamma: tf.variable(tf.tensor1d(W0.convs[i]!.gamma)), beta: tf.variable(tf.tensor1d(W0.convs[i]!.beta)), stride, padding, groups };
  });
  const fcW = tf.variable(tf.tensor2d(W0.fcW, [cfg.convs[cfg.convs.length - 1]![1], K])), fcB = tf.variable(tf.tensor1d(W0.fcB));
  const vars = [...layers.flatMap((l) => [...l.ws, l.gamma, l.beta]), fcW, fcB];
  const lossFn = (): ReturnType<Tf['scalar']> => {
    let h: T = xt;
    for (const l of layers) {
      const parts = l.groups === 1 ? [h] : tf.split(h, l.groups, 3);
      const outs = parts.map((part, g) => conv(part as ReturnType<Tf['tensor4d']>, l.ws[g] as ReturnType<Tf['tensor4d']>, l.stride, l.padding));
      h = outs.length === 1 ? outs[0]! : tf.concat(outs, 3);
      const { mean, variance } = tf.moments(h, [0, 1, 2]);
      h = tf.relu(tf.batchNorm(h, mean, variance, l.beta, l.gamma, cfg.bnEps));
    }
    const logits = tf.add(tf.matMul(tf.mean(h, [1, 2]) as ReturnType<Tf['tensor2d']>, fcW), fcB);
    return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), onehot), 1))) as ReturnType<Tf['scalar']>;
  };
  const opt = tf.train.adam(cfg.lr, 0.9, 0.999, 1e-8);
  return {
    initLoss: tf.tidy(() => lossFn().dataSync()[0]!),
    step: (): number => {
      const l = opt.minimize(lossFn, true, vars as Parameters<typeof opt.minimize>[2])!;
      const v = l.dataSync()[0]!;
      l.dispose();
      return v;
    },
  };
}

/** `perBlock`/`cap`: tfjs-cpu takes tens of seconds per step, so it gets one step per block and CPU_STEPS in all. */
interface Impl { name: string; enter(): Promise<void>; initLoss: number; step(): number; stepMs: number[]; matmuls: Record<string, number>; perBlock: number; cap: number }
const impls: Impl[] = [];
for (const [name, backend] of [['ours', 'js'], ['ours-wasm', 'wasm']] as const) {
  if (ONLY && !ONLY.includes(name)) continue;
  const o = withBackend(backend, () => setupOurs());
  impls.push({ name, enter: async () => setBackend(backend), initLoss: o.initLoss, step: o.step, stepMs: [], matmuls: {}, perBlock: BLOCK, cap: STEPS });
}
const tf = await loadTfjs(true);
for (const be of ['cpu', 'wasm'] as const) {
  if (ONLY && !ONLY.includes(`tfjs-${be}`)) continue;
  if (!(await tf.setBackend(be))) throw new Error(`tfjs backend ${be} failed to initialise`);
  const t = setupTfjs(tf, be);
  const slow = be === 'cpu';
  impls.push({
    name: `tfjs-${be}`, enter: async () => void (await tf.setBackend(be)), initLoss: t.initLoss, step: t.step, stepMs: [], matmuls: {},
    perBlock: slow ? 1 : BLOCK, cap: slow ? CPU_STEPS : STEPS,
  });
}

type TorchRun = { train_step_median_ms: number; train_step_min_ms: number; init_loss: number; torch: string };
/** PyTorch, one thread, in a child process, with the OpenBLAS core-type overrides removed (they keep it off AVX-512). */
function runTorch(): TorchRun | string {
  if (process.env.TORCH === '0') return 'skipped (TORCH=0)';
  const out = `${tmpdir()}/prednas-cnn-torch-1t.json`;
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const r = spawnSync('/usr/bin/python3', [`${PEERS_DIR}bench_cnn_torch.py`, '--threads', '1', '--steps', process.env.TORCH_STEPS ?? '50', '--out', out], { encoding: 'utf8', env });
  if (r.status !== 0) return `unavailable: /usr/bin/python3 bench_cnn_torch.py exited ${r.status ?? r.error?.message}: ${(r.stderr || r.stdout || '').trim().split('\n').pop()}`;
  return JSON.parse(readFileSync(out, 'utf8')) as TorchRun;
}

const torchRuns: (TorchRun | string)[] = [runTorch()];
const reference = impls[0]?.initLoss ?? NaN;
for (const im of impls) {
  console.log(`${im.name.padEnd(10)} initial loss ${im.initLoss.toFixed(6)}`);
  if (!(Math.abs(im.initLoss - reference) <= 1e-4)) throw new Error(`cnn bench: ${im.name} initial loss ${im.initLoss} differs from ${impls[0]!.name}'s ${reference}: not the same model`);
}
const t0 = torchRuns[0];
if (t0 !== undefined && typeof t0 !== 'string') {
  console.log(`torch-1t   initial loss ${t0.init_loss.toFixed(6)}`);
  if (!(Math.abs(t0.init_loss - reference) <= 1e-4)) throw new Error(`cnn bench: torch initial loss ${t0.init_loss} differs from ours ${reference}`);
}

for (const im of impls) {
  await im.enter();
  for (let i = 0; i < (im.perBlock === 1 ? 1 : WARMUP); i++) im.step();
}
const half = Math.ceil(STEPS / BLOCK / 2);
for (let blk = 0; blk * BLOCK < STEPS; blk++) {
  if (blk === half) torchRuns.push(runTorch());
  for (let j = 0; j < impls.length; j++) {
    const im = impls[(j + blk) % impls.length]!;
    await im.enter();
    for (let i = 0; i < im.perBlock && im.stepMs.length < im.cap; i++) {
      resetBackendStats();
      const s = now();
      im.step();
      im.stepMs.push(now() - s);
      for (const [b, c] of Object.entries(backendStats())) im.matmuls[b] = (im.matmuls[b] ?? 0) + c;
    }
  }
}
setBackend('js');
torchRuns.push(runTorch());
const torchOk = torchRuns.filter((t): t is TorchRun => typeof t !== 'string');
const torchMs = torchOk.length === 0 ? null : median(torchOk.map((t) => t.train_step_median_ms));

const flops = common.cnnFlops();
const q = (xs: number[], f: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(f * xs.length))]!;
const summary = impls.map((im) => ({
  impl: im.name, init_loss: im.initLoss, train_step_median_ms: median(im.stepMs), q25_ms: q(im.stepMs, 0.25), q75_ms: q(im.stepMs, 0.75),
  train_steps: im.stepMs.length, gflops_effective: flops.trainFlops / (median(im.stepMs) * 1e6), matmuls_by_backend: im.matmuls, step_ms: im.stepMs.map((v) => Number(v.toFixed(2))),
}));
for (const s of summary) {
  console.log(`${s.impl.padEnd(10)} train ${s.train_step_median_ms.toFixed(2)} ms/step [q25 ${s.q25_ms.toFixed(2)}, q75 ${s.q75_ms.toFixed(2)}] (${s.gflops_effective.toFixed(2)} GFLOP/s eff)` +
    (Object.keys(s.matmuls_by_backend).length > 0 ? ` matmuls on ${JSON.stringify(s.matmuls_by_backend)}` : ''));
}
console.log(torchMs === null ? `torch-1t   ${String(torchRuns[0])}` : `torch-1t   train ${torchMs.toFixed(2)} ms/step (median of runs before, between, after: ${torchOk.map((t) => t.train_step_median_ms.toFixed(2)).join(', ')}; torch ${torchOk[0]!.torch})`);
const by = (name: string) => summary.find((s) => s.impl === name)?.train_step_median_ms ?? null;
const ratio = (x: number | null, y: number | null): number | null => (x === null || y === null ? null : Number((x / y).toFixed(2)));
const line = {
  ours_ms: by('ours'), ours_wasm_ms: by('ours-wasm'), tfjs_wasm_ms: by('tfjs-wasm'), tfjs_cpu_ms: by('tfjs-cpu'), torch_1t_ms: torchMs,
  tfjs_wasm_over_ours_wasm: ratio(by('tfjs-wasm'), by('ours-wasm')), ours_wasm_over_torch: ratio(by('ours-wasm'), torchMs),
  tfjs_cpu_over_ours: ratio(by('tfjs-cpu'), by('ours')), init_loss: reference,
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/cnn.json', import.meta.url), JSON.stringify({ kind: 'cnn', machine: await machine(), cfg, flops, steps: STEPS, block: BLOCK, warmup: WARMUP, results: summary, torch_1t_runs: torchRuns, line }, null, 2) + '\n');
console.log(JSON.stringify(line));
process.exit(0);
