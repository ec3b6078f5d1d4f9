/**
 * gpu.js's `auto` calibration (src/kernels/gpujs/calibrate.ts) in every gpu.js mode that loads
 * here, with the wasm backend registered as `auto` has it: which backend gpu.js had to beat at
 * each size, the times, and what `auto` does with gpu.js. Writes bench/results/gpujs-calibration.json
 * (the kept calibrations a program can hand back to calibrateGpuJs).
 *   DISPLAY=:99 npx tsx bench/gpujs-calibrate.ts      (GL mode needs a display: scripts/headless-gl.sh)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { calibrateGpuJs, loadGpuJs, type GpuJsCalibration } from '../src/kernels/gpujs/index.js';
import { setBackend, unregisterBackend } from '../src/kernels/registry.js';

setBackend('auto');
const out: Record<string, GpuJsCalibration | string> = {};
for (const mode of ['headlessgl', 'gpu', 'cpu']) {
  try {
    const be = await loadGpuJs({ mode });
    const c = calibrateGpuJs(be, { sizes: [16, 64, 128, 256, 512], reps: 5 });
    out[mode] = c;
    console.log(`${mode}: ${c.summary}`);
    unregisterBackend('gpujs');
    await be.destroy();
  } catch (e) {
    out[mode] = `unavailable: ${(e as Error).message}`;
    console.log(`${mode}: ${out[mode]}`);
  }
}
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/gpujs-calibration.json', JSON.stringify({ date: new Date().toISOString(), calibrations: out }, null, 1) + '\n');
