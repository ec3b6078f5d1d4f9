/**
 * Plain reference implementations of the engine's ops, for checking forward results. They share
 * no code with src/autograd: every op is a naive loop over nested indices on number[] in Float64,
 * written for obviousness, not speed. An array is { shape, data } in row-major order.
 */
export interface Arr {
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

export const arr = (shape: readonly number[], data: readonly number[]): Arr => {
  if (count(shape) !== data.length) throw new Error(`reference: ${data.length} values for shape [${shape.join(',')}]`);
  return { shape: [...shape], data: [...data] };
};

export function count(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** All multi-indices of `shape` in row-major order (one empty index for rank 0). */
export function indices(shape: readonly number[]): number[][] {
  let out: number[][] = [[]];
  for (const d of shape) {
    const next: number[][] = [];
    for (const prefix of out) for (let i = 0; i < d; i++) next.push([...prefix, i]);
    out = next;
  }
  return out;
}

/** Row-major flat position of a multi-index. */
export function flat(shape: readonly number[], idx: readonly number[]): number {
  let p = 0;
  for (let d = 0; d < shape.length; d++) p = p * shape[d]! + idx[d]!;
  return p;
}

export const at = (x: Arr, idx: readonly number[]): number => x.data[flat(x.shape, idx)]!;

/** Build an array by evaluating f at every multi-index of shape. */
export function build(shape: readonly number[], f: (idx: number[]) => number): Arr {
  return { shape: [...shape], data: indices(shape).map(f) };
}

// ---- broadcasting, spelled out: align right, a dim of 1 stretches, anything else must agree ----

export function broadcastShape(...shapes: (readonly number[])[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const dims = shapes.map((s) => s[s.length - rank + i] ?? 1);
    const big = dims.filter((d) => d !== 1);
    if (new Set(big).size > 1) throw new Error(`reference: cannot broadcast ${shapes.map((s) => `[${s.join(',')}]`).join(' ')}`);
    out.push(big[0] ?? 1);
  }
  return out;
}

/** x read at an index of a larger broadcast shape. */
export function atBroadcast(x: Arr, idx: readonly number[]): number {
  const off = idx.length - x.shape.length;
  return at(x, x.shape.map((d, i) => (d === 1 ? 0 : idx[off + i]!)));
}

export function unary(x: Arr, f: (v: number) => number): Arr {
  return { shape: [...x.shape], data: x.data.map(f) };
}

export function binary(a: Arr, b: Arr, f: (u: number, v: number) => number): Arr {
  return build(broadcastShape(a.shape, b.shape), (i) => f(atBroadcast(a, i), atBroadcast(b, i)));
}

export function where(m: Arr, a: Arr, b: Arr): Arr {
  return build(broadcastShape(m.shape, a.shape, b.shape), (i) => (atBroadcast(m, i) !== 0 ? atBroadcast(a, i) : atBroadcast(b, i)));
}

export function broadcastTo(x: Arr, shape: readonly number[]): Arr {
  return build(shape, (i) => atBroadcast(x, i));
}

// ---- elementwise scalar functions, NaN semantics as documented by NumPy ----

export const maximum = (u: number, v: number): number => (Number.isNaN(u) || Number.isNaN(v) ? NaN : u > v ? u : v);
export const minimum = (u: number, v: number): number => (Number.isNaN(u) || Number.isNaN(v) ? NaN : u < v ? u : v);
export const relu = (v: number): number => (Number.isNaN(v) ? NaN : v > 0 ? v : 0);
export const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
/** log(1 + e^v), switching form so neither branch overflows. */
export const softplus = (v: number): number => (v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v)));
export const silu = (v: number): number => v * sigmoid(v);
export const gelu = (v: number): number => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));

// ---- reductions: the output index is the input index with reduced axes dropped (or set to 0) ----

export function reduce(x: Arr, axes: readonly number[], keepdims: boolean, init: number, f: (acc: number, v: number) => number): Arr {
  const ax = axes.map((a) => (a < 0 ? a + x.shape.length : a));
  const keepShape = x.shape.map((d, i) => (ax.includes(i) ? 1 : d));
  const acc = new Array<number>(count(keepShape)).fill(init);
  for (const i of indices(x.shape)) {
    const o = flat(keepShape, i.map((v, d) => (ax.includes(d) ? 0 : v)));
    acc[o] = f(acc[o]!, at(x, i));
  }
  return { shape: keepdims ? keepShape : x.shape.filter((_, i) => !ax.includes(i)), data: acc };
}

export const sum = (x: Arr, axes: readonly number[], keepdims = false): Arr => reduce(x, axes, keepdims, 0, (a, v) => a + v);
export const max = (x: Arr, axes: readonly number[], keepdims = false): Arr => reduce(x, axes, keepdims, -Infinity, maximum);
export function mean(x: Arr, axes: readonly number[], keepdims = false): Arr {
  const n = axes.reduce((k, a) => k * x.shape[a < 0 ? a + x.shape.length : a]!, 1);
  return unary(sum(x, axes, keepdims), (v) => v / n);
}

// ---- movement ----

export const reshape = (x: Arr, shape: readonly number[]): Arr => arr(shape, x.data);

