/**
 * The contract between the autograd engine and a compute backend.
 *
 * Autograd describes *what* to compute with plain typed arrays and integers; a backend decides
 * *how*. Autograd imports only this interface and the registry, never a concrete backend, so a
 * backend that fails to load (gpu.js absent, WebAssembly forbidden by CSP) cannot break the core.
 */
import type { ConvGeometry } from './conv.js';

export type FloatArray = Float32Array | Float64Array;

/**
 * One (possibly batched) matrix product: for every batch index t,
 *   out[t] (m×n) = op(A[t]) (m×k) · op(B[t]) (k×n)
 * where op(A) = Aᵀ when `transA` (A[t] is then stored k×m, row-major), likewise for B (stored n×k).
 * Transpose flags exist so that the backward pass (G·Bᵀ, Aᵀ·G) needs no transposed copies.
 * `out` is overwritten, never accumulated into.
 */
export interface MatmulSpec {
  readonly a: FloatArray;
  readonly b: FloatArray;
  readonly out: FloatArray;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly transA: boolean;
  readonly transB: boolean;
  /** Number of products; out holds batch·m·n values, contiguous. */
  readonly batch: number;
  /** Element offset of A[t] in `a`, per batch (broadcast batches repeat an offset). */
  readonly aOffsets: Int32Array;
  /** Element offset of B[t] in `b`, per batch. */
  readonly bOffsets: Int32Array;
}

/** Elementwise operations a backend may take over from the engine's loops (Float32 only). */
export type UnaryKind = 'neg' | 'abs' | 'sqrt' | 'relu';
/** 'mulstep': x·(y > 0 ? 1 : 0), relu's backward (g through where the input was positive). */
export type BinaryKind = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min' | 'mulstep';

