/**
 * npx tsx bench/profile-gcn.ts — where our GCN training step and ascent step spend their time:
 * every matmul goes through a timing wrapper around one backend (env BACKEND: js, the default,
 * or wasm; time and GFLOP/s per product shape), the rest of the step is the autograd layer
 * (elementwise ops, reductions, bookkeeping).
 * For a per-function view run it under `node --cpu-prof --import tsx bench/profile-gcn.ts`.
 */
import type { MatmulSpec } from '../src/kernels/backend.js';
import { getBackend, registerBackend, setBackend } from '../src/kernels/registry.js';
import type { WasmBackend } from '../src/kernels/wasm/index.js';
import { setupAscent, setupTraining, type GcnCommon } from './lib/gcn-ours.js';
import { importPeer } from './lib/peers.js';
import { now, timeIt } from './lib/stats.js';

const STEPS = Number(process.env.STEPS ?? 20);
const inner = getBackend(process.env.BACKEND ?? 'js');
const byShape = new Map<string, { calls: number; ms: number; flops: number }>();
registerBackend({
  name: 'timed', exact: true, supports: (dtype) => inner.supports(dtype),
  matmul(s: MatmulSpec) {
    const t0 = now();
    inner.matmul(s);
    const ms = now() - t0;
    const key = `${s.batch > 1 ? `${s.batch}×` : ''}[${s.m}×${s.k}]${s.transA ? 'ᵀ*' : ''}·[${s.k}×${s.n}]${s.transB ? 'ᵀ*' : ''}`;
    const e = byShape.get(key) ?? { calls: 0, ms: 0, flops: 0 };
    e.calls++;
    e.ms += ms;
    e.flops += 2 * s.batch * s.m * s.n * s.k;
    byShape.set(key, e);
  },
});
setBackend('timed');
console.log(`matmul backend: ${inner.name} ${JSON.stringify(inner.describe?.() ?? {})}`);

const common = await importPeer<GcnCommon>('gcn_common.mjs');
const tr = setupTraining(common);
function report(label: string, steps: number, run: () => void): void {
  run(); // warm-up
  byShape.clear();
  const t0 = now();
  for (let i = 0; i < steps; i++) run();
  const total = (now() - t0) / steps;
  const mm = [...byShape.values()].reduce((a, e) => a + e.ms, 0) / steps;
  console.log(`\n${label}: ${total.toFixed(1)} ms/step; matmul ${mm.toFixed(1)} ms (${((100 * mm) / total).toFixed(0)}%), rest (autograd ops + optimiser) ${(total - mm).toFixed(1)} ms`);
  console.log('| product (*: transposed operand read in place) | calls/step | ms/step | GFLOP/s |\n|---|---:|---:|---:|');
  for (const [k, e] of [...byShape.entries()].sort((a, b) => b[1].ms - a[1].ms)) {
    console.log(`| ${k} | ${e.calls / steps} | ${(e.ms / steps).toFixed(2)} | ${(e.flops / e.ms / 1e6).toFixed(2)} |`);
  }
}
/**
 * The wasm backend copies operands in and results out on every call. How much would keeping
 * tensors resident in its memory save? Bytes copied per step, and what copying that many bytes
 * costs here: TypedArray.set in pieces of the step's average copy size between cache-resident
 * arrays (lower bound), and in one piece of the whole step's bytes, beyond L2 (upper bound).
 */
function boundary(label: string, steps: number, run: () => void): void {
  if (!('traffic' in inner)) return;
  const traffic = (inner as WasmBackend).traffic;
  const t0 = traffic();
  for (let i = 0; i < steps; i++) run();
  const t1 = traffic();
  const calls = (t1.calls - t0.calls) / steps;
  const bytes = (t1.bytesIn - t0.bytesIn + t1.bytesOut - t0.bytesOut) / steps;
  const each = Math.max(1, Math.round(bytes / (3 * calls) / 4)); // ≈ A, B and C per call
  const src = new Float32Array(each), dst = new Float32Array(each);
  const lo = timeIt(() => dst.set(src), 50) * 3 * calls;
  const all = Math.round(bytes / 4), bigSrc = new Float32Array(all), bigDst = new Float32Array(all);
  bigDst.set(bigSrc); // first touch (page faults) outside the timing
  const hi = timeIt(() => bigDst.set(bigSrc), 50, 5);
  console.log(`${label}: ${calls} wasm calls, ${(bytes / 2 ** 20).toFixed(2)} MiB copied in+out per step ≈ ${lo.toFixed(2)}–${hi.toFixed(2)} ms of copying`);
}

report('training step', STEPS, () => void tr.step());
boundary('training step', STEPS, () => void tr.step());
const asc = setupAscent(common, tr.P);
report('ascent step', STEPS, () => asc.run(1));
boundary('ascent step', STEPS, () => asc.run(1));
