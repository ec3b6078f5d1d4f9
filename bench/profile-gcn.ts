/**
 * npx tsx bench/profile-gcn.ts — where our GCN training step and ascent step spend their time:
 * every matmul goes through a timing wrapper around one backend (env BACKEND: js, the default,
 * or wasm; time and GFLOP/s per product shape), the rest of the step is the autograd layer
 * (elementwise ops, reductions, bookkeeping).
 * For a per-function view run it under `node --cpu-prof --import tsx bench/profile-gcn.ts`.
 */
import type { MatmulSpec } from '../src/kernels/backend.js';
import { getBackend, registerBackend, setBackend } from '../src/kernels/registry.js';
import { setupAscent, setupTraining, type GcnCommon } from './lib/gcn-ours.js';
import { importPeer } from './lib/peers.js';
import { now } from './lib/stats.js';

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
report('training step', STEPS, () => void tr.step());
const asc = setupAscent(common, tr.P);
report('ascent step', STEPS, () => asc.run(1));
