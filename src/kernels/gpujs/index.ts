import type { Backend, MatmulSpec } from '../backend.js';
import { registerBackend } from '../registry.js';
import { MATMUL_SOURCE } from './source.js';

/**
 * Optional gpu.js matmul backend ('gpujs'), Float32 only.
 *
 * gpu.js is an optional peer dependency (npm does not install it with prednas: it pulls native
 * builds of webgpu and headless-gl), imported dynamically the first time `loadGpuJs()` runs, so
 * the core neither needs nor bundles it. In mode 'gpu' gpu.js picks its engine itself
 * (headless-gl, WebGL2, WebGL, WebAssembly, plain JS) and falls back silently; `describe()`
 * reports what it really ran. Mode 'headlessgl' asks for GL in Node and fails with the reason
 * (headless-gl missing or not built, or no X display) instead of falling back. `autoMinFlops`
 * is Infinity (never in `auto`) until `calibrateGpuJs` (./calibrate.ts) measures where gpu.js
 * beats the backend `auto` would use instead; on the CPU-only machines measured so far nothing
 * did (bench/README.md: neither its WebAssembly kernel nor GL on a software rasteriser).
 */

import { calibrateGpuJs, type GpuJsCalibration } from './calibrate.js';

export { calibrateGpuJs, calibrationKey, type CalibrateOptions, type CalibrationPoint, type GpuJsCalibration } from './calibrate.js';

/** The subset of gpu.js's API used here (typed locally: the package may be absent at build time). */
interface GpuKernel {
  (...args: unknown[]): unknown;
  kernel?: { constructor: { name: string }; _lastRunPath?: string | null; fallbackReason?: string | null };
  destroy?(): void;
}
interface GpuInstance {
  mode: string;
  createKernel(source: string, settings: Record<string, unknown>): GpuKernel;
  destroy(): Promise<void> | void;
}
type GpuCtor = new (settings?: Record<string, unknown>) => GpuInstance;

export interface GpuJsOptions {
  /** gpu.js mode: 'gpu' (its own fallback chain, default), 'webgl2', 'headlessgl', 'webasm', 'cpu', ... */
  mode?: string;
  /** Largest number of compiled kernels kept (one per shape, dtype layout and operand lengths). */
  cacheSize?: number;
  /**
   * gpu.js's GPU class itself, instead of importing the package: in a browser page that loaded
   * gpu.js's own browser build with a script tag (it defines `GPU` globally).
   */
  GPU?: unknown;
  /**
   * Measure where gpu.js beats the backend `auto` would use instead (./calibrate.ts) and let `auto`
   * route those products to it: true to measure, or a calibration kept from an earlier load (used
   * without measuring when it was made on what gpu.js runs on here). Default: no calibration, and
   * `auto` never picks gpu.js.
   */
  calibrate?: boolean | GpuJsCalibration;
}

export interface GpuJsBackend extends Backend {
  /** Infinity (out of `auto`) until calibrateGpuJs (./calibrate.ts) measures a crossover. */
  autoMinFlops: number;
  /** The calibration applied at load (option `calibrate`), with its one-line summary; else null. */
  calibration: GpuJsCalibration | null;
  /** Compiled kernels currently cached. */
  readonly cached: () => number;
  /** Kernels compiled since loading (a shape seen before must not add to this). */
  readonly compiled: () => number;
  /** Release gpu.js resources; the backend stays registered but must not be used afterwards. */
  destroy(): Promise<void>;
}

/** gpu.js kernel class → the engine that actually ran ('gpu' mode names only a fallback chain). */
const ENGINES: Record<string, string> = {
  HeadlessGLKernel: 'headlessgl', WebGL2Kernel: 'webgl2', WebGLKernel: 'webgl', WebGPUKernel: 'webgpu',
  WebAssemblyKernel: 'webasm', CPUKernel: 'cpu',
};

