import type { Backend, BinaryKind, FloatArray, MatmulSpec, UnaryKind } from '../backend.js';
import type { ConvGeometry } from '../conv.js';
import { activationFunctions } from './act-kernel.js';
import { adamStates } from './adam-state.js';
import { Arena, type Layout } from './arena.js';
import { batchNormFunctions } from './bn-kernel.js';
import { convFunctions, GEO_INTS } from './conv-kernel.js';
import { elementwiseFunctions } from './elementwise-kernel.js';
import { moduleBytes } from './emit.js';
import { DEFAULT_TILING, matmulFunctions, type Tiling } from './matmul-kernel.js';

/**
 * The 'wasm' backend: Float32 matmul, elementwise ops, activations and whole convolutions on WebAssembly
 * SIMD128 kernels that ./matmul-kernel.ts, ./elementwise-kernel.ts, ./act-kernel.ts and ./conv-kernel.ts emit as
 * bytes at run time (no toolchain, no .wasm file). Float64 is not supported; the registry and the
 * engine route it to 'js'.
 *
 * Loading is synchronous (`new WebAssembly.Module`): four modules on one memory, each kept under
 * 4 KiB, the size up to which browsers allow synchronous compilation on the main thread. Where WebAssembly is
 * missing or compilation is refused (a Content-Security-Policy without 'wasm-unsafe-eval'),
 * `createWasmBackend` throws an Error that says so; the registry records it and `auto` stays on 'js'.
 *
 * Operands are copied into one growable linear memory per call (the arena) and the result copied
 * out: tensors live in JS typed arrays everywhere else in the engine. A convolution copies x and w
 * (or g) in and y (or dx, dw) out; its columns, products and permutes stay in linear memory.
 */

type ElementwiseFn = (...args: number[]) => void;
interface Exports {
  packB(b: number, sp: number, sj: number, dst: number, k: number, n: number): void;
  gemm(a: number, rs: number, ds: number, b: number, bj: number, bk: number, c: number, m: number, n: number, k: number, pa: number, edge: number): void;
  im2col(x: number, cols: number, geo: number): void;
  col2im(cols: number, dx: number, geo: number): void;
  swap01(x: number, out: number, a: number, b: number, chunkBytes: number): void;
  chan_sums(a: number, b: number, nu: number, mu: number, out: number, n: number, c: number, s: number): void;
  bn_fwd(x: number, out: number, coef: number, n: number, c: number, s: number): void;
  bn_dx(g: number, x: number, dx: number, coef: number, n: number, c: number, s: number): void;
  [elementwise: string]: ElementwiseFn;
}

/** The backend's module: the matmul functions first (gemm calls packA by index), then elementwise. */
export function wasmModuleBytes(tiling: Tiling = DEFAULT_TILING): Uint8Array<ArrayBuffer> {
  return moduleBytes([...matmulFunctions(tiling), ...elementwiseFunctions()]);
}

/**
 * The second module, on the same memory: the convolutions' data movement and batch norm's passes. Separate so that each
 * module stays under SYNC_COMPILE_LIMIT whatever the tiling.
 */
export function wasmConvModuleBytes(): Uint8Array<ArrayBuffer> {
  return moduleBytes([...convFunctions(), ...batchNormFunctions()]);
}

/** The third and fourth modules, on the same memory: silu's and softplus's passes (./act-kernel.ts). */
export function wasmActModuleBytes(): Uint8Array<ArrayBuffer>[] {
  return activationFunctions().map((fns) => moduleBytes(fns));
}

export interface WasmOptions {
  /** The WebAssembly namespace to use (default: the global one); tests pass a broken one. */
  wasm?: typeof WebAssembly | undefined;
  tiling?: Tiling;
}

export interface WasmBackend extends Backend {
  /** Bytes of the emitted matmul and elementwise module (the convolution module's: describe().convModuleBytes). */
  readonly moduleSize: number;
  /** Current size of the linear memory in bytes. */
  memoryBytes(): number;
  /** Calls and bytes copied into and out of linear memory since creation (the boundary cost). */
  traffic(): { calls: number; bytesIn: number; bytesOut: number };
}

/** Browsers refuse synchronous compilation of larger modules on the main thread. */
export const SYNC_COMPILE_LIMIT = 4096;

