/**
 * NAS-Bench-101's module fingerprint: the key under which the benchmark stores every cell, and
 * equal for isomorphic cells (same network up to renumbering interior vertices). Our own
 * implementation of the algorithm published in google-research/nasbench (`graph_util.hash_module`,
 * applied by `ModelSpec.hash_spec` to the pruned spec), which is a Weisfeiler-Lehman-style
 * colour refinement with MD5 as the colour function. In that description's terms:
 *
 * 1. vertex v starts as md5 of the text of the Python tuple `(out_degree, in_degree, label)`,
 *    e.g. `(2, 0, -1)`, with labels input −1, output −2, conv3x3 0, conv1x1 1, maxpool 2;
 * 2. n times (n = vertex count), every vertex becomes md5 of
 *    `<sorted in-neighbour digests concatenated>|<sorted out-neighbour digests concatenated>|<own digest>`,
 *    all digests lower-case hex, sorted as strings, all vertices updated from the previous round;
 * 3. the fingerprint is md5 of the text of the sorted Python list of vertex digests,
 *    `['<hex>', '<hex>', ...]`.
 *
 * Being a refinement, it is invariant under relabelling by construction; distinctness on the
 * 423,624 cells is an empirical fact the benchmark relies on (and our tests check on the table).
 *
 * `dagHashMatrix` is the same algorithm for any vertex count and any integer labels ≥ −2 (the
 * generic graph cells of ./cell.ts use it with their own op lists); with n ≤ 7 and NAS-Bench-101
 * labels it is nb101HashMatrix. Scratch buffers are module-level and grow on demand, so hashing a
 * whole table allocates nothing per cell.
 */
import { nb101Canonical, nb101Label, type Nb101Arch } from './nb101-graph.js';
import { md5HexInto } from './nb101-md5.js';

const H = 32; // hex digest length
const MAX_N = 7;
const enc = new TextEncoder();
const dec = new TextDecoder();

let cap = 0;
let cur = new Uint8Array(0);
let next = new Uint8Array(0);
// in-neighbours + '|' + out-neighbours + '|' + self: at most (n−1)·32 + 2 + 32 bytes; the final list is longer.
let msg = new Uint8Array(0);
let ins = new Int32Array(0);
let outs = new Int32Array(0);
let order = new Int32Array(0);
ensureCapacity(MAX_N);

function ensureCapacity(n: number): void {
  if (n <= cap) return;
  cap = n;
  cur = new Uint8Array(n * H);
  next = new Uint8Array(n * H);
  msg = new Uint8Array(2 * n * H + 64 + 4 * n); // the final list adds "'', " (4 bytes) per digest
  ins = new Int32Array(n);
  outs = new Int32Array(n);
  order = new Int32Array(n);
}

/** Bounds that keep the numeric cache key below exactly representable 2^53 (degrees < 2^12, labels < 2^20). */
const MAX_DAG_N = 4096;
const MAX_LABEL = 2 ** 20 - 3;
/** Initial digests by (out-degree, in-degree, label): at most 8 · 8 · 5 distinct tuples for NAS-Bench-101. */
const initialCache = new Map<number, Uint8Array>();

function initialDigest(outDeg: number, inDeg: number, label: number): Uint8Array {
  const key = (outDeg * MAX_DAG_N + inDeg) * 2 ** 20 + (label + 2);
  let d = initialCache.get(key);
  if (d === undefined) {
    const text = enc.encode(`(${outDeg}, ${inDeg}, ${label})`);
    d = new Uint8Array(H);
    md5HexInto(text, text.length, d, 0);
    initialCache.set(key, d);
  }
  return d;
}

