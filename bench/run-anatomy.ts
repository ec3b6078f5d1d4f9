/**
 * npx tsx bench/run-anatomy.ts [--runs 3] [--data DIR] [--dataset cifar100] [--out FILE]
 *
 * What a PredNAS and a Wen NB-201 run (budget 100, default settings, backend `auto`) spend their
 * CPU on, and how close the matmul kernel runs to this machine's SIMD128 peak: the two facts that
 * bound what a bit-for-bit faster engine can still gain (issue 23).
 *
 * 1. Each algorithm: one warm-up run (seed 99), then `--runs` runs (seeds 0, 1, …) under the V8
 *    sampling profiler (node:inspector, in this process). Self time is sorted into the kernels
 *    (the wasm functions, named by their modules' name sections), dropout and random draws
 *    (`dropout`, src/autograd/dropout-mask.ts and random.ts: the draws the results depend on), the
 *    garbage collector, and the rest: the engine and search in JS (graph bookkeeping,
 *    allocation, copies into and out of wasm memory, gathers, index building, the search itself).
 *    "kernel floor" = kernels + draws: what a run would cost if everything else were free.
 * 2. Peak: an emitted wasm loop of independent f32x4 multiply-then-add chains (no memory
 *    traffic), against the backend's matmul on the fit's dominant products ([5 × 95 × 64] ·
 *    [64 × 64] in the three orientations the fit uses, and the ascent's [5 × 7 × 64] · [64 × 64]),
 *    timed through `backend.matmul` (copies in and out included, as a run pays them).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { parseArgs } from 'node:util';
import { resolveDataDir } from '../src/io/data-dir.js';
import { configFromSpec } from '../src/io/parallel.js';
import { setBackend } from '../src/kernels/index.js';
import { Code, I32, V128, moduleBytes } from '../src/kernels/wasm/emit.js';
import { createWasmBackend } from '../src/kernels/wasm/index.js';
import { runOne } from '../src/nas/experiment/runner.js';
import { machine, median, now, timeIt } from './lib/stats.js';

const { values } = parseArgs({ options: { runs: { type: 'string' }, data: { type: 'string' }, dataset: { type: 'string' }, out: { type: 'string' } } });
const runs = Number(values.runs ?? 3);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`run-anatomy: --runs expects a positive integer, got ${values.runs}`);

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

function post<T>(s: Session, method: string, params: object = {}): Promise<T> {
  return new Promise((resolve, reject) => s.post(method, params, (err, res) => (err ? reject(err) : resolve(res as T))));
}

type Bucket = 'kernels' | 'draws' | 'gc' | 'engine';
function bucketOf({ functionName: f, url }: ProfileNode['callFrame']): Bucket {
  if (url.startsWith('wasm://')) return 'kernels';
  if (f === 'dropout' || url.endsWith('/autograd/dropout-mask.ts') || url.endsWith('/autograd/random.ts')) return 'draws';
  if (f === '(garbage collector)') return 'gc';
  return 'engine';
}

async function anatomy(algo: string): Promise<Record<string, unknown>> {
  const cfg = configFromSpec({
    benchmark: { space: 'nb201', dataset: values.dataset ?? 'cifar100', dataDir: resolveDataDir(values.data) },
    algorithms: [algo], budget: 100, seeds: [0], protocol: 'A', constraints: [],
  });
  runOne(cfg, algo, 99); // warm-up: JIT, wasm compilation, the tables' first touch
  const session = new Session();
  session.connect();
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.setSamplingInterval', { interval: 250 });
  await post(session, 'Profiler.start');
  const wall: number[] = [];
  for (let s = 0; s < runs; s++) {
    const t0 = now();
    runOne(cfg, algo, s);
    wall.push(now() - t0);
  }
  const { profile } = await post<{ profile: Profile }>(session, 'Profiler.stop');
  session.disconnect();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, { bucket: Bucket; us: number }>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const { callFrame } = byId.get(id)!;
    const dt = profile.timeDeltas[i]!;
    if (callFrame.functionName === '(idle)') return;
    total += dt;
    const file = callFrame.url.replace(/^.*\/(src|bench|node_modules)\//, '$1/');
    const key = callFrame.url.startsWith('wasm://') ? callFrame.functionName : `${callFrame.functionName || '(anonymous)'} ${file}`;
    const e = self.get(key) ?? { bucket: bucketOf(callFrame), us: 0 };
    e.us += dt;
    self.set(key, e);
  });
  const pct = (us: number) => Number(((100 * us) / total).toFixed(1));
  const buckets = { kernels: 0, draws: 0, gc: 0, engine: 0 };
  for (const { bucket, us } of self.values()) buckets[bucket] += us;
  const top = (b: Bucket, n: number) => [...self.entries()].filter(([, e]) => e.bucket === b).sort((x, y) => y[1].us - x[1].us).slice(0, n).map(([k, e]) => ({ fn: k, percent: pct(e.us) }));
  const msPerRun = wall.reduce((a, b) => a + b, 0) / runs;
  const floorShare = (buckets.kernels + buckets.draws) / total;
  return {
    algo, runs, ms_per_run: Math.round(msPerRun), wall_ms: wall.map(Math.round),
    percent: { kernels: pct(buckets.kernels), draws: pct(buckets.draws), gc: pct(buckets.gc), engine: pct(buckets.engine) },
    kernel_floor_ms: Math.round(floorShare * msPerRun),
    kernels: top('kernels', 12), engine_top: top('engine', 15),
  };
}

/** Independent chains acc = acc·m + a over f32x4 (multiply, then add: the gemm's two rounded steps). */
function peakFunction(chains: number): Code {
  const [iters] = [0];
  const c = new Code([I32], [I32]);
  const m = c.local(V128), a = c.local(V128), i = c.local(I32);
  const acc = Array.from({ length: chains }, () => c.local(V128));
  c.f32(0.999999).f32x4Splat().set(m);
  c.f32(0.001).f32x4Splat().set(a);
  acc.forEach((x, k) => c.f32(k).f32x4Splat().set(x));
  c.forLoop(i, () => c.i32(0), () => c.get(iters), 1, () => {
    for (const x of acc) c.get(x).get(m).f32x4Mul().get(a).f32x4Add().set(x);
  });
  // Keep the chains alive: any lane of their sum that is not NaN.
  c.get(acc[0]!);
  for (const x of acc.slice(1)) c.get(x).f32x4Add();
  c.get(acc[0]!).f32x4Ne().v128AnyTrue();
  return c;
}