// Element offsets travel as float32 (gpu.js arguments are float arrays): exact below 2^24.
const MAX_EXACT = 1 << 24;

async function importGpuJs(): Promise<GpuCtor> {
  const specifier = 'gpu.js'; // a variable, so that type checking and bundling do not require it
  let mod: { GPU?: GpuCtor; default?: { GPU?: GpuCtor } };
  try {
    mod = (await import(specifier)) as typeof mod;
  } catch (e) {
    throw new Error(`loadGpuJs: the 'gpujs' backend needs the optional peer dependency 'gpu.js', which cannot be imported (${(e as Error).message.split('\n')[0]}); ` +
      `install it next to prednas with \`npm install gpu.js@^2.24.1\`, or use the 'js', 'wasm' or 'auto' backend`);
  }
  const GPU = mod.GPU ?? mod.default?.GPU;
  if (typeof GPU !== 'function') throw new Error(`loadGpuJs: 'gpu.js' loaded but exports no GPU class`);
  return GPU;
}

/** A headless-gl context, as far as the probe below needs it. */
interface GlContext { getExtension(name: string): { destroy?(): void } | null }

/**
 * Why gpu.js's 'headlessgl' mode cannot run here, or null when headless-gl gives a context. gpu.js
 * itself only says the mode "is not supported"; the two real causes need different fixes.
 */
async function headlessGlProblem(): Promise<string | null> {
  const specifier = 'gl'; // a variable, as for gpu.js: optional, never bundled
  let create: (w: number, h: number) => GlContext | null;
  try {
    const mod = (await import(specifier)) as { default?: typeof create } & typeof create;
    create = mod.default ?? mod;
  } catch (e) {
    return `the package 'gl' (headless-gl, an optional dependency of gpu.js that npm builds from source) cannot be loaded (${(e as Error).message.split('\n')[0]}); install the X11/GL build packages first (scripts/headless-gl.sh) and reinstall`;
  }
  const ctx = create(1, 1);
  if (ctx === null) {
    const display = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.DISPLAY;
    return `headless-gl could not create a GL context (${display ? `DISPLAY=${display} did not give one` : 'DISPLAY is unset'}); start an X server such as Xvfb (scripts/headless-gl.sh prints the display) and export DISPLAY`;
  }
  ctx.getExtension('STACKGL_destroy_context')?.destroy?.();
  return null;
}