/** Lexicographic comparison of hex digests a and b in `buf` (same order as Python's string sort). */
function cmp(buf: Uint8Array, a: number, b: number): number {
  const pa = a * H, pb = b * H;
  for (let k = 0; k < H; k++) {
    const d = buf[pa + k]! - buf[pb + k]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** Insertion sort of idx[0..m) by the digests in buf (m ≤ 7 for NAS-Bench-101: insertion sort wins). */
function sortByDigest(idx: Int32Array, m: number, buf: Uint8Array): void {
  for (let i = 1; i < m; i++) {
    const x = idx[i]!;
    let j = i - 1;
    while (j >= 0 && cmp(buf, idx[j]!, x) > 0) {
      idx[j + 1] = idx[j]!;
      j--;
    }
    idx[j + 1] = x;
  }
}

/** Copy digest v of `buf` into msg at `at`; returns the end (a byte loop: subarray() allocates). */
function copyDigest(buf: Uint8Array, v: number, at: number): number {
  for (let k = 0, p = v * H; k < H; k++) msg[at++] = buf[p + k]!;
  return at;
}

function appendDigests(idx: Int32Array, m: number, buf: Uint8Array, at: number): number {
  for (let k = 0; k < m; k++) at = copyDigest(buf, idx[k]!, at);
  return at;
}

/**
 * The fingerprint of a spec given as n, a row-major n×n 0/1 matrix and NAS-Bench-101 labels,
 * hashed exactly as given (no pruning; callers hash pruned specs). The fast path used to verify
 * the whole space table.
 */
export function nb101HashMatrix(n: number, adj: ArrayLike<number>, labels: ArrayLike<number>): string {
  if (!Number.isInteger(n) || n < 1 || n > MAX_N) throw new Error(`nb101 hash: vertex count must be 1..${MAX_N}, got ${n}`);
  return dagHashMatrix(n, adj, labels, 'nb101 hash');
}

/**
 * The same fingerprint for any vertex count n ≥ 1 and integer labels in [−2, 2^20 − 3]: a
 * row-major n×n 0/1 matrix, hashed as given. Labels −1 and −2 are NAS-Bench-101's input and
 * output; callers with their own op lists number ops from 0, so a cell over NAS-Bench-101's three
 * ops in its order hashes exactly as nb101HashMatrix does.
 */
export function dagHashMatrix(n: number, adj: ArrayLike<number>, labels: ArrayLike<number>, where = 'graph hash'): string {
  if (!Number.isInteger(n) || n < 1 || n >= MAX_DAG_N) throw new Error(`${where}: vertex count must be 1..${MAX_DAG_N - 1}, got ${n}`);
  if (adj.length !== n * n || labels.length !== n) throw new Error(`${where}: expected ${n * n} matrix entries and ${n} labels, got ${adj.length} and ${labels.length}`);
  for (let v = 0; v < n; v++) {
    const l = labels[v]!;
    if (!Number.isInteger(l) || l < -2 || l > MAX_LABEL) throw new Error(`${where}: label ${v} must be an integer in [-2, ${MAX_LABEL}], got ${l}`);
  }
  ensureCapacity(n);
  for (let v = 0; v < n; v++) {
    let inDeg = 0, outDeg = 0;
    for (let w = 0; w < n; w++) {
      inDeg += adj[w * n + v]!;
      outDeg += adj[v * n + w]!;
    }
    cur.set(initialDigest(outDeg, inDeg, labels[v]!), v * H);
  }
  for (let round = 0; round < n; round++) {
    for (let v = 0; v < n; v++) {
      let ni = 0, no = 0;
      for (let w = 0; w < n; w++) {
        if (adj[w * n + v]) ins[ni++] = w;
        if (adj[v * n + w]) outs[no++] = w;
      }
      sortByDigest(ins, ni, cur);
      sortByDigest(outs, no, cur);
      let at = appendDigests(ins, ni, cur, 0);
      msg[at++] = 0x7c; // '|'
      at = appendDigests(outs, no, cur, at);
      msg[at++] = 0x7c;
      at = copyDigest(cur, v, at);
      md5HexInto(msg, at, next, v * H);
    }
    const t = cur;
    cur = next;
    next = t;
  }
  // Python's str() of a sorted list of str: ['a', 'b', ...]
  for (let v = 0; v < n; v++) order[v] = v;
  sortByDigest(order, n, cur);
  let at = 0;
  msg[at++] = 0x5b; // '['
  for (let k = 0; k < n; k++) {
    if (k > 0) {
      msg[at++] = 0x2c; // ','
      msg[at++] = 0x20; // ' '
    }
    msg[at++] = 0x27; // "'"
    at = copyDigest(cur, order[k]!, at);
    msg[at++] = 0x27;
  }
  msg[at++] = 0x5d; // ']'
  const out = new Uint8Array(H);
  md5HexInto(msg, at, out, 0);
  return dec.decode(out);
}

/** The NAS-Bench-101 hash of a cell: of its pruned spec; throws for invalid cells. */
export function nb101Hash(arch: Nb101Arch): string {
  const p = nb101Canonical(arch, 'nb101 hash');
  const n = p.ops.length;
  const adj = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) adj[i * n + j] = p.adjacency[i]![j]!;
  return nb101HashMatrix(n, adj, p.ops.map(nb101Label));
}