/** GFLOP/s of `calls` runs of f, best of five timings of at least `minMs`. */
const gflops = (flops: number, f: () => void, minMs: number): number => flops / Math.min(...Array.from({ length: 5 }, () => timeIt(f, minMs))) / 1e6;

/**
 * The peak kernel at its best chain count, then that kernel and the matmuls alternated round by
 * round: this VM's speed drifts by tens of percent within minutes, so each ratio compares
 * measurements taken side by side.
 */
function roofline(rounds = 5): Record<string, unknown> {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const iters = 2_000_000;
  const peaks = [4, 8, 12, 14, 16].map((chains) => {
    const { peak } = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes([{ name: 'peak', code: peakFunction(chains) }])), { env: { memory } }).exports as { peak: (n: number) => number };
    peak(iters); // tier-up
    return { chains, run: () => void peak(iters), flops: chains * 8 * iters };
  });
  const scan = peaks.map((p) => ({ chains: p.chains, gflops: gflops(p.flops, p.run, 50) }));
  const best = peaks[scan.reduce((bi, x, i) => (x.gflops > scan[bi]!.gflops ? i : bi), 0)]!;
  const be = createWasmBackend();
  const batch = 5;
  const products = [
    { m: 95, n: 64, k: 64, transA: false, transB: false, label: 'fit forward' },
    { m: 95, n: 64, k: 64, transA: false, transB: true, label: 'fit, gradient of the input' },
    { m: 64, n: 64, k: 95, transA: true, transB: false, label: 'fit, gradient of the weights' },
    { m: 7, n: 64, k: 64, transA: false, transB: false, label: 'ascent forward' },
  ].map(({ m, n, k, transA, transB, label }) => {
    const offs = (size: number) => Int32Array.from({ length: batch }, (_, t) => t * size);
    const spec = {
      a: Float32Array.from({ length: batch * m * k }, (_, i) => Math.sin(i)), b: Float32Array.from({ length: batch * k * n }, (_, i) => Math.cos(i)),
      out: new Float32Array(batch * m * n), m, n, k, transA, transB, batch, aOffsets: offs(m * k), bOffsets: offs(k * n),
    };
    be.matmul(spec);
    return { product: `${batch}×[${m}×${k}]${transA ? 'ᵀ' : ''}·[${k}×${n}]${transB ? 'ᵀ' : ''} (${label})`, run: () => be.matmul(spec), flops: 2 * batch * m * n * k };
  });
  const peak: number[] = [];
  const mm = products.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    peak.push(gflops(best.flops, best.run, 50));
    products.forEach((p, i) => mm[i]!.push(gflops(p.flops, p.run, 30)));
  }
  const round1 = (x: number) => Number(x.toFixed(1));
  return {
    peak_scan: scan.map(({ chains, gflops: g }) => ({ chains, gflops: round1(g) })),
    peak_chains: best.chains,
    peak_gflops: peak.map(round1),
    matmul: products.map((p, i) => ({
      product: p.product, gflops: mm[i]!.map(round1),
      median_share_of_peak: Number(median(mm[i]!.map((g, r) => g / peak[r]!)).toFixed(2)),
    })),
  };
}

setBackend('auto');
const result = {
  machine: await machine(),
  runs: [await anatomy('prednas'), await anatomy('wen')],
  roofline: roofline(),
};
const json = JSON.stringify(result, null, 2);
console.log(json);
if (values.out !== undefined) writeFileSync(values.out, `${json}\n`);
