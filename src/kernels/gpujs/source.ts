/**
 * The gpu.js matmul kernel, as plain JavaScript source text. gpu.js parses the source of a kernel
 * and translates it (to WebAssembly, GLSL, WGSL or JS); handing it a TypeScript function would
 * give it whatever the TS compiler or a minifier emitted, so the kernel is kept as a string that no
 * tool rewrites.
 *
 * One thread per output element of the flat [batch·m·n] result (a 1-D output comes back as one
 * Float32Array: no per-row arrays to flatten). Operand strides and per-batch offsets are inputs,
 * so every transpose variant and broadcast batch uses the same kernel.
 * constants: m, n, k; ai/ap = strides of op(A)[i, p]; bp/bj = strides of op(B)[p, j].
 * arguments: a, b (Float32Array), ao, bo (per-batch element offsets, as floats).
 */
export const MATMUL_SOURCE = `function (a, b, ao, bo) {
  const mn = this.constants.m * this.constants.n;
  const t = Math.floor(this.thread.x / mn);
  const r = this.thread.x - t * mn;
  const i = Math.floor(r / this.constants.n);
  const j = r - i * this.constants.n;
  let pa = ao[t] + i * this.constants.ai;
  let pb = bo[t] + j * this.constants.bj;
  let s = 0;
  for (let p = 0; p < this.constants.k; p++) {
    s += a[pa] * b[pb];
    pa += this.constants.ap;
    pb += this.constants.bp;
  }
  return s;
}`;