/** Import gpu.js, build the 'gpujs' backend and register it. Rejects with a clear reason if unavailable. */
export async function loadGpuJs(options: GpuJsOptions = {}): Promise<GpuJsBackend> {
  if (options.GPU !== undefined && typeof options.GPU !== 'function') throw new Error(`loadGpuJs: option GPU must be gpu.js's GPU class, got ${typeof options.GPU}`);
  const GPU = (options.GPU as GpuCtor | undefined) ?? await importGpuJs();
  const requested = options.mode ?? 'gpu';
  if (requested === 'headlessgl') {
    const problem = await headlessGlProblem();
    if (problem !== null) throw new Error(`loadGpuJs: gpu.js mode 'headlessgl' is unavailable: ${problem}`);
  }
  let gpu: GpuInstance;
  try {
    gpu = new GPU({ mode: requested });
  } catch (e) {
    throw new Error(`loadGpuJs: gpu.js refuses mode '${requested}' here (${(e as Error).message.split('\n')[0]})`);
  }
  const limit = options.cacheSize ?? 64;
  const kernels = new Map<string, GpuKernel>();
  let last: GpuKernel | null = null;
  let compiles = 0;

  function kernelFor(spec: MatmulSpec): GpuKernel {
    const { m, n, k, transA, transB, batch, a, b } = spec;
    const key = `${batch}:${m}x${k}x${n}:${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}:${a.length}:${b.length}`;
    let kern = kernels.get(key);
    if (kern === undefined) {
      if (kernels.size >= limit) {
        const [oldKey, old] = kernels.entries().next().value as [string, GpuKernel];
        old.destroy?.();
        kernels.delete(oldKey);
      }
      kern = gpu.createKernel(MATMUL_SOURCE, {
        output: [batch * m * n],
        constants: { m, n, k, ai: transA ? 1 : k, ap: transA ? m : 1, bp: transB ? 1 : n, bj: transB ? k : 1 },
        precision: 'single',
        tactic: 'precision',
      });
      kernels.set(key, kern);
      compiles++;
    }
    return kern;
  }

  const backend: GpuJsBackend = {
    name: 'gpujs',
    exact: false,
    autoMinFlops: Infinity,
    calibration: null,
    supports: (dtype) => dtype === 'float32',
    matmul(spec: MatmulSpec): void {
      const { a, b, out, m, n, k, batch } = spec;
      if (!(a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array)) {
        throw new Error(`gpujs matmul: Float32 only (got ${a.constructor.name}, ${b.constructor.name} -> ${out.constructor.name})`);
      }
      const cells = batch * m * n;
      if (cells === 0) return;
      if (k === 0) {
        out.fill(0, 0, cells);
        return;
      }
      if (cells >= MAX_EXACT || a.length >= MAX_EXACT || b.length >= MAX_EXACT) {
        throw new Error(`gpujs matmul: operands and result must have < 2^24 elements (got a ${a.length}, b ${b.length}, out ${cells}); use the 'js' backend`);
      }
      const kern = kernelFor(spec);
      const result = kern(a, b, Float32Array.from(spec.aOffsets), Float32Array.from(spec.bOffsets));
      if (!(result instanceof Float32Array) || result.length < cells) {
        throw new Error(`gpujs matmul: gpu.js returned ${describeValue(result)}, expected a Float32Array of ${cells}`);
      }
      out.set(result.length === cells ? result : result.subarray(0, cells));
      last = kern;
    },
    describe(): Record<string, string> {
      const info: Record<string, string> = { package: 'gpu.js', requestedMode: requested, mode: gpu.mode };
      const inner = last?.kernel;
      if (inner !== undefined) {
        info.kernel = inner.constructor.name;
        info.engine = ENGINES[inner.constructor.name] ?? 'unknown';
        if (inner._lastRunPath) info.runPath = inner._lastRunPath;
        if (inner.fallbackReason) info.fallbackReason = inner.fallbackReason;
      }
      return info;
    },
    cached: () => kernels.size,
    compiled: () => compiles,
    async destroy(): Promise<void> {
      for (const kern of kernels.values()) kern.destroy?.();
      kernels.clear();
      await gpu.destroy();
    },
  };
  // One 1×1 product before registering: a mode that cannot compile a kernel here (a page whose
  // Content-Security-Policy forbids the code gpu.js generates with new Function) fails the load
  // with its reason, not the first matmul of a search. gpu.js catches the EvalError itself and
  // throws something else, so the CSP is not named here: a page learns it from the
  // securitypolicyviolation event (src/browser/gpu-page.ts).
  try {
    backend.matmul({ a: Float32Array.of(2), b: Float32Array.of(3), out: new Float32Array(1), m: 1, n: 1, k: 1, transA: false, transB: false, batch: 1, aOffsets: Int32Array.of(0), bOffsets: Int32Array.of(0) });
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0]!;
    await backend.destroy().catch(() => undefined);
    throw new Error(`loadGpuJs: gpu.js mode '${requested}' cannot build a kernel here (${msg})`);
  }
  registerBackend(backend);
  if (options.calibrate !== undefined && options.calibrate !== false) {
    backend.calibration = calibrateGpuJs(backend, options.calibrate === true ? {} : { cached: options.calibrate });
  }
  return backend;
}

function describeValue(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return `an Array of ${v.length}`;
  return `a ${(v as object).constructor?.name ?? typeof v}${ArrayBuffer.isView(v) ? ` of ${(v as Float32Array).length}` : ''}`;
}
