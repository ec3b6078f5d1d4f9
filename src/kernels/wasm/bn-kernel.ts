/**
 * Batch normalisation's passes over [N, C, S] Float32 data on the wasm backend, emitted by
 * ./emit.ts. Each is the loop of src/autograd/batchnorm.ts written in Float64 scalars in the same
 * order (channel by channel, then n, then the S values of a row), with the same operations and one
 * rounding to float32 where JS stores into a Float32Array: the results are equal bit for bit (no
 * SIMD: f64x2 lanes would reorder the sums).
 *
 * Exports (pointers in bytes; per-channel vectors are Float64):
 *   chan_sums(a, b, nu, mu, out, N, C, S)  out[2c] = Σ a, out[2c+1] = Σ (a − ν_c)·(b − μ_c)
 *                                          (batch statistics: a = b = x; the backward: a = g, b = x, ν = 0)
 *   bn_fwd(x, out, coef, N, C, S)          out = x·coef[2c] + coef[2c+1]
 *   bn_dx(g, x, dx, coef, N, C, S)         dx = k·((g − m_g) − (x − μ)·m_gx), coef[4c..] = k, m_g, μ, m_gx
 */
import { Code, F64, I32, type ExportedFn } from './emit.js';

/**
 * for c < C: perChannel(c); for n < N: for the S floats of row (n, c) at byte offset `at`: perElement(at).
 * `afterChannel` runs once the channel's rows are done.
 */
function channelLoops(c: Code, [N, C, S]: readonly number[], perChannel: (ch: number) => void, perElement: (at: number) => void, afterChannel?: (ch: number) => void): void {
  const ch = c.local(I32), n = c.local(I32), at = c.local(I32), end = c.local(I32);
  c.forLoop(ch, () => c.i32(0), () => c.get(C!), 1, () => {
    perChannel(ch);
    c.forLoop(n, () => c.i32(0), () => c.get(N!), 1, () => {
      c.get(n).get(C!).mul().get(ch).add().get(S!).mul().i32(4).mul().tee(at).get(S!).i32(4).mul().add().set(end);
      c.block(() => c.loop(() => {
        c.get(at).get(end).geS().brIf(1);
        perElement(at);
        c.get(at).i32(4).add().set(at).br(0);
      }));
    });
    afterChannel?.(ch);
  });
}

/** Push f64(ptr[at]) for a float32 array at `ptr`. */
const promoted = (c: Code, ptr: number, at: number): Code => c.get(ptr).get(at).add().f32Load().f64PromoteF32();

/**
 * Two channels per sweep (c and c2 = min(c + 1, C − 1), S floats apart in every row): four
 * independent addition chains instead of two, so the adds' latency overlaps, while each channel
 * still sums in its own order. With C odd the last sweep computes channel C − 1 twice.
 */
function chanSums(): Code {
  const [a, b, nu, mu, out, N, C, S] = [0, 1, 2, 3, 4, 5, 6, 7];
  const c = new Code([I32, I32, I32, I32, I32, I32, I32, I32]);
  const ch = c.local(I32), ch2 = c.local(I32), n = c.local(I32), at = c.local(I32), end = c.local(I32), d = c.local(I32);
  const acc = [c.local(F64), c.local(F64), c.local(F64), c.local(F64)];
  const vn = [c.local(F64), c.local(F64)], vm = [c.local(F64), c.local(F64)], av = c.local(F64);
  c.forLoop(ch, () => c.i32(0), () => c.get(C), 2, () => {
    c.get(ch).i32(1).add().tee(ch2).get(C).i32(1).sub().get(ch2).get(C).ltS().select().set(ch2);
    c.get(ch2).get(ch).sub().get(S).mul().i32(4).mul().set(d);
    for (const l of acc) c.f64(0).set(l);
    [ch, ch2].forEach((k, j) => {
      c.get(nu).get(k).i32(8).mul().add().f64Load().set(vn[j]!);
      c.get(mu).get(k).i32(8).mul().add().f64Load().set(vm[j]!);
    });
    c.forLoop(n, () => c.i32(0), () => c.get(N), 1, () => {
      c.get(n).get(C).mul().get(ch).add().get(S).mul().i32(4).mul().tee(at).get(S).i32(4).mul().add().set(end);
      c.block(() => c.loop(() => {
        c.get(at).get(end).geS().brIf(1);
        for (let j = 0; j < 2; j++) {
          const s1 = acc[2 * j]!, s2 = acc[2 * j + 1]!;
          const addr = (ptr: number): Code => (j === 0 ? c.get(ptr).get(at).add() : c.get(ptr).get(at).add().get(d).add());
          addr(a).f32Load().f64PromoteF32().tee(av).get(s1).f64Add().set(s1);
          c.get(s2).get(av).get(vn[j]!).f64Sub();
          addr(b).f32Load().f64PromoteF32().get(vm[j]!).f64Sub().f64Mul().f64Add().set(s2);
        }
        c.get(at).i32(4).add().set(at).br(0);
      }));
    });
    [ch, ch2].forEach((k, j) => {
      c.get(out).get(k).i32(16).mul().add().get(acc[2 * j]!).f64Store();
      c.get(out).get(k).i32(16).mul().add().get(acc[2 * j + 1]!).f64Store(8);
    });
  });
  return c;
}

function bnForward(): Code {
  const [x, out, coef, N, C, S] = [0, 1, 2, 3, 4, 5];
  const c = new Code([I32, I32, I32, I32, I32, I32]);
  const scale = c.local(F64), shift = c.local(F64);
  channelLoops(c, [N, C, S], (ch) => {
    c.get(coef).get(ch).i32(16).mul().add().f64Load().set(scale);
    c.get(coef).get(ch).i32(16).mul().add().f64Load(8).set(shift);
  }, (at) => {
    c.get(out).get(at).add();
    promoted(c, x, at).get(scale).f64Mul().get(shift).f64Add().f32DemoteF64().f32Store();
  });
  return c;
}

function bnDx(): Code {
  const [g, x, dx, coef, N, C, S] = [0, 1, 2, 3, 4, 5, 6];
  const c = new Code([I32, I32, I32, I32, I32, I32, I32]);
  const [k, mg, mu, mgx] = [c.local(F64), c.local(F64), c.local(F64), c.local(F64)];
  channelLoops(c, [N, C, S], (ch) => {
    [k, mg, mu, mgx].forEach((l, i) => c.get(coef).get(ch).i32(32).mul().add().f64Load(8 * i).set(l));
  }, (at) => {
    c.get(dx).get(at).add().get(k);
    promoted(c, g, at).get(mg).f64Sub();
    promoted(c, x, at).get(mu).f64Sub().get(mgx).f64Mul().f64Sub().f64Mul().f32DemoteF64().f32Store();
  });
  return c;
}

export function batchNormFunctions(): ExportedFn[] {
  return [
    { name: 'chan_sums', code: chanSums() },
    { name: 'bn_fwd', code: bnForward() },
    { name: 'bn_dx', code: bnDx() },
  ];
}
