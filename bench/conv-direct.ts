/**
 * npx tsx bench/conv-direct.ts — why convolutions run as im2col + matmul: a direct convolution in
 * scalar JS (no im2col; per output row, accumulate w·x over the taps) against our im2col + the js
 * and wasm matmuls, forward only, on the CNN benchmark's three 3×3 layers at batch 64; median of
 * 15 interleaved repetitions. (A direct SIMD kernel was not tried.)
 */
import { conv2dForward, convGeometry } from '../src/kernels/conv.js';
import { setBackend } from '../src/kernels/registry.js';
/** Direct convolution, no im2col: for each output row, accumulate w·x over taps (inner loop over ox, contiguous when stride 1). */
function direct(x: Float32Array, w: Float32Array, g: ReturnType<typeof convGeometry>): Float32Array {
  const { n: N, cin, h: H, w: W, cout, kh, kw, sh, sw, ph, pw, groups: G, oh: OH, ow: OW } = g;
  const cg = cin / G, cgo = cout / G, y = new Float32Array(N * cout * OH * OW), row = new Float64Array(OW);
  for (let n = 0; n < N; n++) for (let o = 0; o < cout; o++) {
    const grp = Math.floor(o / cgo);
    for (let oy = 0; oy < OH; oy++) {
      row.fill(0);
      for (let ci = 0; ci < cg; ci++) for (let ky = 0; ky < kh; ky++) {
        const iy = oy * sh - ph + ky; if (iy < 0 || iy >= H) continue;
        const xb = ((n * cin + grp * cg + ci) * H + iy) * W;
        for (let kx = 0; kx < kw; kx++) {
          const wv = w[((o * cg + ci) * kh + ky) * kw + kx]!;
          for (let ox = 0; ox < OW; ox++) { const ix = ox * sw - pw + kx; if (ix >= 0 && ix < W) row[ox]! += wv * x[xb + ix]!; }
        }
      }
      y.set(row, ((n * cout + o) * OH + oy) * OW);
    }
  }
  return y;
}
const med = (a: number[]) => a.sort((p, q) => p - q)[a.length >> 1]!;
const LAYERS: [number, number, number, number, number, number, number][] = [[16, 32, 3, 2, 1, 1, 14], [32, 32, 3, 1, 1, 4, 7], [1, 16, 3, 2, 1, 1, 28]];
for (const [cin, cout, k, s, p, gr, h] of LAYERS) {
  const geo = convGeometry({ n: 64, cin, cout, h, w: h, kh: k, kw: k, sh: s, sw: s, ph: p, pw: p, dh: 1, dw: 1, groups: gr });
  const x = new Float32Array(64 * cin * h * h).map(() => Math.random() - 0.5), w = new Float32Array(cout * cin / gr * k * k).map(() => Math.random() - 0.5);
  const t = { direct: [] as number[], 'im2col+js': [] as number[], 'im2col+wasm': [] as number[] };
  for (let r = 0; r < 15; r++) {
    let t0 = performance.now(); direct(x, w, geo); t.direct.push(performance.now() - t0);
    setBackend('js'); t0 = performance.now(); conv2dForward(x, w, geo); t['im2col+js'].push(performance.now() - t0);
    setBackend('wasm'); t0 = performance.now(); conv2dForward(x, w, geo); t['im2col+wasm'].push(performance.now() - t0);
  }
  console.log(`conv ${cin}->${cout} k${k} s${s} g${gr} ${h}x${h} batch 64 forward, median of 15 interleaved (ms):`, Object.entries(t).map(([kk, v]) => `${kk} ${med(v).toFixed(2)}`).join(', '));
}
