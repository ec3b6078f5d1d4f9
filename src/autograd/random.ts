import type { FloatArray } from './dtype.js';

/**
 * Seeded pseudo-random numbers. Every random choice in prednas flows from an explicit `Rng`, so a
 * seed fully determines a run. The generator is sfc32 (small, fast, passes PractRand to 2^38+),
 * seeded through splitmix32 so that nearby integer seeds give unrelated streams.
 */
function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Scratch draws of permutation() (read before it returns). */
let permBits = new Uint32Array(0);

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | null = null;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`Rng: seed must be a finite number, got ${seed}`);
    const sm = splitmix32(Math.floor(seed) ^ Math.floor(seed / 2 ** 32));
    this.a = sm();
    this.b = sm();
    this.c = sm();
    this.d = sm();
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  /**
   * The generator's whole state (sfc32's four words and Box-Muller's cached value), so that a
   * search can be saved and resumed without replaying every draw (the ask/tell journal snapshot).
   */
  getState(): number[] {
    // The words are kept signed or unsigned as the arithmetic leaves them; the stream only sees them mod 2^32.
    const words = [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0];
    return this.spare === null ? words : [...words, this.spare];
  }

  /** Continue the stream saved by getState(); throws on anything getState() cannot have written. */
  setState(state: readonly number[]): void {
    const words = state.slice(0, 4);
    if ((state.length !== 4 && state.length !== 5) || !words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff) || (state.length === 5 && !Number.isFinite(state[4]))) {
      throw new Error(`Rng.setState: expected 4 unsigned 32-bit words and an optional finite spare, got ${JSON.stringify(state).slice(0, 80)}`);
    }
    [this.a, this.b, this.c, this.d] = words as [number, number, number, number];
    this.spare = state.length === 5 ? state[4]! : null;
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    // sfc32 in int32 arithmetic (| 0 wraps like the generator's uint32 words): values kept
    // unsigned (>>> 0) exceed int32 and V8 holds them as doubles, three times slower (fillU32).
    const a = this.a, b = this.b, c = this.c, t = (a + b + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  /**
   * Fill `out` with the next `out.length` values of nextU32(), the same stream as that many calls.
   * The state lives in locals for the loop: dropout draws one value per activation in every
   * training step, and the per-call field loads and stores were a tenth of a PredNAS run.
   */
  fillU32(out: Uint32Array): Uint32Array {
    let a = this.a | 0, b = this.b | 0, c = this.c | 0, d = this.d | 0;
    for (let i = 0; i < out.length; i++) {
      const t = (a + b + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (((c << 21) | (c >>> 11)) + t) | 0;
      out[i] = t; // the store wraps t to its unsigned value
    }
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
    return out;
  }

  /**
   * For i < count: out[at + i] = value · +(u_i ≥ cut), u_i the next nextU32() values (the same
   * stream as that many calls): inverted dropout's mask in one pass, without the draws' array.
   * The comparison runs in int32 (u ≥ ⌈cut⌉ with the sign bits flipped): the unsigned draws would
   * be held as doubles. value·1 or value·0 rather than a select: no branch to mispredict on every
   * dropped element (for a finite value the same numbers).
   */
  fillThreshold(out: FloatArray, at: number, count: number, cut: number, value: number): void {
    if (!(cut >= 0)) throw new Error(`Rng.fillThreshold: cut must be a number >= 0, got ${cut}`);
    const whole = Math.ceil(cut);
    // Above every uint32 (cut > 2^32 − 1) no draw reaches it: every value is then 0·1. Otherwise
    // the bound with its sign bit flipped, as the draws' are below.
    const never = whole > 0xffffffff, bound = never ? -0x80000000 : (whole ^ 0x80000000) | 0, v = never ? 0 : value;
    let a = this.a | 0, b = this.b | 0, c = this.c | 0, d = this.d | 0;
    for (let i = 0; i < count; i++) {
      const t = (a + b + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (((c << 21) | (c >>> 11)) + t) | 0;
      out[at + i] = v * +((t ^ 0x80000000) >= bound);
    }
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
  }

  /** Uniform float in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextU32() >>> 5;
    const lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform float in [lo, hi). */
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n >= 1) || !Number.isInteger(n)) throw new Error(`Rng.int: n must be a positive integer, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box-Muller, caching the second value). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** One element of a non-empty array. */
  choice<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new Error('Rng.choice: empty array');
    return xs[this.int(xs.length)]!;
  }

  /** Fisher-Yates shuffle in place; returns the array. */
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = xs[i]!;
      xs[i] = xs[j]!;
      xs[j] = t;
    }
    return xs;
  }

  /**
   * Writes into `out` the permutation that shuffle() makes of [0, 1, …, out.length − 1], from the
   * same draws, taken in bulk (fillU32): the ranking loss reshuffles thousands of pair indices
   * per member in every training step, and int()'s per-call overhead dominated that.
   */
  permutation(out: Int32Array): Int32Array {
    const n = out.length;
    for (let i = 0; i < n; i++) out[i] = i;
    if (n < 2) return out;
    const need = 2 * (n - 1);
    if (permBits.length < need) permBits = new Uint32Array(need);
    const u = this.fillU32(permBits.subarray(0, need));
    for (let i = n - 1, k = 0; i > 0; i--, k += 2) {
      // next() and int(i + 1), inlined.
      const f = ((u[k]! >>> 5) * 67108864 + (u[k + 1]! >>> 6)) / 9007199254740992;
      const j = Math.floor(f * (i + 1));
      const t = out[i]!;
      out[i] = out[j]!;
      out[j] = t;
    }
    return out;
  }

  /** An independent child stream, derived deterministically from this one. */
  fork(): Rng {
    return new Rng(this.nextU32() * 4294967296 + this.nextU32());
  }
}
