/**
 * npm run bench:kernels — matmul GFLOP/s per predictor shape: naive JS and the plain 4×4 kernel
 * from the peer harness, our js backend (Float32 and Float64), our wasm backend (SIMD128), our
 * gpu.js backend in every mode that loads, tfjs-cpu and tfjs-wasm; all in one process,
 * interleaved (each round runs one benny suite per shape with the implementations in rotated
 * order), medians over rounds of benny's per-case median. numpy/PyTorch figures are quoted from
 * ../shared/peers/results/tables.md. Then the js/wasm crossover on small products (the data
 * behind the wasm backend's autoMinFlops), and the engine's elementwise loops against the wasm
 * elementwise kernels by size (the data behind its autoMinElements).
 * Writes bench/results/kernels.json and bench/results/kernels.md.
 * Env: ROUNDS (default 3), MAX_TIME (seconds per case per round, default 0.25), SHAPES (comma list).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import b from 'benny';
import { Rng } from '../src/autograd/random.js';
import type { Backend, MatmulSpec } from '../src/kernels/backend.js';
import { loadGpuJs, type GpuJsBackend } from '../src/kernels/gpujs/index.js';
import { jsBackend } from '../src/kernels/js/index.js';
import { Bin, Un, binary, unary } from '../src/autograd/loops.js';
import { withBackend } from '../src/kernels/registry.js';
import { createWasmBackend, WASM_AUTO_MIN_FLOPS, WASM_MIN_ELEMENTS } from '../src/kernels/wasm/index.js';
import { gpujs, ours, peer, tfjs, type Impl, type Prepared } from './lib/matmul-impls.js';
import { importPeer, PEERS_DIR, quotedPythonGflops, type PeerKernels } from './lib/peers.js';
import { flops, SHAPES, type Shape } from './lib/shapes.js';
import { machine, median, timeIt } from './lib/stats.js';
import { loadTfjs } from './lib/tfjs.js';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const MAX_TIME = Number(process.env.MAX_TIME ?? 0.25);
const only = process.env.SHAPES?.split(',');
const shapes = only ? SHAPES.filter((s) => only.includes(s.name)) : SHAPES;
const RESULTS = new URL('./results/', import.meta.url);

const lib = await importPeer<PeerKernels>('kernels.mjs');
const tf = await loadTfjs(false);
const status: Record<string, string> = {};
for (const be of ['cpu', 'wasm']) {
  try {
    if (!(await tf.setBackend(be))) throw new Error('setBackend returned false');
  } catch (e) {
    status[`tfjs-${be}`] = `unavailable: ${(e as Error).message}`;
  }
}
/** A registry backend on Float32 operands (batch offsets back to back, as the engine passes them). */
function backendImpl(name: string, be: Backend): Impl {
  return {
    name,
    prepare(x, a, bm) {
      const s = matmulSpec(x, a, bm);
      be.matmul(s); // warm-up outside the timing
      return { run: () => be.matmul(s), result: () => s.out };
    },
  };
}
function matmulSpec(x: Shape, a: Float32Array, bm: Float32Array): MatmulSpec {
  return {
    a, b: bm, out: new Float32Array(x.batch * x.m * x.n), m: x.m, n: x.n, k: x.k, transA: x.transA, transB: x.transB, batch: x.batch,
    aOffsets: Int32Array.from({ length: x.batch }, (_, t) => t * x.m * x.k), bOffsets: Int32Array.from({ length: x.batch }, (_, t) => t * x.k * x.n),
  };
}
const wasm = createWasmBackend();
const impls: Impl[] = [peer('naive', lib.mmNaive, lib), peer('peer-4x4', lib.mm4x4, lib), ours('float32'), ours('float64'), backendImpl('wasm', wasm)];
const gpuBackends: GpuJsBackend[] = [];
for (const mode of ['gpu', 'headlessgl', 'cpu']) {
  try {
    const be = await loadGpuJs({ mode });
    gpuBackends.push(be);
    impls.push(gpujs(`gpujs-${mode}`, be));
  } catch (e) {
    status[`gpujs-${mode}`] = `unavailable: ${(e as Error).message}`;
  }
}
for (const be of ['cpu', 'wasm'] as const) if (status[`tfjs-${be}`] === undefined) impls.push(tfjs(tf, be));

function reference(x: Shape, a: Float32Array, bm: Float32Array): Float64Array {
  const out = new Float64Array(x.batch * x.m * x.n);
  for (let t = 0; t < x.batch; t++) {
    const ao = t * x.m * x.k, bo = t * x.k * x.n;
    for (let i = 0; i < x.m; i++) for (let j = 0; j < x.n; j++) {
      let s = 0;
      for (let p = 0; p < x.k; p++) s += a[ao + (x.transA ? p * x.m + i : i * x.k + p)]! * bm[bo + (x.transB ? j * x.k + p : p * x.n + j)]!;
      out[(t * x.m + i) * x.n + j] = s;
    }
  }
  return out;
}