/**
 * Smallest product (2·batch·m·n·k) that `auto` sends here, from the crossover table of
 * `npm run bench:kernels` (bench/README.md): a call costs ≈0.2 µs of fixed overhead (arena,
 * copies, packing), so 4×4·4×4 (128 flops) is 2× faster on 'js' while 8×8·8×8 (1024 flops) is
 * already ≈1.8× faster here.
 */
export const WASM_AUTO_MIN_FLOPS = 1024;

/**
 * Smallest elementwise op (elements) handed to this backend, from the elementwise table of
 * `npm run bench:kernels`: at 64–256 elements the call and the copies cost as much as the JS
 * loop; from 1024 the SIMD lanes (and the branch-free relu/max/min) win 1.5–4×.
 */
export const WASM_MIN_ELEMENTS = 1024;

function compile(modules: readonly Uint8Array<ArrayBuffer>[], wasm: typeof WebAssembly | undefined): { exports: Exports; memory: WebAssembly.Memory } {
  if (wasm === undefined || typeof wasm.Module !== 'function') {
    throw new Error(`wasm backend: this runtime has no WebAssembly global`);
  }
  let compiled: WebAssembly.Module[];
  try {
    compiled = modules.map((bytes) => new wasm.Module(bytes));
  } catch (e) {
    const err = e as Error;
    throw new Error(`wasm backend: WebAssembly compilation was refused or failed (${err.name}: ${err.message}); ` +
      `a Content-Security-Policy without 'wasm-unsafe-eval' or a runtime without SIMD128 does this`);
  }
  const memory = new wasm.Memory({ initial: 16 });
  // The modules' exports are disjoint; one object of them all.
  const exports = Object.assign({}, ...compiled.map((m) => new wasm.Instance(m, { env: { memory } }).exports)) as Exports;
  return { exports, memory };
}

