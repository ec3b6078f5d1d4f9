/**
 * A small WebAssembly binary emitter: just enough of the format (MVP + SIMD128) to write the
 * wasm backend's kernels from TypeScript, with no toolchain and no .wasm artefact. Kernels are
 * built by calling `Code` methods in the order of the stack machine; `moduleBytes` wraps the
 * functions into a module that imports one linear memory ("env", "memory").
 *
 * Encodings follow the WebAssembly core specification (binary format, §5): integers are LEB128,
 * vectors are a u32 count then the items, sections are id, byte size, payload.
 */

export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F32 | typeof F64 | typeof V128;

/** Unsigned LEB128 (u32 immediates, counts, sizes). */
export function uleb(value: number): number[] {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new Error(`uleb: expected a u32, got ${value}`);
  const out: number[] = [];
  let v = value;
  do {
    let byte = v & 0x7f;
    v = Math.floor(v / 128);
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 (i32.const immediates). */
export function sleb(value: number): number[] {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) throw new Error(`sleb: expected an i32, got ${value}`);
  const out: number[] = [];
  let v = value;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7; // arithmetic shift keeps the sign
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const utf8 = (s: string): number[] => [...new TextEncoder().encode(s)];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, payload: number[]): number[] => [id, ...uleb(payload.length), ...payload];

/** SIMD opcodes (0xFD prefix, then the u32 LEB128 below). */
const SIMD = {
  load: 0x00, load32Splat: 0x09, store: 0x0b, const: 0x0c, f32x4Splat: 0x13, f32x4ExtractLane: 0x1f,
  f32x4Add: 0xe4, f32x4Sub: 0xe5, f32x4Mul: 0xe6, f32x4Div: 0xe7, f32x4Max: 0xe9, f32x4Sqrt: 0xe3,
  f32x4Abs: 0xe0, f32x4Neg: 0xe1, f32x4Ne: 0x42, f32x4Lt: 0x43, f32x4Gt: 0x44, v128Or: 0x50, v128Bitselect: 0x52,
  // Float64 pairs (the activations' kernels: JS computes in double and rounds once where it stores).
  load64Zero: 0x5d, store64Lane: 0x5b, f64x2Splat: 0x14, f64x2PromoteLow: 0x5f, f32x4DemoteZero: 0x5e,
  f64x2Abs: 0xec, f64x2Neg: 0xed, f64x2Sqrt: 0xef, f64x2Add: 0xf0, f64x2Sub: 0xf1, f64x2Mul: 0xf2, f64x2Div: 0xf3, f64x2Trunc: 0x7a,
  f64x2Eq: 0x47, f64x2Ne: 0x48, f64x2Lt: 0x49, f64x2Gt: 0x4a, f64x2Ge: 0x4c,
  i32x4TruncSatF64x2Zero: 0xfc, i64x2ExtendLowI32x4: 0xc7, i64x2Shl: 0xcb, i64x2Add: 0xce,
  v128And: 0x4e, v128AnyTrue: 0x53,
} as const;

/**
 * One function body. Methods append instructions; locals are declared up front by `local()` and
 * referred to by index (parameters first). Loads and stores take an immediate byte offset so
 * unrolled kernels address a tile from one base pointer.
 */
export class Code {
  readonly bytes: number[] = [];
  private readonly extra: ValType[] = [];
  private depth = 0;

  constructor(readonly params: readonly ValType[], readonly results: readonly ValType[] = []) {}

  /** Declare a local of `type`; returns its index. */
  local(type: ValType): number {
    this.extra.push(type);
    return this.params.length + this.extra.length - 1;
  }

  private op(...b: number[]): this {
    for (const x of b) this.bytes.push(x);
    return this;
  }
  private simd(code: number, ...imm: number[]): this {
    return this.op(0xfd, ...uleb(code), ...imm);
  }
  private mem(align: number, offset: number): number[] {
    return [...uleb(align), ...uleb(offset)];
  }

  get(i: number): this { return this.op(0x20, ...uleb(i)); }
  set(i: number): this { return this.op(0x21, ...uleb(i)); }
  tee(i: number): this { return this.op(0x22, ...uleb(i)); }
  i32(v: number): this { return this.op(0x41, ...sleb(v)); }
  f32(v: number): this {
    const b = new Uint8Array(new Float32Array([v]).buffer);
    return this.op(0x43, ...b);
  }
  add(): this { return this.op(0x6a); }
  sub(): this { return this.op(0x6b); }
  mul(): this { return this.op(0x6c); }
  shl(): this { return this.op(0x74); }
  and(): this { return this.op(0x71); }
  eqz(): this { return this.op(0x45); }
  eq(): this { return this.op(0x46); }
  ne(): this { return this.op(0x47); }
  ltS(): this { return this.op(0x48); }
  /** Unsigned a < b: one compare for 0 ≤ a < b when b ≥ 0 (a negative a reads as ≥ 2³¹). */
  ltU(): this { return this.op(0x49); }
  geS(): this { return this.op(0x4e); }
  leS(): this { return this.op(0x4c); }
  /** Pops c, b, a: a when c ≠ 0, else b. */
  select(): this { return this.op(0x1b); }
  drop(): this { return this.op(0x1a); }
  call(fn: number): this { return this.op(0x10, ...uleb(fn)); }

  i32Load(offset = 0): this { return this.op(0x28, ...this.mem(2, offset)); }
  i32Store(offset = 0): this { return this.op(0x36, ...this.mem(2, offset)); }
  f32Load(offset = 0): this { return this.op(0x2a, ...this.mem(2, offset)); }
  f32Store(offset = 0): this { return this.op(0x38, ...this.mem(2, offset)); }
  f32Add(): this { return this.op(0x92); }
  f32Mul(): this { return this.op(0x94); }
  // Float64 scalars: what a JS expression on Float32Array elements computes (batch norm's kernels).
  f64Load(offset = 0): this { return this.op(0x2b, ...this.mem(3, offset)); }
  f64Store(offset = 0): this { return this.op(0x39, ...this.mem(3, offset)); }
  f64(v: number): this { return this.op(0x44, ...new Uint8Array(new Float64Array([v]).buffer)); }
  f64Add(): this { return this.op(0xa0); }
  f64Sub(): this { return this.op(0xa1); }
  f64Mul(): this { return this.op(0xa2); }
  f64Div(): this { return this.op(0xa3); }
  /** Exact f32 → f64, and f64 → f32 rounded to nearest even (a store into a Float32Array). */
  f64PromoteF32(): this { return this.op(0xbb); }
  f32DemoteF64(): this { return this.op(0xb6); }
  f64ConvertI32S(): this { return this.op(0xb7); }

  // Alignment hints are log2 bytes; wrong hints are legal (only a performance hint) but kept honest.
  v128Load(offset = 0, align = 4): this { return this.simd(SIMD.load, ...this.mem(align, offset)); }
  v128Store(offset = 0, align = 4): this { return this.simd(SIMD.store, ...this.mem(align, offset)); }
  /** Load one f32 and splat it to all four lanes. */
  load32Splat(offset = 0): this { return this.simd(SIMD.load32Splat, ...this.mem(2, offset)); }
  v128Zero(): this { return this.simd(SIMD.const, ...new Array<number>(16).fill(0)); }
  f32x4Splat(): this { return this.simd(SIMD.f32x4Splat); }
  f32x4Extract(lane: number): this { return this.simd(SIMD.f32x4ExtractLane, lane); }
  f32x4Add(): this { return this.simd(SIMD.f32x4Add); }
  f32x4Sub(): this { return this.simd(SIMD.f32x4Sub); }
  f32x4Mul(): this { return this.simd(SIMD.f32x4Mul); }
  f32x4Div(): this { return this.simd(SIMD.f32x4Div); }
  f32x4Max(): this { return this.simd(SIMD.f32x4Max); }
  f32x4Sqrt(): this { return this.simd(SIMD.f32x4Sqrt); }
  f32x4Abs(): this { return this.simd(SIMD.f32x4Abs); }
  f32x4Neg(): this { return this.simd(SIMD.f32x4Neg); }
  /** Lane masks (all ones where true): a ≠ b, a < b, a > b. */
  f32x4Ne(): this { return this.simd(SIMD.f32x4Ne); }
  f32x4Lt(): this { return this.simd(SIMD.f32x4Lt); }
  f32x4Gt(): this { return this.simd(SIMD.f32x4Gt); }
  v128Or(): this { return this.simd(SIMD.v128Or); }
  /** Pops a, b, mask: bits of a where mask is 1, else of b. */
  v128Bitselect(): this { return this.simd(SIMD.v128Bitselect); }
  v128And(): this { return this.simd(SIMD.v128And); }
  /** 1 when any bit of the vector is set. */
  v128AnyTrue(): this { return this.simd(SIMD.v128AnyTrue); }
  /** Any 16 bytes as a vector constant (e.g. an i64 pattern splatted). */
  v128Const(bytes: readonly number[]): this {
    if (bytes.length !== 16) throw new Error(`v128Const: expected 16 bytes, got ${bytes.length}`);
    return this.simd(SIMD.const, ...bytes);
  }
  /** Two f32 at `offset` into lanes 0–1 of a zeroed vector, and lane 0 (64 bits) of a vector stored back. */
  load64Zero(offset = 0): this { return this.simd(SIMD.load64Zero, ...this.mem(3, offset)); }
  store64Lane0(offset = 0): this { return this.simd(SIMD.store64Lane, ...this.mem(3, offset), 0); }
  f64x2Splat(): this { return this.simd(SIMD.f64x2Splat); }
  /** f32 lanes 0–1 → f64x2 (exact), and f64x2 → f32 lanes 0–1, rounded to nearest even, lanes 2–3 zero. */
  f64x2PromoteLow(): this { return this.simd(SIMD.f64x2PromoteLow); }
  f32x4DemoteZero(): this { return this.simd(SIMD.f32x4DemoteZero); }
  f64x2Abs(): this { return this.simd(SIMD.f64x2Abs); }
  f64x2Neg(): this { return this.simd(SIMD.f64x2Neg); }
  f64x2Sqrt(): this { return this.simd(SIMD.f64x2Sqrt); }
  f64x2Add(): this { return this.simd(SIMD.f64x2Add); }
  f64x2Sub(): this { return this.simd(SIMD.f64x2Sub); }
  f64x2Mul(): this { return this.simd(SIMD.f64x2Mul); }
  f64x2Div(): this { return this.simd(SIMD.f64x2Div); }
  f64x2Trunc(): this { return this.simd(SIMD.f64x2Trunc); }
  /** Lane masks (all ones where true). */
  f64x2Eq(): this { return this.simd(SIMD.f64x2Eq); }
  f64x2Ne(): this { return this.simd(SIMD.f64x2Ne); }
  f64x2Lt(): this { return this.simd(SIMD.f64x2Lt); }
  f64x2Gt(): this { return this.simd(SIMD.f64x2Gt); }
  f64x2Ge(): this { return this.simd(SIMD.f64x2Ge); }
  /** f64x2 → i32 lanes 0–1 (truncated, saturating), lanes 2–3 zero; then lanes 0–1 sign-extended to i64x2. */
  i32x4TruncSatF64x2Zero(): this { return this.simd(SIMD.i32x4TruncSatF64x2Zero); }
  i64x2ExtendLowI32x4(): this { return this.simd(SIMD.i64x2ExtendLowI32x4); }
  /** Pops a vector and an i32 shift count. */
  i64x2Shl(): this { return this.simd(SIMD.i64x2Shl); }
  i64x2Add(): this { return this.simd(SIMD.i64x2Add); }

  /** Structured control: `body` runs with the label depth tracked, so br targets are relative. */
  block(body: () => void): this { return this.structured(0x02, body); }
  loop(body: () => void): this { return this.structured(0x03, body); }
  if(body: () => void, orElse?: () => void): this {
    this.op(0x04, 0x40);
    this.depth++;
    body();
    if (orElse) {
      this.op(0x05);
      orElse();
    }
    this.depth--;
    return this.op(0x0b);
  }
  private structured(opcode: number, body: () => void): this {
    this.op(opcode, 0x40); // empty block type
    this.depth++;
    body();
    this.depth--;
    return this.op(0x0b);
  }
  br(label: number): this { return this.op(0x0c, ...uleb(label)); }
  brIf(label: number): this { return this.op(0x0d, ...uleb(label)); }
  return(): this { return this.op(0x0f); }

  /**
   * `for (v = from; v < to; v += step) body()` with a signed i32 comparison; `from` and `to` each
   * push one i32 (`to` is re-evaluated every iteration). Inside `body`, label 1 exits the loop.
   */
  forLoop(v: number, from: () => void, to: () => void, step: number, body: () => void): this {
    from();
    this.set(v);
    return this.block(() => this.loop(() => {
      this.get(v);
      to();
      this.geS().brIf(1);
      body();
      this.get(v).i32(step).add().set(v).br(0);
    }));
  }

  /** The encoded body: locals (run-length grouped by type), instructions, end. */
  encode(): number[] {
    if (this.depth !== 0) throw new Error(`Code.encode: ${this.depth} unclosed block(s)`);
    const groups: number[][] = [];
    for (let i = 0; i < this.extra.length;) {
      let j = i;
      while (j < this.extra.length && this.extra[j] === this.extra[i]) j++;
      groups.push([...uleb(j - i), this.extra[i]!]);
      i = j;
    }
    const body = [...vec(groups), ...this.bytes, 0x0b];
    return [...uleb(body.length), ...body];
  }
}

export interface ExportedFn {
  name: string;
  code: Code;
}

/**
 * A module importing memory "env"."memory" (at least `minPages` 64 KiB pages) and exporting the
 * given functions in order (function index i = fns[i], for `call`). A custom "name" section
 * (function-names subsection, the same layout as a section) names each function after its export,
 * so that CPU profiles and stack traces show `silu_fwd` where they showed `wasm-function[0]`.
 */
export function moduleBytes(fns: readonly ExportedFn[], minPages = 1): Uint8Array<ArrayBuffer> {
  // One type per distinct signature.
  const sigs: string[] = [];
  const types: number[][] = [];
  const typeOf = fns.map(({ code }) => {
    const sig = `${code.params.join(',')}>${code.results.join(',')}`;
    let t = sigs.indexOf(sig);
    if (t < 0) {
      t = sigs.push(sig) - 1;
      types.push([0x60, ...vec(code.params.map((p) => [p])), ...vec(code.results.map((r) => [r]))]);
    }
    return t;
  });
  const name = (s: string): number[] => [...uleb(utf8(s).length), ...utf8(s)];
  // import kind 0x02 = memory, limits flag 0x00 = minimum only (growable without bound).
  const imports = vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(minPages)]]);
  const exports = vec(fns.map((fn, i) => [...name(fn.name), 0x00, ...uleb(i)]));
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
    ...section(1, vec(types)),
    ...section(2, imports),
    ...section(3, vec(typeOf.map((t) => uleb(t)))),
    ...section(7, exports),
    ...section(10, vec(fns.map(({ code }) => code.encode()))),
    ...section(0, [...name('name'), ...section(1, vec(fns.map((fn, i) => [...uleb(i), ...name(fn.name)])))]),
  ]);
}
