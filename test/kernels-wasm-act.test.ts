/**
 * The wasm backend's activation passes (src/kernels/wasm/act-kernel.ts: silu's forward, softplus's
 * exp(−|x|) and forward, both backward passes) and the fdlibm exp and log they run on f64x2 lanes
 * (src/kernels/wasm/fdlibm.ts): exp and log against Math.exp and Math.log in Float64, bit for bit;
 * the passes against the JS loops of src/autograd/fused.ts on the js backend, bit for bit, on a
 * million values of every magnitude and on fast-check arrays with the special values; the forward
 * passes report the lanes they cannot compute (|x| ≥ 708, NaN, ±Inf), and fused.ts then falls back
 * to its loop. silu's forward runs a short exp with a rounding test (src/kernels/wasm/silu-fast.ts):
 * held to the JS loop at every float32 input (all 2³²) and at inputs whose sigmoid lies next to a
 * float32 rounding boundary, where it must hand the group to the exact pass.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { siluBackward, siluForward, siluSaved, softplusBackward, softplusForward, softplusSaved } from '../src/autograd/fused.js';
import { recycleDead } from '../src/autograd/dtype.js';
import { Tensor } from '../src/autograd/tensor.js';
import { registerBackend, unregisterBackend, withBackend } from '../src/kernels/registry.js';
import { expF64Function, logF64Function } from '../src/kernels/wasm/fdlibm.js';
import { moduleBytes } from '../src/kernels/wasm/emit.js';
import { SYNC_COMPILE_LIMIT, WASM_MIN_ELEMENTS, createWasmBackend, wasmActModuleBytes } from '../src/kernels/wasm/index.js';

const be = createWasmBackend();
const acts = be.activations!;
const t = (a: Float32Array): Tensor => new Tensor(a, [a.length]);
const js = <T>(fn: () => T): T => withBackend('js', fn);

function sameBits(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!, w = want[i]!;
    if (!(Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w)))) {
      throw new Error(`${what}: element ${i} is ${Object.is(g, -0) ? '-0' : g}, the JS loop gives ${Object.is(w, -0) ? '-0' : w}`);
    }
  }
}

/** Deterministic Float32 values, each magnitude class in turn: tiny, around the reduction thresholds, large. */
function spread(n: number, seed: number): Float32Array {
  const scales = [1e-9, 2 ** -28, 0.1, 0.3466, 1.0397, 3, 20, 90, 470]; // × 1.5: |x| < 708, the vector path
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, (_, i) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 31 - 1) * 1.5 * scales[i % scales.length]!;
  });
}

