/**
 * TensorFlow.js for the benchmarks: tfjs-core with the cpu and wasm backends (devDependencies).
 *
 * tfjs-core's Node (CJS) bundle registers no gradients, and its ESM build cannot be imported by
 * Node directly (directory imports). The gradients are therefore bundled once from the ESM build
 * with esbuild (already installed for tsx) into a temporary CJS file; tfjs keeps its engine and
 * kernel/gradient registries on the global object, so that copy registers into the same engine.
 */
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

const require = createRequire(import.meta.url);
let gradients = false;

export async function loadTfjs(withGradients: boolean): Promise<typeof tf> {
  if (withGradients && !gradients) {
    const { buildSync } = await import('esbuild');
    const entry = require.resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js');
    const outfile = join(tmpdir(), `prednas-tfjs-gradients-${process.pid}.cjs`);
    buildSync({ entryPoints: [entry], bundle: true, format: 'cjs', platform: 'node', outfile, logLevel: 'error' });
    require(outfile);
    gradients = true;
  }
  return tf;
}

export type Tf = typeof tf;