/** Build the backend, or throw an Error saying why WebAssembly cannot be used here. */
export function createWasmBackend(options: WasmOptions = {}): WasmBackend {
  const tiling = options.tiling ?? DEFAULT_TILING;
  const bytes = wasmModuleBytes(tiling), convBytes = wasmConvModuleBytes(), actBytes = wasmActModuleBytes();
  const wasmNs = 'wasm' in options ? options.wasm : globalThis.WebAssembly;
  const { exports: k, memory } = compile([bytes, convBytes, ...actBytes], wasmNs);
  const arena = new Arena(memory);
  const { mr, nr } = tiling;
  const traffic = { calls: 0, bytesIn: 0, bytesOut: 0 };

  interface GemmScratch { direct: boolean; pbAt: number; paAt: number; edgeAt: number }

  /** Reserve the packing scratch of a product with `rowsA` rows of op(A). */
  function gemmScratch(lay: Layout, rowsA: number, n: number, depth: number, transB: boolean): GemmScratch {
    // B is packed when transposed (its columns are strided) or when packing pays.
    const direct = !transB && rowsA <= DIRECT_B_MAX_ROWS;
    const pbAt = lay.alloc(direct ? 0 : Math.ceil(n / nr) * nr * depth * 4);
    const paAt = lay.alloc(mr * depth * 4 + 16); // + 16: the zero fill rounds up to whole vectors
    const edgeAt = lay.alloc(mr * nr * 4);
    return { direct, pbAt, paAt, edgeAt };
  }

  /**
   * The `batch` products op(A[t])·op(B[t]) → C[t] on operands already in linear memory: A[t] at
   * aAt + 4·(aOffsets[t] − aLo), likewise B, C[t] at cAt + t·rowsA·n floats. A row-major B read in
   * place needs nr zero floats after its last row.
   */
  function gemmAt(
    s: GemmScratch, aAt: number, aOffsets: Int32Array, aLo: number, bAt: number, bOffsets: Int32Array, bLo: number,
    cAt: number, rowsA: number, n: number, depth: number, transA: boolean, transB: boolean, batch: number,
  ): void {
    // Byte strides of op(A)[i, p] (rs, ds) and op(B)[p, j] (sp, sj) in the stored layouts.
    const rs = transA ? 4 : depth * 4, ds = transA ? rowsA * 4 : 4;
    const sp = transB ? 4 : n * 4, sj = transB ? depth * 4 : 4;
    let packed = -1;
    for (let t = 0; t < batch; t++) {
      const bo = bOffsets[t]!;
      const ao = aAt + (aOffsets[t]! - aLo) * 4, co = cAt + t * rowsA * n * 4;
      if (s.direct) {
        k.gemm(ao, rs, ds, bAt + (bo - bLo) * 4, 4, n * 4, co, rowsA, n, depth, s.paAt, s.edgeAt);
        continue;
      }
      if (bo !== packed) {
        k.packB(bAt + (bo - bLo) * 4, sp, sj, s.pbAt, depth, n);
        packed = bo;
      }
      k.gemm(ao, rs, ds, s.pbAt, depth * 4, nr * 4, co, rowsA, n, depth, s.paAt, s.edgeAt);
    }
  }

  function matmul(spec: MatmulSpec): void {
    const { a, b, out, m, n, k: depth, transA, transB } = spec;
    if (!(a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array)) {
      throw new Error(`wasm matmul: Float32 only (got ${a.constructor.name}, ${b.constructor.name} -> ${out.constructor.name})`);
    }
    let { batch, aOffsets, bOffsets } = spec;
    let rowsA = m;
    if (batch === 0 || m === 0 || n === 0) return;
    if (depth === 0) {
      out.fill(0, 0, batch * m * n);
      return;
    }
    // One B for all batches and the A batches back to back: one taller product, B packed once.
    if (batch > 1 && !transA && allEqual(bOffsets, batch) && consecutive(aOffsets, batch, m * depth)) {
      rowsA = batch * m;
      aOffsets = aOffsets.subarray(0, 1);
      bOffsets = bOffsets.subarray(0, 1);
      batch = 1;
    }
    const [aLo, aHi] = span(aOffsets, batch, rowsA * depth, a.length, 'A');
    const [bLo, bHi] = span(bOffsets, batch, depth * n, b.length, 'B');
    const cells = batch * rowsA * n;
    const lay = arena.layout();
    const aAt = lay.alloc((aHi - aLo) * 4);
    // + nr floats: a row-major B read in place is read up to nr − 1 floats past its last row.
    const bAt = lay.alloc((bHi - bLo + nr) * 4);
    const cAt = lay.alloc(cells * 4);
    const s = gemmScratch(lay, rowsA, n, depth, transB);
    const f32 = arena.ensure(lay.top, 'wasm matmul');
    f32.set(a.subarray(aLo, aHi), aAt >> 2);
    f32.set(b.subarray(bLo, bHi), bAt >> 2);
    f32.fill(0, (bAt >> 2) + bHi - bLo, (bAt >> 2) + bHi - bLo + nr); // the over-read lanes: zeros, not stale data
    gemmAt(s, aAt, aOffsets, aLo, bAt, bOffsets, bLo, cAt, rowsA, n, depth, transA, transB, batch);
    out.set(f32.subarray(cAt >> 2, (cAt >> 2) + cells));
    traffic.calls++;
    traffic.bytesIn += (aHi - aLo + bHi - bLo) * 4;
    traffic.bytesOut += cells * 4;
  }

  /** Copy x (and y, repeated to a whole number of vectors) in, run `fn`, copy the result out. */
  function elementwise(fn: ElementwiseFn, x: Float32Array, y: Float32Array | null, out: Float32Array): void {
    const n = out.length;
    if (x.length !== n) throw new Error(`wasm elementwise: x has ${x.length} elements, out ${n}`);
    if (n === 0) return;
    const lay = arena.layout();
    const xAt = lay.alloc(n * 4);
    const outAt = lay.alloc(n * 4);
    let period = 0;
    if (y !== null) {
      if (y.length === 0 || n % y.length !== 0) throw new Error(`wasm elementwise: y has ${y.length} elements, which does not tile out's ${n}`);
      // A period that is not a whole number of vectors is repeated until it is (lcm with 4).
      period = y.length === n ? n : y.length * (4 / gcd4(y.length));
    }
    const yAt = lay.alloc(period * 4);
    const f32 = arena.ensure(lay.top, 'wasm elementwise');
    f32.set(x, xAt >> 2);
    if (y !== null) for (let at = yAt >> 2, end = at + period; at < end; at += y.length) f32.set(y, at);
    const bytes = Math.ceil(n / 4) * 16;
    if (y === null) fn(xAt, outAt, bytes);
    else fn(xAt, yAt, outAt, bytes, Math.ceil(period / 4) * 16);
    out.set(f32.subarray(outAt >> 2, (outAt >> 2) + n));
    traffic.calls++;
    traffic.bytesIn += (n + (y === null ? 0 : period)) * 4;
    traffic.bytesOut += n * 4;
  }

  function sumAxis(x: Float32Array, out: Float32Array, outer: number, size: number, inner: number): void {
    if (inner % 4 !== 0 || x.length !== outer * size * inner || out.length !== outer * inner) {
      throw new Error(`wasm sumAxis: expected x of ${outer}·${size}·${inner} and out of ${outer}·${inner} elements with inner a multiple of 4 (got x ${x.length}, out ${out.length})`);
    }
    if (out.length === 0) return;
    const lay = arena.layout();
    const xAt = lay.alloc(x.length * 4);
    const outAt = lay.alloc(out.length * 4);
    const f32 = arena.ensure(lay.top, 'wasm sumAxis');
    f32.set(x, xAt >> 2);
    k.sum_axis!(xAt, outAt, outer, size, inner * 4);
    out.set(f32.subarray(outAt >> 2, (outAt >> 2) + out.length));
    traffic.calls++;
    traffic.bytesIn += x.length * 4;
    traffic.bytesOut += out.length * 4;
  }

  /** Float32 operands of a convolution, checked. */
  function f32Only(who: string, ...xs: FloatArray[]): void {
    for (const x of xs) if (!(x instanceof Float32Array)) throw new Error(`wasm ${who}: Float32 only (got ${x.constructor.name})`);
  }

  /** The geometry block of ./conv-kernel.ts at `at` (validRange per kernel column, as conv.ts computes it). */
  function writeGeo(at: number, geo: ConvGeometry): void {
    const i32 = new Int32Array(memory.buffer, at, GEO_INTS + 3 * geo.kw);
    i32.set([geo.n, geo.cin, geo.h, geo.w, geo.kh, geo.kw, geo.sh, geo.sw, geo.ph, geo.dh, geo.oh, geo.ow]);
    for (let kx = 0; kx < geo.kw; kx++) {
      const off = kx * geo.dw - geo.pw;
      const lo = Math.min(geo.ow, Math.max(0, Math.ceil(-off / geo.sw)));
      i32.set([off, lo, Math.max(lo, Math.min(geo.ow, Math.ceil((geo.w - off) / geo.sw)))], GEO_INTS + 3 * kx);
    }
  }

  /** Sizes shared by the forward and the backward; `trivial`: 1×1, stride 1, no padding (columns = x permuted). */
  function convShape(geo: ConvGeometry) {
    const G = geo.groups, P = geo.oh * geo.ow, NP = geo.n * P, cgo = geo.cout / G, K = (geo.cin / G) * geo.kh * geo.kw;
    const trivial = geo.kh === 1 && geo.kw === 1 && geo.sh === 1 && geo.sw === 1 && geo.ph === 0 && geo.pw === 0;
    return { G, P, NP, cgo, K, trivial, cells: G * K * NP, geoBytes: (GEO_INTS + 3 * geo.kw) * 4 };
  }

  /** Columns of the image at xAt into colsAt (x itself for a trivial conv of one image: returns xAt). */
  function columnsAt(geo: ConvGeometry, trivial: boolean, xAt: number, colsAt: number, geoAt: number): number {
    if (trivial && geo.n === 1) return xAt;
    if (trivial) k.swap01(xAt, colsAt, geo.n, geo.cin, geo.h * geo.w * 4);
    else k.im2col(xAt, colsAt, geoAt);
    return colsAt;
  }

  const seq = (count: number, step: number): Int32Array => Int32Array.from({ length: count }, (_, i) => i * step);
  /** Slack after regions that vector loops run past (16 bytes) or that gemm reads in place (nr floats). */
  const SLACK = Math.max(16, nr * 4);

  /** y = conv(x, w) (NCHW): columns, product and permute in linear memory (conv.ts's route, same bits). */
  function convForward(x: Float32Array, w: Float32Array, geo: ConvGeometry): Float32Array {
    f32Only('conv2d', x, w);
    const { G, P, NP, cgo, K, trivial, cells, geoBytes } = convShape(geo);
    const lay = arena.layout();
    const geoAt = lay.alloc(geoBytes);
    const xAt = lay.alloc(x.length * 4 + SLACK);
    const wAt = lay.alloc(w.length * 4);
    const colsAt = lay.alloc(trivial && geo.n === 1 ? 0 : cells * 4 + SLACK);
    const ycAt = lay.alloc(geo.cout * NP * 4 + SLACK);
    const yAt = lay.alloc(geo.n === 1 ? 0 : geo.cout * NP * 4 + SLACK);
    const s = gemmScratch(lay, cgo, NP, K, false);
    const f32 = arena.ensure(lay.top, 'wasm conv2d');
    writeGeo(geoAt, geo);
    f32.set(x, xAt >> 2);
    f32.set(w, wAt >> 2);
    const bAt = columnsAt(geo, trivial, xAt, colsAt, geoAt);
    const bEnd = (bAt >> 2) + (bAt === xAt ? x.length : cells);
    f32.fill(0, bEnd, bEnd + nr); // the lanes gemm reads past B: zeros, not stale data
    gemmAt(s, wAt, seq(G, cgo * K), 0, bAt, seq(G, K * NP), 0, ycAt, cgo, NP, K, false, false, G);
    let outAt = ycAt;
    if (geo.n > 1) {
      k.swap01(ycAt, yAt, geo.cout, geo.n, P * 4);
      outAt = yAt;
    }
    const y = f32.slice(outAt >> 2, (outAt >> 2) + geo.cout * NP);
    traffic.calls++;
    traffic.bytesIn += (x.length + w.length) * 4;
    traffic.bytesOut += y.length * 4;
    return y;
  }

  /** dx and dw of a convolution for the output gradient g (conv.ts's route, same bits), each only when asked for. */
  function convBackward(x: Float32Array, w: Float32Array, g: Float32Array, geo: ConvGeometry, need: { x: boolean; w: boolean }) {
    f32Only('conv2d backward', x, w, g);
    const { G, P, NP, cgo, K, trivial, cells, geoBytes } = convShape(geo);
    const N = geo.n;
    const lay = arena.layout();
    const geoAt = lay.alloc(geoBytes);
    const gAt = lay.alloc(g.length * 4 + SLACK);
    const gcAt = lay.alloc(N === 1 ? 0 : g.length * 4 + SLACK);
    const xAt = lay.alloc(need.w ? x.length * 4 + SLACK : 0);
    const colsAt = lay.alloc(need.w && !(trivial && N === 1) ? cells * 4 + SLACK : 0);
    const dwAt = lay.alloc(need.w ? w.length * 4 : 0);
    const wAt = lay.alloc(need.x ? w.length * 4 : 0);
    const dcolsAt = lay.alloc(need.x ? cells * 4 + SLACK : 0);
    const dxAt = lay.alloc(need.x && !(trivial && N === 1) ? x.length * 4 + SLACK : 0);
    // Both products' scratch, one after the other's (only one runs at a time, but their sizes differ).
    const sw = gemmScratch(lay, cgo, K, NP, true);
    const sx = gemmScratch(lay, K, NP, cgo, false);
    const f32 = arena.ensure(lay.top, 'wasm conv2d backward');
    writeGeo(geoAt, geo);
    f32.set(g, gAt >> 2);
    let gc = gAt;
    if (N > 1) {
      k.swap01(gAt, gcAt, N, geo.cout, P * 4);
      gc = gcAt;
    }
    f32.fill(0, (gc >> 2) + g.length, (gc >> 2) + g.length + nr); // read in place by dx's product
    let dw: Float32Array | null = null, dx: Float32Array | null = null;
    if (need.w) {
      f32.set(x, xAt >> 2);
      const bAt = columnsAt(geo, trivial, xAt, colsAt, geoAt);
      gemmAt(sw, gc, seq(G, cgo * NP), 0, bAt, seq(G, K * NP), 0, dwAt, cgo, K, NP, false, true, G);
      dw = f32.slice(dwAt >> 2, (dwAt >> 2) + w.length);
    }
    if (need.x) {
      f32.set(w, wAt >> 2);
      gemmAt(sx, wAt, seq(G, cgo * K), 0, gc, seq(G, cgo * NP), 0, dcolsAt, K, NP, cgo, true, false, G);
      let at = dcolsAt;
      if (trivial && N > 1) k.swap01(dcolsAt, at = dxAt, geo.cin, N, geo.h * geo.w * 4);
      else if (!trivial) k.col2im(dcolsAt, at = dxAt, geoAt);
      dx = f32.slice(at >> 2, (at >> 2) + x.length);
    }
    traffic.calls++;
    traffic.bytesIn += (g.length + (need.w ? x.length : 0) + (need.x ? w.length : 0)) * 4;
    traffic.bytesOut += ((dw?.length ?? 0) + (dx?.length ?? 0)) * 4;
    return { dx, dw };
  }

  /** Batch norm's passes (./bn-kernel.ts: batchnorm.ts's loops, same bits). */
  const batchNorm: NonNullable<Backend['batchNorm']> = {
    stats(x, N, C, S) {
      f32Only('batchNorm', x);
      const lay = arena.layout();
      const xAt = lay.alloc(x.length * 4), zAt = lay.alloc(C * 8), mAt = lay.alloc(C * 8), sAt = lay.alloc(C * 16);
      const f32 = arena.ensure(lay.top, 'wasm batchNorm');
      f32.set(x, xAt >> 2);
      const f64 = new Float64Array(memory.buffer);
      f64.fill(0, zAt >> 3, (zAt >> 3) + C);
      k.chan_sums(xAt, xAt, zAt, zAt, sAt, N, C, S);
      const count = N * S, mean = new Float64Array(C), variance = new Float64Array(C);
      for (let c = 0; c < C; c++) mean[c] = f64[(sAt >> 3) + 2 * c]! / count;
      f64.set(mean, mAt >> 3);
      k.chan_sums(xAt, xAt, mAt, mAt, sAt, N, C, S);
      for (let c = 0; c < C; c++) variance[c] = f64[(sAt >> 3) + 2 * c + 1]! / count;
      traffic.calls++;
      traffic.bytesIn += x.length * 4;
      return { mean, variance };
    },
    forward(x, N, C, S, coef) {
      f32Only('batchNorm', x);
      const lay = arena.layout();
      const xAt = lay.alloc(x.length * 4), yAt = lay.alloc(x.length * 4), cAt = lay.alloc(C * 16);
      const f32 = arena.ensure(lay.top, 'wasm batchNorm');
      f32.set(x, xAt >> 2);
      new Float64Array(memory.buffer, cAt, 2 * C).set(coef.subarray(0, 2 * C));
      k.bn_fwd(xAt, yAt, cAt, N, C, S);
      traffic.calls++;
      traffic.bytesIn += x.length * 4;
      traffic.bytesOut += x.length * 4;
      return f32.slice(yAt >> 2, (yAt >> 2) + x.length);
    },
    backward(g, x, N, C, S, mean, dxCoef) {
      f32Only('batchNorm backward', g, x);
      const lay = arena.layout();
      const gAt = lay.alloc(g.length * 4), xAt = lay.alloc(x.length * 4), dxAt = lay.alloc(x.length * 4);
      const zAt = lay.alloc(C * 8), mAt = lay.alloc(C * 8), sAt = lay.alloc(C * 16), cAt = lay.alloc(C * 32);
      const f32 = arena.ensure(lay.top, 'wasm batchNorm backward');
      f32.set(g, gAt >> 2);
      f32.set(x, xAt >> 2);
      const f64 = new Float64Array(memory.buffer);
      f64.fill(0, zAt >> 3, (zAt >> 3) + C);
      f64.set(mean.subarray(0, C), mAt >> 3);
      k.chan_sums(gAt, xAt, zAt, mAt, sAt, N, C, S);
      const sums = f64.slice(sAt >> 3, (sAt >> 3) + 2 * C);
      const coef = dxCoef(sums);
      let dx: Float32Array | null = null;
      if (coef !== null) {
        f64.set(coef.subarray(0, 4 * C), cAt >> 3);
        k.bn_dx(gAt, xAt, dxAt, cAt, N, C, S);
        dx = f32.slice(dxAt >> 2, (dxAt >> 2) + x.length);
      }
      traffic.calls++;
      traffic.bytesIn += (g.length + x.length) * 4;
      traffic.bytesOut += (dx?.length ?? 0) * 4;
      return { sums, dx };
    },
  };

  /**
   * One of ./act-kernel.ts's passes: the inputs copied in (zero-padded to whole unrolled blocks of
   * 8 floats), `fn` run, its output copied out. Returns what `fn` returns.
   */
  function activationPass(fn: ElementwiseFn, inputs: readonly Float32Array[], outs: readonly Float32Array[]): number {
    f32Only('activation', ...inputs, ...outs);
    const n = outs[0]!.length;
    for (const a of [...inputs, ...outs]) if (a.length !== n) throw new Error(`wasm activation: operands of ${a.length} and ${n} elements`);
    if (n === 0) return 0;
    const padded = Math.ceil(n / 8) * 8;
    const lay = arena.layout();
    const ats = inputs.map(() => lay.alloc(padded * 4));
    const outAts = outs.map(() => lay.alloc(padded * 4));
    const f32 = arena.ensure(lay.top, 'wasm activation');
    inputs.forEach((a, i) => {
      f32.set(a, ats[i]! >> 2);
      f32.fill(0, (ats[i]! >> 2) + n, (ats[i]! >> 2) + padded);
    });
    const r = (fn as (...args: number[]) => number)(...ats, ...outAts, padded * 4);
    outs.forEach((o, i) => o.set(f32.subarray(outAts[i]! >> 2, (outAts[i]! >> 2) + n)));
    traffic.calls++;
    traffic.bytesIn += inputs.length * n * 4;
    traffic.bytesOut += outs.length * n * 4;
    return r;
  }

  const activations: NonNullable<Backend['activations']> = {
    silu: (x, s, out) => (activationPass(k.silu_fwd!, [x], [s, out]) & 1) === 0,
    expNegAbs: (x, e) => activationPass(k.expnegabs!, [x], [e]) === 0,
    softplus: (x, e, out) => activationPass(k.softplus_fwd!, [x, e], [out]) === 0,
    siluBackward: (g, x, s, out) => void activationPass(k.silu_bwd!, [g, x, s], [out]),
    softplusBackward: (g, x, e, out) => void activationPass(k.softplus_bwd!, [g, x, e], [out]),
  };

  return {
    name: 'wasm',
    exact: true,
    autoMinFlops: WASM_AUTO_MIN_FLOPS,
    autoMinElements: WASM_MIN_ELEMENTS,
    supports: (dtype) => dtype === 'float32',
    matmul,
    unary: (op: UnaryKind, x: Float32Array, out: Float32Array) => elementwise(k[`unary_${op}`]!, x, null, out),
    binary: (op: BinaryKind, x: Float32Array, y: Float32Array, out: Float32Array) => elementwise(k[`binary_${op}`]!, x, y, out),
    sumAxis,
    conv2d: { forward: convForward, backward: convBackward },
    batchNorm,
    activations,
    adam: adamStates(wasmNs!), // compile() has thrown if there is no WebAssembly
    moduleSize: bytes.length,
    memoryBytes: () => memory.buffer.byteLength,
    traffic: () => ({ ...traffic }),
    describe: () => ({
      engine: 'webassembly-simd128', kernel: `f32x4 ${mr}x${nr} packed tile`, moduleBytes: String(bytes.length), convModuleBytes: String(convBytes.length),
      actModuleBytes: actBytes.map((b) => b.length).join('+'),
      compile: 'synchronous', memoryBytes: String(memory.buffer.byteLength),
    }),
  };
}