describe('wasm activation kernels', () => {
  it('fit two synchronously compilable modules', () => {
    const modules = wasmActModuleBytes();
    expect(modules).toHaveLength(2);
    for (const bytes of modules) {
      expect(WebAssembly.validate(bytes)).toBe(true);
      expect(bytes.length).toBeLessThan(SYNC_COMPILE_LIMIT);
    }
  });

  it('its exp is Math.exp, bit for bit in Float64, across the vector path (2⁻²⁸ ≤ |x| < 708, the reduction thresholds, x = 1, tiny x)', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const k = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes([expF64Function()])), { env: { memory } }).exports as Record<string, (...a: number[]) => number>;
    const N = 4096; // per call: x and out fill the one 64 KiB page
    const f64 = new Float64Array(memory.buffer);
    let s = 5, checked = 0;
    const edges = [1, -1, 0, -0, 2 ** -29, -(2 ** -29), 2 ** -28, 0.34657359027997264, 0.3465735902799727, 1.0397207708399179, 1.039720770839918, -1.0397207708399179, 707.99, -707.99, 1e-300];
    for (let call = 0; call < 256; call++) {
      for (let i = 0; i < N; i++) {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        const u = s / 2 ** 31 - 1;
        // Magnitudes spread log-uniformly from 2⁻³⁰ to 708, then the edges.
        f64[i] = call === 0 && i < edges.length ? edges[i]! : Math.sign(u) * Math.min(707.9, 2 ** (-30 + 39.5 * Math.abs(u)));
      }
      expect(k.exp_f64!(0, N * 8, N * 8)).toBe(0);
      for (let i = 0; i < N; i++) {
        const want = Math.exp(f64[i]!);
        if (!Object.is(f64[N + i], want)) throw new Error(`exp(${f64[i]}) is ${f64[N + i]}, Math.exp gives ${want}`);
        checked++;
      }
    }
    expect(checked).toBe(256 * N);
    f64[0] = 708;
    expect(k.exp_f64!(0, N * 8, 16)).toBe(1);
  });

  it('sigmoid and exp(−|x|) equal the JS loops (Math.exp) bit for bit on a million values of every magnitude', () => {
    const x = spread(1 << 20, 7);
    const s = new Float32Array(x.length), y = new Float32Array(x.length), e = new Float32Array(x.length);
    expect(acts.silu(x, s, y)).toBe(true);
    expect(acts.expNegAbs(x, e)).toBe(true);
    const want = js(() => siluSaved(t(x)));
    expect(want.y).toBeNull();
    sameBits(s, want.s, 'sigmoid');
    sameBits(y, js(() => siluForward(t(x), want.s)).data, 'silu');
    sameBits(e, js(() => softplusSaved(t(x))), 'exp(−|x|)');
    const sp = new Float32Array(x.length);
    expect(acts.softplus(x, e, sp)).toBe(true);
    sameBits(sp, js(() => softplusForward(t(x), e)).data, 'softplus');
  });

  it("softplus's log is Math.log, bit for bit in Float64, at every float32 in [1, 2] (all 2²³ + 1) and at 1M doubles there", () => {
    const N = 4096;
    const memory = new WebAssembly.Memory({ initial: 1 });
    const k = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes([logF64Function()])), { env: { memory } }).exports as Record<string, (...a: number[]) => number>;
    const f64 = new Float64Array(memory.buffer);
    const bits = new Uint32Array(1), f = new Float32Array(bits.buffer);
    const total = (1 << 23) + 1;
    let s = 9;
    const check = (fill: (i: number) => number, count: number): void => {
      for (let i = 0; i < N; i++) f64[i] = i < count ? fill(i) : 1.5;
      expect(k.log_f64!(0, N * 8, N * 8)).toBe(0);
      for (let i = 0; i < count; i++) {
        const want = Math.log(f64[i]!);
        if (!Object.is(f64[N + i], want)) throw new Error(`log(${f64[i]}) is ${f64[N + i]}, Math.log gives ${want}`);
      }
    };
    for (let from = 0; from < total; from += N) {
      check((i) => { bits[0] = 0x3f800000 + from + i; return f[0]!; }, Math.min(N, total - from));
    }
    for (let call = 0; call < 256; call++) {
      check(() => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return 1 + s / 2 ** 32 + (s & 1) * 2 ** -40; }, N);
    }
    f64[0] = 2.5;
    expect(k.log_f64!(0, N * 8, 16)).toBe(1);
  });

  it('the backward passes equal the JS loops bit for bit', () => {
    const n = 100_003; // not a multiple of the unrolled block
    const x = spread(n, 11), g = spread(n, 12);
    const s = js(() => siluSaved(t(x))).s as Float32Array, e = js(() => softplusSaved(t(x))) as Float32Array;
    const out = new Float32Array(n).fill(7);
    acts.siluBackward(g, x, s, out);
    sameBits(out, js(() => siluBackward(t(g), t(x), s)).data, 'silu backward');
    acts.softplusBackward(g, x, e, out);
    sameBits(out, js(() => softplusBackward(t(g), t(x), e)).data, 'softplus backward');
  });

  // Float32 values with the cases that tell implementations apart, and the edges of the fast path.
  const value = fc.oneof(
    fc.constantFrom(NaN, 0, -0, Infinity, -Infinity, 1e-40, -1e-40, 1, -1, 2 ** -28, -(2 ** -28), 707.9, -707.9, 708, -708, 709.9, -745.2, 88.8, 3.4e38),
    fc.float({ noDefaultInfinity: true, noNaN: true }),
    fc.float({ min: -20, max: 20, noNaN: true }),
  );

  it('on any array (NaN, ±0, ±Inf, denormals, |x| ≥ 708, odd lengths) fused.ts on wasm equals fused.ts on js', () => {
    registerBackend({ ...be, name: 'wasm-act', autoMinElements: 1 });
    try {
      fc.assert(fc.property(fc.array(value, { maxLength: 45 }), fc.array(value, { maxLength: 45 }), (xs, gs) => {
        const x = Float32Array.from(xs), g = Float32Array.from(xs.map((_, i) => gs[i] ?? 0.5));
        const { s, y } = withBackend('wasm-act', () => siluSaved(t(x))), e = withBackend('wasm-act', () => softplusSaved(t(x)));
        const want = js(() => siluSaved(t(x)));
        sameBits(s, want.s, 'sigmoid');
        sameBits(siluForward(t(x), s, y).data, js(() => siluForward(t(x), want.s)).data, 'silu');
        sameBits(e, js(() => softplusSaved(t(x))), 'exp(−|x|)');
        sameBits(withBackend('wasm-act', () => siluBackward(t(g), t(x), s)).data, js(() => siluBackward(t(g), t(x), s)).data, 'silu backward');
        sameBits(withBackend('wasm-act', () => softplusForward(t(x), e)).data, js(() => softplusForward(t(x), e)).data, 'softplus');
        sameBits(withBackend('wasm-act', () => softplusBackward(t(g), t(x), e)).data, js(() => softplusBackward(t(g), t(x), e)).data, 'softplus backward');
      }), { seed: 47, numRuns: 300 });
    } finally {
      unregisterBackend('wasm-act');
    }
  });

  describe("silu's forward with the short exp and the rounding test (src/kernels/wasm/silu-fast.ts)", () => {
    const memory = new WebAssembly.Memory({ initial: 200 });
    const k = new WebAssembly.Instance(new WebAssembly.Module(wasmActModuleBytes()[0]!), { env: { memory } }).exports as Record<string, (...a: number[]) => number>;
    const N = 1 << 20, X = 0, S = 4 * N, OUT = 8 * N; // three regions of 4 MiB
    const f32 = new Float32Array(memory.buffer), u32 = new Uint32Array(memory.buffer);
    /** fused.ts's own loops (the js backend) on x[0..n): s and out as the engine stores them. */
    function jsLoop(n: number): { s: Float32Array; out: Float32Array } {
      const x = new Tensor(f32.subarray(X / 4, X / 4 + n), [n]);
      return js(() => {
        const { s } = siluSaved(x);
        return { s: s as Float32Array, out: siluForward(x, s).data as Float32Array };
      });
    }
    /** Compare the kernel's s and out with the loop's on the lanes inside the exp's range; count those. */
    function compare(n: number, what: string): number {
      const want = jsLoop(n);
      const ws = new Uint32Array(want.s.buffer, want.s.byteOffset, n), wo = new Uint32Array(want.out.buffer, want.out.byteOffset, n);
      let inRange = 0;
      for (let i = 0; i < n; i++) {
        if (!(Math.abs(f32[X / 4 + i]!) < 708)) continue;
        inRange++;
        if (u32[S / 4 + i] !== ws[i] || u32[OUT / 4 + i] !== wo[i]) {
          throw new Error(`${what}: x = ${f32[X / 4 + i]} gives s ${f32[S / 4 + i]}, out ${f32[OUT / 4 + i]}; the JS loop ${want.s[i]}, ${want.out[i]}`);
        }
      }
      // Hand the loop's two arrays back so the next chunk's take them (4 MiB each, 4,096 chunks).
      recycleDead(want.s);
      recycleDead(want.out);
      return inRange;
    }

    // Every lane is computed alone, so this is the proof for every input: about a minute on one core.
    it('equals the JS loop at every float32 input inside |x| < 708 (all 2³² bit patterns; 2,288,123,904 in range)', () => {
      let checked = 0;
      for (let base = 0; base < 2 ** 32; base += N) {
        for (let i = 0; i < N; i++) u32[X / 4 + i] = base + i;
        k.silu_fwd!(X, S, OUT, N * 4);
        checked += compare(N, 'all float32');
      }
      expect(checked).toBe(2_288_123_904);
    }, 900_000);

    it('equals the JS loop where the sigmoid lies within the margin of a float32 rounding boundary: those groups go to the exact pass', () => {
      // Scan deterministic inputs for D (the loop's double) within 2⁻³⁶ of a midpoint between float32 neighbours.
      const near: number[] = [];
      const f = new Float32Array(1), b = new Uint32Array(f.buffer);
      let s = 12345;
      for (let tries = 0; near.length < 64 && tries < 5_000_000; tries++) {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        const v = Math.fround((s / 2 ** 32 - 0.5) * 40);
        const d = v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
        f[0] = d;
        const r = f[0];
        b[0]! += d > r ? 1 : -1; // the float32 neighbour on D's side
        const mid = (r + f[0]!) / 2;
        if (Math.abs(d - mid) < 2 ** -36 * d) near.push(v);
      }
      expect(near.length).toBe(64);
      f32.set(near, X / 4);
      const r = k.silu_fwd!(X, S, OUT, Math.ceil(near.length / 8) * 32);
      expect(r & 1).toBe(0);
      expect(r >> 1, 'groups redone by the exact pass').toBeGreaterThan(0);
      expect(compare(near.length, 'near a rounding boundary')).toBe(64);
    });

    it('falls back to the exact pass rarely on pre-activation-like values, and reports none on plain ones', () => {
      const n = 1 << 20;
      for (let i = 0; i < n; i++) f32[X / 4 + i] = 4 * Math.sin(i * 0.37);
      const r = k.silu_fwd!(X, S, OUT, n * 4);
      expect(r & 1).toBe(0);
      expect(r >> 1).toBeLessThan(n / 8 / 100); // under 1 % of the groups
      compare(n, 'pre-activations');
      f32.fill(0.25, X / 4, X / 4 + 64);
      expect(k.silu_fwd!(X, S, OUT, 256)).toBe(0);
    });
  });

  it('the forward passes report the lanes outside the vector path instead of writing wrong values silently', () => {
    for (const bad of [NaN, Infinity, -Infinity, 708, -709.5, 3e38]) {
      const x = new Float32Array(16).fill(0.25);
      x[9] = bad;
      expect(acts.silu(x, new Float32Array(16), new Float32Array(16)), `silu with ${bad}`).toBe(false);
      expect(acts.expNegAbs(x, new Float32Array(16)), `exp(−|x|) with ${bad}`).toBe(false);
    }
    expect(acts.silu(new Float32Array(16).fill(707.9), new Float32Array(16), new Float32Array(16))).toBe(true);
  });

  it('fused.ts hands Float32 arrays from the elementwise threshold to the kernels, and keeps Float64 on its loops', () => {
    const before = be.traffic().calls;
    registerBackend({ ...be, name: 'wasm-count' });
    try {
      withBackend('wasm-count', () => siluSaved(t(spread(WASM_MIN_ELEMENTS - 1, 3))));
      expect(be.traffic().calls).toBe(before);
      withBackend('wasm-count', () => siluSaved(t(spread(WASM_MIN_ELEMENTS, 3))));
      expect(be.traffic().calls).toBe(before + 1);
      const x64 = Float64Array.from(spread(WASM_MIN_ELEMENTS, 3));
      withBackend('wasm-count', () => siluSaved(new Tensor(x64, [x64.length])));
      expect(be.traffic().calls).toBe(before + 1);
    } finally {
      unregisterBackend('wasm-count');
    }
  });
});
