/**
 * The matmul implementations compared by bench/kernels.bench.ts, each prepared once per shape
 * (inputs created and kernels compiled outside the timing) and then run as `run()`.
 */
import type { MatmulSpec } from '../../src/kernels/backend.js';
import type { GpuJsBackend } from '../../src/kernels/gpujs/index.js';
import { jsBackend } from '../../src/kernels/js/index.js';
import type { PeerKernels } from './peers.js';
import type { Shape } from './shapes.js';
import type { Tf } from './tfjs.js';

export interface Prepared {
  run(): void;
  result(): Float32Array | Float64Array;
  note?: string;
}
export interface Impl {
  name: string;
  prepare(shape: Shape, a: Float32Array, b: Float32Array): Prepared;
}

function spec(x: Shape, a: Float32Array | Float64Array, b: Float32Array | Float64Array, out: Float32Array | Float64Array): MatmulSpec {
  return {
    a, b, out, m: x.m, n: x.n, k: x.k, transA: x.transA, transB: x.transB, batch: x.batch,
    aOffsets: Int32Array.from({ length: x.batch }, (_, t) => t * x.m * x.k),
    bOffsets: Int32Array.from({ length: x.batch }, (_, t) => t * x.k * x.n),
  };
}

export function ours(dtype: 'float32' | 'float64'): Impl {
  return {
    name: dtype === 'float32' ? 'ours' : 'ours-f64',
    prepare(x, a, b) {
      const Arr = dtype === 'float32' ? Float32Array : Float64Array;
      const s = spec(x, Arr.from(a), Arr.from(b), new Arr(x.batch * x.m * x.n));
      return { run: () => jsBackend.matmul(s), result: () => s.out };
    },
  };
}

/** Transpose r×c blocks of `src` (batch of them) into `dst`. */
function transposeInto(src: Float32Array, dst: Float32Array, batch: number, r: number, c: number): void {
  for (let t = 0, o = 0; t < batch; t++, o += r * c) {
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) dst[o + j * r + i] = src[o + i * c + j]!;
  }
}

/**
 * A peer kernel from ../shared/peers/kernels.mjs. It has no transpose flags, so a transposed
 * operand is first copied into the plain layout (inside the timing: that is what an engine
 * without transpose-aware kernels pays in the backward pass).
 */
export function peer(name: string, kernel: PeerKernels['mm4x4'], lib: PeerKernels): Impl {
  return {
    name,
    prepare(x, a, b) {
      const out = new Float32Array(x.batch * x.m * x.n);
      const ta = x.transA ? new Float32Array(a.length) : a;
      const tb = x.transB ? new Float32Array(b.length) : b;
      const mm = x.batch > 1 ? lib.batched(kernel) : null;
      return {
        run() {
          if (x.transA) transposeInto(a, ta, x.batch, x.k, x.m);
          if (x.transB) transposeInto(b, tb, x.batch, x.n, x.k);
          if (mm) mm(ta, tb, out, x.batch, x.m, x.k, x.n);
          else kernel(ta, tb, out, x.m, x.k, x.n);
        },
        result: () => out,
        ...(x.transA || x.transB ? { note: '+transpose copy' } : {}),
      };
    },
  };
}

export function gpujs(name: string, be: GpuJsBackend): Impl {
  return {
    name,
    prepare(x, a, b) {
      const s = spec(x, a, b, new Float32Array(x.batch * x.m * x.n));
      be.matmul(s); // compile + warm-up outside the timing
      return { run: () => be.matmul(s), result: () => s.out, note: JSON.stringify(be.describe?.() ?? {}) };
    },
  };
}

export function tfjs(tf: Tf, backend: 'cpu' | 'wasm'): Impl {
  return {
    name: `tfjs-${backend}`,
    prepare(x, a, b) {
      const shapeA = x.transA ? [x.k, x.m] : [x.m, x.k];
      const shapeB = x.transB ? [x.n, x.k] : [x.k, x.n];
      let out: Float32Array | Float64Array = new Float32Array(0);
      const withBackend = <T>(fn: () => T): T => {
        if (tf.getBackend() !== backend) tf.setBackend(backend);
        return fn();
      };
      const [ta, tb] = withBackend(() => x.batch > 1
        ? [tf.tensor3d(a, [x.batch, shapeA[0]!, shapeA[1]!]), tf.tensor3d(b, [x.batch, shapeB[0]!, shapeB[1]!])]
        : [tf.tensor2d(a, [shapeA[0]!, shapeA[1]!]), tf.tensor2d(b, [shapeB[0]!, shapeB[1]!])]);
      return {
        run: () => withBackend(() => {
          const c = tf.matMul(ta, tb, x.transA, x.transB);
          out = c.dataSync() as Float32Array | Float64Array;
          c.dispose();
        }),
        result: () => out,
      };
    },
  };
}
