/**
 * MD5 (RFC 1321) over bytes, written for the NAS-Bench-101 graph hash: core code may not use
 * Node's crypto, and the hash needs ~60 digests of short ASCII strings per cell, so this works
 * on preallocated byte buffers and writes the lower-case hex digest straight into another buffer
 * (the next round of the graph hash concatenates hex digests, never raw ones).
 *
 * MD5 is used here only as NAS-Bench-101's fingerprint function, not for anything security related.
 */

/** Per-step left-rotation amounts, four per round. */
const SHIFT = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
/** K[i] = floor(|sin(i + 1)| · 2^32), the RFC's table (checked by the test vectors in the tests). */
const K = Int32Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0);
const HEX = new TextEncoder().encode('0123456789abcdef');

const words = new Int32Array(16);
const tail = new Uint8Array(128);
const state = new Int32Array(4);

/** Compress one 64-byte block of `buf` starting at `p` into `state`. */
function block(buf: Uint8Array, p: number): void {
  for (let j = 0; j < 16; j++, p += 4) words[j] = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
  let a = state[0]!, b = state[1]!, c = state[2]!, d = state[3]!;
  // Four rounds of 16 steps, each with its own mixing function and message-word order.
  for (let i = 0; i < 64; i++) {
    let f: number, g: number;
    if (i < 16) {
      f = (b & c) | (~b & d);
      g = i;
    } else if (i < 32) {
      f = (d & b) | (~d & c);
      g = (5 * i + 1) & 15;
    } else if (i < 48) {
      f = b ^ c ^ d;
      g = (3 * i + 5) & 15;
    } else {
      f = c ^ (b | ~d);
      g = (7 * i) & 15;
    }
    const t = (f + a + K[i]! + words[g]!) | 0;
    const s = SHIFT[((i >> 4) << 2) | (i & 3)]!;
    a = d;
    d = c;
    c = b;
    b = (b + ((t << s) | (t >>> (32 - s)))) | 0;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
}

/**
 * MD5 of `src[0 .. len)`; writes the 32-character lower-case hex digest (as ASCII bytes) to
 * `out[outAt .. outAt + 32)`.
 */
export function md5HexInto(src: Uint8Array, len: number, out: Uint8Array, outAt: number): void {
  state[0] = 0x67452301;
  state[1] = 0xefcdab89 | 0;
  state[2] = 0x98badcfe | 0;
  state[3] = 0x10325476;
  const full = len & ~63;
  for (let p = 0; p < full; p += 64) block(src, p);
  // Padding: 0x80, zeros to 56 mod 64, then the bit length as a 64-bit little-endian integer.
  const rest = len - full;
  const tailLen = rest < 56 ? 64 : 128;
  // Byte loops, not fill/set(subarray): an allocation per digest costs as much as the digest.
  for (let k = 0; k < rest; k++) tail[k] = src[full + k]!;
  tail[rest] = 0x80;
  for (let k = rest + 1; k < tailLen; k++) tail[k] = 0;
  const bits = len * 8;
  for (let k = 0; k < 4; k++) tail[tailLen - 8 + k] = (bits >>> (8 * k)) & 0xff;
  const high = Math.floor(bits / 2 ** 32);
  for (let k = 0; k < 4; k++) tail[tailLen - 4 + k] = (high >>> (8 * k)) & 0xff;
  block(tail, 0);
  if (tailLen === 128) block(tail, 64);
  let o = outAt;
  for (let w = 0; w < 4; w++) {
    const v = state[w]!;
    for (let k = 0; k < 4; k++) {
      const byte = (v >>> (8 * k)) & 0xff;
      out[o++] = HEX[byte >>> 4]!;
      out[o++] = HEX[byte & 15]!;
    }
  }
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** MD5 hex digest of a string's UTF-8 bytes (convenience; the graph hash uses md5HexInto). */
export function md5Hex(s: string): string {
  const bytes = enc.encode(s);
  const out = new Uint8Array(32);
  md5HexInto(bytes, bytes.length, out, 0);
  return dec.decode(out);
}