export interface Backend {
  /** Registry key, e.g. 'js' or 'gpujs'. */
  readonly name: string;
  /** True when results are bit-for-bit reproducible for a given input (same seed, same result). */
  readonly exact: boolean;
  /** Which dtypes this backend accepts; the registry routes the others to 'js'. */
  supports(dtype: 'float32' | 'float64'): boolean;
  matmul(spec: MatmulSpec): void;
  /**
   * Smallest product (2·batch·m·n·k flops) for which `setBackend('auto')` routes here instead of
   * to 'js'. Infinity or absent: never chosen by auto. Set from measurements (bench/README.md).
   */
  readonly autoMinFlops?: number;
  /** What actually runs underneath (e.g. gpu.js mode and kernel class), for reports and tests. */
  describe?(): Record<string, string>;
  /**
   * Optional elementwise kernels on contiguous Float32 arrays: out[i] = op(x[i]), and
   * out[i] = x[i] op y[i mod y.length] (y as long as out, or a trailing block that repeats, e.g. a
   * bias). Results must equal the engine's own loops (src/autograd/loops.ts) bit for bit.
   */
  unary?(op: UnaryKind, x: Float32Array, out: Float32Array): void;
  binary?(op: BinaryKind, x: Float32Array, y: Float32Array, out: Float32Array): void;
  /**
   * Optional: out[a·inner + c] = Σ_{r < size} x[(a·size + r)·inner + c], each addition rounded to
   * float32 in ascending r (what the engine's reduce into a Float32Array does); inner a multiple of 4.
   */
  sumAxis?(x: Float32Array, out: Float32Array, outer: number, size: number, inner: number): void;
  /**
   * Smallest element count for which the engine hands elementwise ops to this backend, when it is
   * selected or chosen by 'auto' (below it the call costs more than the loop). Absent: never.
   */
  readonly autoMinElements?: number;
  /**
   * Optional: silu's and softplus's Float32 passes (src/autograd/fused.ts owns the formulas; results
   * must equal its JS loops bit for bit). The forward passes return false when they could not
   * compute every element faithfully (e.g. |x| ≥ 708 or NaN on a vector path): the caller then
   * runs its own loop over the whole array.
   */
  readonly activations?: {
    /** s = sigmoid(x), silu's stored value, and out = x·s. */
    silu(x: Float32Array, s: Float32Array, out: Float32Array): boolean;
    /** e = exp(−|x|), softplus's stored value. */
    expNegAbs(x: Float32Array, e: Float32Array): boolean;
    /** softplus(x) from its stored e: max(x, 0) + log(1 + e). */
    softplus(x: Float32Array, e: Float32Array, out: Float32Array): boolean;
    siluBackward(g: Float32Array, x: Float32Array, s: Float32Array, out: Float32Array): void;
    softplusBackward(g: Float32Array, x: Float32Array, e: Float32Array, out: Float32Array): void;
  };
  /**
   * Optional: whole Float32 convolutions in the backend's own memory, the same products as
   * src/kernels/conv.ts's route through `matmul` with the columns and permutes done there too, so
   * they never pass through JS. Results must equal that route's on this backend bit for bit; conv.ts
   * calls these whenever this backend is the one that runs the convolution's products.
   */
  readonly conv2d?: {
    forward(x: Float32Array, w: Float32Array, geo: ConvGeometry): Float32Array;
    backward(x: Float32Array, w: Float32Array, g: Float32Array, geo: ConvGeometry, need: { x: boolean; w: boolean }): { dx: Float32Array | null; dw: Float32Array | null };
  };
  /**
   * Optional: batch normalisation's passes over Float32 [N, C, S] (src/autograd/batchnorm.ts,
   * which owns the formulas and hands per-channel Float64 coefficients in). Results must equal its
   * JS loops bit for bit; used when this backend takes elementwise ops of that size.
   */
  readonly batchNorm?: {
    /** Per channel: mean = Σx / (N·S), then variance = Σ(x − mean)² / (N·S), Float64, in the JS loops' order. */
    stats(x: Float32Array, n: number, c: number, s: number): { mean: Float64Array; variance: Float64Array };
    /** y = x·coef[2c] + coef[2c+1] in Float64, rounded once to float32. */
    forward(x: Float32Array, n: number, c: number, s: number, coef: Float64Array): Float32Array;
    /**
     * sums[2c] = Σg, sums[2c+1] = Σg·(x − mean_c); then, when `dxCoef(sums)` returns [k, m_g, μ, m_gx]
     * per channel, dx = k·((g − m_g) − (x − μ)·m_gx) rounded once to float32.
     */
    backward(g: Float32Array, x: Float32Array, n: number, c: number, s: number, mean: Float64Array, dxCoef: (sums: Float64Array) => Float64Array | null): { sums: Float64Array; dx: Float32Array | null };
  };
  /**
   * Optional: Adam's update of Float32 parameters (src/autograd/optim/optimizer.ts owns the
   * formula; results must equal its loop bit for bit), with each optimiser's Float64 moments kept
   * in the backend's memory between steps. Used when this backend takes elementwise ops of the
   * optimiser's total parameter count.
   */
  readonly adam?: {
    /** Moments (zero) for parameters of these sizes. */
    state(sizes: readonly number[]): AdamState;
  };
}

/** The coefficients of one Adam step (AdamState.update), computed by the optimiser. */
export interface AdamStep {
  readonly b1: number;
  readonly b2: number;
  readonly a1: number;
  readonly a2: number;
  readonly l2: number;
  readonly decay: number;
  readonly step: number;
  readonly c2: number;
  readonly eps: number;
}

/** One optimiser's moments in a backend's memory. */
export interface AdamState {
  /** Update parameter i in place from its gradient, with its moments. */
  update(i: number, w: Float32Array, g: Float32Array, k: AdamStep): void;
  /** Parameter i's moments, copied out into m and v, or in from them. */
  read(i: number, m: Float64Array, v: Float64Array): void;
  write(i: number, m: Float64Array, v: Float64Array): void;
  /** Hand the memory back; the state must not be used afterwards. */
  release(): void;
}