interface Row { shape: Shape; prepared: Map<string, Prepared>; err: Record<string, number>; samples: Record<string, number[]> }
const rows: Row[] = [];
for (const x of shapes) {
  const rng = new Rng(11);
  const a = Float32Array.from({ length: x.batch * x.m * x.k }, () => rng.normal());
  const bm = Float32Array.from({ length: x.batch * x.k * x.n }, () => rng.normal());
  const ref = reference(x, a, bm);
  const refMax = ref.reduce((acc, v) => Math.max(acc, Math.abs(v)), 0);
  const row: Row = { shape: x, prepared: new Map(), err: {}, samples: {} };
  for (const impl of impls) {
    const p = impl.prepare(x, a, bm);
    p.run();
    const r = p.result();
    let e = 0;
    for (let i = 0; i < ref.length; i++) e = Math.max(e, Math.abs(r[i]! - ref[i]!));
    row.err[impl.name] = e / refMax;
    if (!(e / refMax < 1e-4)) throw new Error(`${impl.name} on ${x.name}: max error ${e / refMax} relative to max |ref|`);
    row.prepared.set(impl.name, p);
    row.samples[impl.name] = [];
  }
  rows.push(row);
}

for (let round = 0; round < ROUNDS; round++) {
  for (const row of rows) {
    const names = [...row.prepared.keys()];
    const order = names.map((_, i) => names[(i + round) % names.length]!);
    await b.suite(
      `${row.shape.name} (round ${round + 1}/${ROUNDS})`,
      ...order.map((name) => b.add(name, () => row.prepared.get(name)!.run(), { maxTime: MAX_TIME, minSamples: 5 })),
      b.complete((summary) => {
        for (const r of summary.results) row.samples[r.name]!.push(r.details.median);
      }),
    );
  }
}

const quoted = existsSync(PEERS_DIR + 'results/tables.md') ? quotedPythonGflops(readFileSync(PEERS_DIR + 'results/tables.md', 'utf8')) : new Map();
const names = impls.map((i) => i.name);
const gflops = (row: Row, name: string): number => flops(row.shape) / median(row.samples[name]!) / 1e9;
const fmt = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '—' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const engines = gpuBackends.map((be) => be.describe?.() ?? {});
const md: string[] = [
  `# Matmul GFLOP/s (fp32 unless marked; median over ${ROUNDS} interleaved rounds of benny's per-case median)`,
  '',
  `Machine: ${JSON.stringify(await machine())}. gpu.js engines: ${engines.map((e) => `${e.requestedMode}→${e.engine ?? e.mode}${e.runPath ? `/${e.runPath}` : ''}`).join(', ')}.`,
  'Peer kernels from ../shared/peers/kernels.mjs; on transposed shapes they pay an explicit transpose copy (they have no transpose flags).',
  'numpy/torch columns are **quoted** from ../shared/peers/results/tables.md (another run, another machine state): reference only.',
  '',
  '`ours` is the js backend; `wasm` the WebAssembly SIMD backend (its figures include copying the operands into its memory and the result out).',
  '',
  `| shape | product | ${names.join(' | ')} | ours/peer-4x4 | ours/tfjs-cpu | ours/tfjs-wasm | wasm/ours | wasm/tfjs-wasm | numpy-1t (quoted) | torch-1t (quoted) |`,
  `|---|---|${names.map(() => '---:').join('|')}|---:|---:|---:|---:|---:|---:|---:|`,
];
const json = rows.map((row) => {
  const g = Object.fromEntries(names.map((n) => [n, gflops(row, n)]));
  const q = quoted.get(row.shape.name) ?? {};
  md.push(`| ${row.shape.name} | ${row.shape.what} | ${names.map((n) => fmt(g[n])).join(' | ')} | ${fmt(g.ours! / g['peer-4x4']!)}× | ${fmt(g.ours! / g['tfjs-cpu']!)}× | ${fmt(g.ours! / g['tfjs-wasm']!)}× | ${fmt(g.wasm! / g.ours!)}× | ${fmt(g.wasm! / g['tfjs-wasm']!)}× | ${fmt(q['numpy-1t'])} | ${fmt(q['torch-1t'])} |`);
  return { shape: row.shape, flops: flops(row.shape), gflops: g, median_s: Object.fromEntries(names.map((n) => [n, median(row.samples[n]!)])), samples_s: row.samples, max_rel_error: row.err, quoted_python_gflops: q };
});
md.push('', `Status: ${JSON.stringify(status)}. wasm backend: ${JSON.stringify(wasm.describe!())}.`);