/** out[i_0, ..., i_r] = x[j] where j[perm[d]] = i_d. */
export function permute(x: Arr, perm: readonly number[]): Arr {
  return build(perm.map((p) => x.shape[p]!), (i) => {
    const j = new Array<number>(perm.length);
    perm.forEach((p, d) => (j[p] = i[d]!));
    return at(x, j);
  });
}

export function slice(x: Arr, begin: readonly number[], end: readonly number[]): Arr {
  return build(begin.map((b, d) => end[d]! - b), (i) => at(x, i.map((v, d) => v + begin[d]!)));
}

export function concat(xs: readonly Arr[], axis: number): Arr {
  const shape = [...xs[0]!.shape];
  shape[axis] = xs.reduce((n, x) => n + x.shape[axis]!, 0);
  return build(shape, (i) => {
    let k = i[axis]!;
    for (const x of xs) {
      if (k < x.shape[axis]!) return at(x, i.map((v, d) => (d === axis ? k : v)));
      k -= x.shape[axis]!;
    }
    throw new Error('reference concat: index past the end');
  });
}

export function gather(x: Arr, idx: readonly number[], axis: number): Arr {
  const shape = [...x.shape];
  shape[axis] = idx.length;
  return build(shape, (i) => at(x, i.map((v, d) => (d === axis ? idx[v]! : v))));
}

/**
 * Batched matmul with NumPy batch broadcasting. With transA, A's last two dims are stored [k, m]
 * and op(A)[i, p] = A[p, i]; likewise transB.
 */
export function matmul(a: Arr, b: Arr, transA = false, transB = false): Arr {
  const ra = a.shape.length, rb = b.shape.length;
  const m = transA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const k = transA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const n = transB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  const batchA = a.shape.slice(0, -2), batchB = b.shape.slice(0, -2);
  // The batch index of an operand: right-aligned, size-1 dims pinned at 0.
  const own = (dims: readonly number[], bi: readonly number[]) => dims.map((d, q) => (d === 1 ? 0 : bi[bi.length - dims.length + q]!));
  return build([...broadcastShape(batchA, batchB), m, n], (idx) => {
    const bi = idx.slice(0, -2), i = idx[idx.length - 2]!, j = idx[idx.length - 1]!;
    const pa = own(batchA, bi), pb = own(batchB, bi);
    let s = 0;
    for (let p = 0; p < k; p++) {
      s += at(a, [...pa, ...(transA ? [p, i] : [i, p])]) * at(b, [...pb, ...(transB ? [j, p] : [p, j])]);
    }
    return s;
  });
}

// ---- composites, each from its textbook definition ----

/** Lines along `axis`: every index of x with that axis' position left open. */
function lines(shape: readonly number[], axis: number): number[][][] {
  const rest = shape.map((d, i) => (i === axis ? 1 : d));
  return indices(rest).map((base) => Array.from({ length: shape[axis]! }, (_, k) => base.map((v, d) => (d === axis ? k : v))));
}

/** Apply f to every 1-D line of x along axis (f maps a line to a line of equal length). */
export function alongAxis(x: Arr, axis: number, f: (line: number[]) => number[]): Arr {
  const ax = axis < 0 ? axis + x.shape.length : axis;
  const data = [...x.data];
  for (const line of lines(x.shape, ax)) {
    const out = f(line.map((i) => at(x, i)));
    line.forEach((i, q) => (data[flat(x.shape, i)] = out[q]!));
  }
  return { shape: [...x.shape], data };
}

/** softmax of a line: exp(v - max) / Σ exp(w - max). The shift is exact algebra, not a trick. */
export function softmaxLine(v: readonly number[]): number[] {
  const m = Math.max(...v);
  const e = v.map((x) => Math.exp(x - m));
  const z = e.reduce((s, x) => s + x, 0);
  return e.map((x) => x / z);
}

export function logSoftmaxLine(v: readonly number[]): number[] {
  const m = Math.max(...v);
  const lse = m + Math.log(v.reduce((s, x) => s + Math.exp(x - m), 0));
  return v.map((x) => x - lse);
}

export function layerNormLine(v: readonly number[], eps: number): number[] {
  const mu = v.reduce((s, x) => s + x, 0) / v.length;
  const variance = v.reduce((s, x) => s + (x - mu) ** 2, 0) / v.length;
  return v.map((x) => (x - mu) / Math.sqrt(variance + eps));
}

export function mse(pred: readonly number[], target: readonly number[]): number {
  return pred.reduce((s, p, i) => s + (p - target[i]!) ** 2, 0) / pred.length;
}

/** Mean over ordered pairs (targets[i] > targets[j]) of log(1 + exp(-(s_i - s_j))). */
export function rankingLoss(scores: readonly number[], targets: readonly number[]): number {
  let total = 0, pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    for (let j = 0; j < scores.length; j++) {
      if (targets[i]! > targets[j]!) {
        total += softplus(-(scores[i]! - scores[j]!));
        pairs++;
      }
    }
  }
  return total / pairs;
}

/** -mean_i log softmax(logits_i)[label_i] for logits [N, C]. */
export function crossEntropy(logits: Arr, labels: readonly number[]): number {
  const [n, c] = logits.shape as [number, number];
  let total = 0;
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: c }, (_, j) => at(logits, [i, j]));
    total -= logSoftmaxLine(row)[labels[i]!]!;
  }
  return total / n;
}
