/**
 * Each Adam optimiser's moments in a wasm memory of their own, updated by ./adam-kernel.ts. The
 * moments stay there between steps: per step only a parameter and its gradient are copied in and
 * the parameter out (copying the Float64 moments too would cost about what the f64x2 lanes save).
 * A released state's memory — released explicitly, or once the state is garbage-collected —
 * serves the next optimiser, so a loop that builds an optimiser per fit does not build a memory
 * per fit.
 */
import type { AdamState, AdamStep } from '../backend.js';
import { wasmAdamModuleBytes } from './adam-kernel.js';

type AdamFn = (w: number, g: number, m: number, v: number, pairs: number, b1: number, b2: number, a1: number, a2: number, l2: number, decay: number, step: number, c2: number, eps: number) => void;

interface Instance {
  readonly memory: WebAssembly.Memory;
  readonly adam: AdamFn;
}

const PAGE = 65536;
/** Released memories kept for later optimisers (a fit loop holds one optimiser at a time). */
const SPARE_MAX = 4;

export function adamStates(wasm: typeof WebAssembly): { state(sizes: readonly number[]): AdamState } {
  let module: WebAssembly.Module | null = null;
  const spare: Instance[] = [];
  const giveBack = (inst: Instance): void => {
    if (spare.length < SPARE_MAX) spare.push(inst);
  };
  const collected = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<Instance>(giveBack) : null;

  function instance(bytes: number): Instance {
    let inst = spare.pop();
    if (inst === undefined) {
      module ??= new wasm.Module(wasmAdamModuleBytes());
      const memory = new wasm.Memory({ initial: Math.max(1, Math.ceil(bytes / PAGE)) });
      inst = { memory, adam: new wasm.Instance(module, { env: { memory } }).exports.adam as AdamFn };
    }
    const have = inst.memory.buffer.byteLength;
    if (bytes > have) inst.memory.grow(Math.ceil((bytes - have) / PAGE));
    return inst;
  }

  function state(sizes: readonly number[]): AdamState {
    // Per parameter its m and v (whole pairs of float64), then staging for the largest w and g.
    const pairs = sizes.map((n) => Math.ceil(n / 2));
    const mAt: number[] = [], vAt: number[] = [];
    let top = 0;
    for (const p of pairs) {
      mAt.push(top);
      vAt.push(top + 16 * p);
      top += 32 * p;
    }
    const most = Math.max(0, ...pairs);
    const wAt = top, gAt = top + 8 * most;
    top = gAt + 8 * most;
    const inst = instance(top);
    // A reused memory holds an earlier optimiser's moments; the pad lane of an odd-sized
    // parameter must also stay zero (it then computes exact zeros).
    new Uint8Array(inst.memory.buffer, 0, top).fill(0);
    const f32 = new Float32Array(inst.memory.buffer), f64 = new Float64Array(inst.memory.buffer);
    let released = false;
    // Two arrays per call, named: a rest parameter would allocate on every parameter of every step.
    const check = (i: number, a: ArrayLike<number>, b: ArrayLike<number>): number => {
      if (released) throw new Error('wasm adam: state used after release()');
      const n = sizes[i];
      if (n === undefined || a.length !== n || b.length !== n) {
        throw new Error(`wasm adam: parameter ${i} has ${n ?? 'no'} elements, got arrays of ${a.length}, ${b.length}`);
      }
      return n;
    };
    const s: AdamState = {
      update(i: number, w: Float32Array, g: Float32Array, k: AdamStep): void {
        const n = check(i, w, g);
        f32.set(w, wAt >> 2);
        f32.set(g, gAt >> 2);
        if (n % 2 === 1) f32[(wAt >> 2) + n] = f32[(gAt >> 2) + n] = 0;
        inst.adam(wAt, gAt, mAt[i]!, vAt[i]!, pairs[i]!, k.b1, k.b2, k.a1, k.a2, k.l2, k.decay, k.step, k.c2, k.eps);
        w.set(f32.subarray(wAt >> 2, (wAt >> 2) + n));
      },
      read(i: number, m: Float64Array, v: Float64Array): void {
        const n = check(i, m, v);
        m.set(f64.subarray(mAt[i]! >> 3, (mAt[i]! >> 3) + n));
        v.set(f64.subarray(vAt[i]! >> 3, (vAt[i]! >> 3) + n));
      },
      write(i: number, m: Float64Array, v: Float64Array): void {
        check(i, m, v);
        f64.set(m, mAt[i]! >> 3);
        f64.set(v, vAt[i]! >> 3);
      },
      release(): void {
        if (released) return;
        released = true;
        collected?.unregister(s);
        giveBack(inst);
      },
    };
    collected?.register(s, inst, s);
    return s;
  }

  return { state };
}