// Crossover: where does the wasm backend's fixed cost per call (arena, copies, packing) stop
// mattering? Tiny products, js vs wasm side by side (each timed ≥ 50 ms after a warm-up).
const SMALL: [number, number, number][] = [[1, 1, 1], [2, 2, 2], [4, 4, 4], [1, 8, 8], [8, 8, 1], [6, 6, 6], [8, 8, 8], [1, 64, 64], [64, 1, 64], [64, 64, 1], [16, 16, 16], [32, 32, 32], [64, 64, 64]];
md.push('', `## js vs wasm on small products (current wasm autoMinFlops = ${WASM_AUTO_MIN_FLOPS})`, '', '| m×k·k×n | flops | js µs | wasm µs | js/wasm |', '|---|---:|---:|---:|---:|');
const crossover = SMALL.map(([m, k, n]) => {
  const x: Shape = { name: '', what: '', batch: 1, m, k, n, transA: false, transB: false };
  const rng = new Rng(5);
  const s = matmulSpec(x, Float32Array.from({ length: m * k }, () => rng.normal()), Float32Array.from({ length: k * n }, () => rng.normal()));
  const times: Record<string, number[]> = { js: [], wasm: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, be] of (r % 2 === 0 ? [['js', jsBackend], ['wasm', wasm]] : [['wasm', wasm], ['js', jsBackend]]) as [string, Backend][]) {
      timeIt(() => be.matmul(s), 10);
      times[name]!.push(timeIt(() => be.matmul(s), 50) * 1e3);
    }
  }
  const js = median(times.js!), w = median(times.wasm!);
  md.push(`| ${m}×${k}·${k}×${n} | ${2 * m * n * k} | ${js.toFixed(2)} | ${w.toFixed(2)} | ${(js / w).toFixed(2)} |`);
  return { m, k, n, flops: 2 * m * n * k, js_us: js, wasm_us: w };
});
// Elementwise: the engine's own loops (under 'js') against the wasm kernels, including the copies
// in and out, on the GCN's three hot patterns. Bias: [size/128, 128] + [128].
const SIZES = [64, 256, 1024, 4096, 16384, 131072];
md.push('', `## Elementwise: engine loops (js) vs wasm kernels, µs per call (current wasm autoMinElements = ${WASM_MIN_ELEMENTS})`, '',
  '| elements | relu js | relu wasm | add js | add wasm | bias add js | bias add wasm |', '|---:|---:|---:|---:|---:|---:|---:|');
const elementwise = SIZES.map((size) => {
  const rng = new Rng(6);
  const x = Float32Array.from({ length: size }, () => rng.normal()), y = Float32Array.from({ length: size }, () => rng.normal());
  const bias = Float32Array.from({ length: Math.min(128, size) }, () => rng.normal());
  const rows = size / bias.length;
  const cases: Record<string, () => void> = {
    'relu js': () => withBackend('js', () => unary(Un.Relu, x, new Float32Array(size))),
    'relu wasm': () => wasm.unary!('relu', x, new Float32Array(size)),
    'add js': () => withBackend('js', () => binary(Bin.Add, x, [size], y, [size], new Float32Array(size), [size])),
    'add wasm': () => wasm.binary!('add', x, y, new Float32Array(size)),
    'bias js': () => withBackend('js', () => binary(Bin.Add, x, [rows, bias.length], bias, [bias.length], new Float32Array(size), [rows, bias.length])),
    'bias wasm': () => wasm.binary!('add', x, bias, new Float32Array(size)),
  };
  const us: Record<string, number> = {};
  for (const [name, fn] of Object.entries(cases)) {
    const samples: number[] = [];
    timeIt(fn, 10);
    for (let r = 0; r < ROUNDS; r++) samples.push(timeIt(fn, 30) * 1e3);
    us[name] = median(samples);
  }
  md.push(`| ${size} | ${Object.values(us).map((v) => v.toFixed(2)).join(' | ')} |`);
  return { size, us };
});

mkdirSync(RESULTS, { recursive: true });
writeFileSync(new URL('kernels.json', RESULTS), JSON.stringify({ kind: 'kernels', machine: await machine(), rounds: ROUNDS, maxTime: MAX_TIME, engines, wasm: wasm.describe!(), status, rows: json, crossover, elementwise }, null, 2) + '\n');
writeFileSync(new URL('kernels.md', RESULTS), md.join('\n') + '\n');
console.log(md.join('\n'));
for (const be of gpuBackends) await be.destroy();
process.exit(0);