/**
 * A row-major B is read in place (no packing) for products of at most this many rows of op(A):
 * packing costs a pass over B and pays back only when many row blocks reuse the contiguous
 * panels. Measured: in place 1.2–1.4× faster at m = 1…16 and on the batched 8-row products,
 * equal within noise from m = 64 to 2048; packed kept for tall products, where long row strides
 * of a wide B would cost TLB misses.
 */
const DIRECT_B_MAX_ROWS = 64;

/** [lo, hi): the element range of `a` that the per-batch operands touch; checked against its length. */
function span(offsets: Int32Array, batch: number, size: number, length: number, which: string): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let t = 0; t < batch; t++) {
    const o = offsets[t]!;
    if (o < lo) lo = o;
    if (o > hi) hi = o;
  }
  if (lo < 0 || hi + size > length) {
    throw new Error(`wasm matmul: ${which} offsets [${lo}, ${hi}] with ${size} elements per batch exceed its length ${length}`);
  }
  return [lo, hi + size];
}

/** gcd(n, 4). */
function gcd4(n: number): number {
  return n % 4 === 0 ? 4 : n % 2 === 0 ? 2 : 1;
}

function allEqual(offsets: Int32Array, batch: number): boolean {
  for (let t = 1; t < batch; t++) if (offsets[t] !== offsets[0]) return false;
  return true;
}

function consecutive(offsets: Int32Array, batch: number, stride: number): boolean {
  for (let t = 1; t < batch; t++) if (offsets[t] !== offsets[0]! + t * stride) return false;
  return true;
}
