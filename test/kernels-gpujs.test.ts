/**
 * The optional gpu.js backend against the naive Float64 reference (Float32 tolerance), in gpu.js's
 * default mode (its own fallback chain: headless GL when it has a context, else WebAssembly on
 * CPU-only machines), its 'cpu' mode and its 'headlessgl' mode (GL in Node through headless-gl:
 * ANGLE on Mesa under Xvfb; scripts/headless-gl.sh). Skips, saying why, when a mode cannot load:
 * gpu.js is an optional peer dependency of the package (a devDependency here, so that CI exercises
 * this backend) and GL needs a built `gl` and an X display. In CI (CI=true), where .ci/run provides
 * both, a missing GL mode fails instead of skipping.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calibrateGpuJs, calibrationKey, loadGpuJs, type GpuJsBackend } from '../src/kernels/gpujs/index.js';
import { backendFor, backendStats, lastBackend, registerBackend, resetBackendStats, runMatmul, setBackend, unregisterBackend } from '../src/kernels/registry.js';
import { build, caseArb, describeCase, reference, worstError } from './kernels-cases.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

// Float32 storage of inputs is exact (they are float32 values); the kernel accumulates in float32.
const F32_TOL = 1e-5;

async function tryLoad(mode: string): Promise<GpuJsBackend | string> {
  try {
    return await loadGpuJs({ mode, cacheSize: 16 });
  } catch (e) {
    return (e as Error).message;
  }
}

const CI = process.env.CI === 'true';

for (const mode of ['gpu', 'cpu', 'headlessgl']) {
  const loaded = await tryLoad(mode);
  if (typeof loaded === 'string') console.log(`[kernels-gpujs] skipping gpu.js mode '${mode}': ${loaded}`);
  if (mode === 'headlessgl' && CI) {
    it('CI provides GL (gl built by npm ci, Xvfb started by .ci/run)', () => expect(loaded, typeof loaded === 'string' ? loaded : '').not.toBeTypeOf('string'));
  }

  describe.skipIf(typeof loaded === 'string')(`gpujs backend, gpu.js mode '${mode}'`, () => {
    const be = loaded as GpuJsBackend;
    // Both modes were loaded up front (to decide skipping); the later load replaced the earlier.
    beforeAll(() => registerBackend(be));
    afterAll(async () => {
      unregisterBackend('gpujs');
      await be.destroy();
    });

    it('every transpose variant, shape and batch broadcast within the float32 tolerance', () => {
      setBackend('gpujs');
      resetBackendStats();
      let runs = 0;
      fc.assert(fc.property(caseArb, (c) => {
        const { spec, a, b } = build(c, 'float32');
        runMatmul(spec, 'float32');
        runs++;
        expect(worstError(spec.out, reference(spec, a, b)), describeCase(c)).toBeLessThanOrEqual(F32_TOL);
      }), { seed: 44, numRuns: 30 });
      expect(backendStats()).toEqual({ gpujs: runs });
      const info = be.describe!();
      console.log(`[kernels-gpujs] mode '${mode}' ran as`, JSON.stringify(info));
      expect(info.engine).toMatch(/^(headlessgl|webgl2?|webgpu|webasm|cpu)$/);
      if (mode === 'cpu') expect(info.engine).toBe('cpu');
      // GL for real, not a fallback: gpu.js's HeadlessGLKernel ran every product above.
      if (mode === 'headlessgl') expect([info.mode, info.kernel, info.engine]).toEqual(['headlessgl', 'HeadlessGLKernel', 'headlessgl']);
      setBackend('js');
    });

    it('is never used for Float64: the registry routes those products to js', () => {
      const { spec, a, b } = build({ m: 5, n: 6, k: 7, batch: 2, transA: true, transB: false, shareA: false, shareB: true, pad: 1, seed: 3 }, 'float64');
      runMatmul(spec, 'float64', 'gpujs');
      expect(lastBackend()).toBe('js');
      expect([...spec.out]).toEqual([...reference(spec, a, b).value]);
      expect(() => be.matmul(spec)).toThrow(/Float32 only/);
    });

    it('calibration: measured against the backend auto would use, applied, cached by what gpu.js runs on', () => {
      const c = calibrateGpuJs(be, { sizes: [4, 24], reps: 2 });
      expect(c.points.map((p) => [p.size, p.flops])).toEqual([[4, 128], [24, 27648]]);
      for (const p of c.points) {
        expect(p.gpujsMs).toBeGreaterThan(0);
        expect(['js', 'wasm']).toContain(p.other);
      }
      expect(c.key).toBe(calibrationKey(be));
      expect(c.key.startsWith(`${be.describe!()['engine']}/`)).toBe(true);
      expect(be.autoMinFlops).toBe(c.autoMinFlops ?? Infinity);
      expect(c.summary).toMatch(c.autoMinFlops === null ? /^auto keeps gpu\.js .* off: slower at (every|the largest) size measured \(4³/ : /^auto routes products of ≥ \d+ flops to gpu\.js/);
      expect(JSON.parse(JSON.stringify(c))).toEqual(c); // keepable as it is
      // A kept calibration of this machine is applied without measuring; auto then routes to gpu.js.
      const kept = { ...c, points: [], autoMinFlops: 2, summary: 'kept' };
      expect(calibrateGpuJs(be, { cached: kept })).toBe(kept);
      expect(be.autoMinFlops).toBe(2);
      const spec = build({ m: 3, n: 4, k: 5, batch: 1, transA: false, transB: false, shareA: false, shareB: false, pad: 0, seed: 2 }, 'float32').spec;
      expect(backendFor(spec, 'float32', 'auto').name).toBe('gpujs');
      // Another machine's is measured again.
      expect(calibrateGpuJs(be, { sizes: [4], reps: 1, cached: { ...kept, key: 'webgpu/WebGPUKernel/elsewhere' } }).points).toHaveLength(1);
      be.autoMinFlops = Infinity;
      expect(be.calibration).toBeNull(); // loaded without the option
      expect(() => calibrateGpuJs(be, { sizes: [8, 4] })).toThrow('calibrateGpuJs: sizes must be ascending positive integers, got [8, 4]');
    });

    it('compiles once per shape and reuses the kernel', () => {
      const c = { m: 3, n: 4, k: 5, batch: 1, transA: false, transB: true, shareA: false, shareB: false, pad: 0, seed: 9 };
      be.matmul(build(c, 'float32').spec);
      const after = be.compiled();
      be.matmul(build({ ...c, seed: 10 }, 'float32').spec); // same shape, new data
      expect(be.compiled()).toBe(after);
      be.matmul(build({ ...c, m: 4 }, 'float32').spec);
      expect(be.compiled()).toBe(after + 1);
      expect(be.cached()).toBeLessThanOrEqual(16);
    });
  });
}

describe("gpu.js's GL mode where it cannot run", () => {
  it('says why in one line (no X display), instead of gpu.js\'s "mode is not supported"', () => {
    const env = { ...process.env };
    delete env.DISPLAY;
    const code = "import('./src/kernels/gpujs/index.ts').then((m) => m.loadGpuJs({ mode: 'headlessgl' })).then(() => console.log('loaded'), (e) => console.log(e.message))";
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
    const out = r.stdout.trim();
    if (out.includes("'gl'")) {
      // gl not built here: that reason instead (also one line).
      expect(out).toMatch(/^loadGpuJs: gpu\.js mode 'headlessgl' is unavailable: the package 'gl' .* cannot be loaded .*scripts\/headless-gl\.sh/);
    } else {
      expect(out).toBe("loadGpuJs: gpu.js mode 'headlessgl' is unavailable: headless-gl could not create a GL context (DISPLAY is unset); start an X server such as Xvfb (scripts/headless-gl.sh prints the display) and export DISPLAY");
    }
  }, 60_000);
});

describe('loadGpuJs({ calibrate })', () => {
  it('applies a kept calibration of this machine at load, so auto routes to gpu.js from its crossover', async () => {
    let first: GpuJsBackend;
    try {
      first = await loadGpuJs({ mode: 'cpu' });
    } catch (e) {
      console.log(`[kernels-gpujs] skipping calibrate-at-load: ${(e as Error).message}`);
      return;
    }
    const key = calibrationKey(first);
    unregisterBackend('gpujs');
    await first.destroy();
    const kept = { key, points: [], autoMinFlops: 4096, summary: 'kept' };
    const be = await loadGpuJs({ mode: 'cpu', calibrate: kept });
    try {
      expect(be.calibration).toBe(kept);
      expect(be.autoMinFlops).toBe(4096);
      const at = (n: number) => backendFor(build({ m: n, n, k: n, batch: 1, transA: false, transB: false, shareA: false, shareB: false, pad: 0, seed: 1 }, 'float32').spec, 'float32', 'auto').name;
      expect(at(8)).not.toBe('gpujs'); // 1,024 flops: below the kept crossover
      expect(at(16)).toBe('gpujs'); // 8,192 flops
    } finally {
      unregisterBackend('gpujs');
      await be.destroy();
    }
  });
});
