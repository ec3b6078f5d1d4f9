/**
 * Adam on the wasm backend (src/kernels/wasm/adam-kernel.ts, adam-state.ts): the parameters and
 * moments equal src/autograd/optim/optimizer.ts's JS loop bit for bit, over many steps, with L2
 * and decoupled weight decay, odd and tiny parameter sizes, steps that skip a parameter, a learning
 * rate that changes, and gradients of every magnitude; the moments follow the backend selection
 * when it changes mid-training and come back on dispose(); a memory handed back by one optimiser
 * and reused by the next holds none of the first one's moments.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/autograd/random.js';
import { Tensor } from '../src/autograd/tensor.js';
import { Adam, AdamW } from '../src/autograd/optim/index.js';
import { withBackend } from '../src/kernels/registry.js';
import { WASM_MIN_ELEMENTS, createWasmBackend } from '../src/kernels/wasm/index.js';

interface Plan {
  sizes: number[];
  steps: number;
  seed: number;
  decoupled: boolean;
  weightDecay: number;
  /** Backend per step ('js' or 'wasm'). */
  on: (step: number) => string;
}

/** Train parameters of `sizes` with gradients drawn per step; returns the final parameters. */
function train(p: Plan): number[][] {
  const rng = new Rng(p.seed);
  const params = p.sizes.map((n) => new Tensor(Float32Array.from({ length: n }, () => rng.normal() * 0.3), [n], true));
  const Opt = p.decoupled ? AdamW : Adam;
  const opt = new Opt(params, { lr: 0.01, weightDecay: p.weightDecay });
  const draw = new Rng(p.seed + 1);
  for (let s = 0; s < p.steps; s++) {
    params.forEach((t, i) => {
      // Every third step skips the last parameter (no gradient: Adam leaves it alone).
      if (i === params.length - 1 && s % 3 === 2) { t.grad = null; return; }
      const scale = [1e-30, 1e-6, 1, 1e3][(s + i) % 4]!; // denormal-range moments included
      t.grad = new Tensor(Float32Array.from({ length: t.size }, (_, k) => (k % 7 === 0 ? 0 : draw.normal() * scale)), [t.size]);
    });
    opt.lr = 0.01 * (1 + (s % 5) / 10);
    withBackend(p.on(s), () => opt.step());
    params.forEach((t) => (t.gradApplied = false));
  }
  opt.dispose();
  return params.map((t) => Array.from(t.data));
}

const be = createWasmBackend();

describe('Adam on the wasm backend', () => {
  it('equals the JS loop bit for bit (sizes odd and even, L2 and decoupled decay, skipped parameters)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 4 }),
        fc.nat(1000),
        fc.boolean(),
        fc.constantFrom(0, 1e-4, 0.1),
        (sizes, seed, decoupled, weightDecay) => {
          // One more parameter, so that the optimiser's total reaches the backend's threshold.
          const base = { sizes: [...sizes, WASM_MIN_ELEMENTS], steps: 9, seed, decoupled, weightDecay };
          expect(train({ ...base, on: () => 'wasm' })).toEqual(train({ ...base, on: () => 'js' }));
        },
      ),
      { numRuns: 40, seed: 11 },
    );
  });

  it('both paths give the textbook update (bias-corrected moments in Float64, L2 or decoupled decay)', () => {
    for (const decoupled of [false, true]) {
      const base = { sizes: [1500, 7], steps: 12, seed: 21, decoupled, weightDecay: 0.05 };
      // Kingma & Ba's Adam written out here, step by step, with the draws train() makes.
      const rng = new Rng(base.seed), draw = new Rng(base.seed + 1);
      const w = base.sizes.map((n) => Float32Array.from({ length: n }, () => rng.normal() * 0.3));
      const m = base.sizes.map((n) => new Float64Array(n)), v = base.sizes.map((n) => new Float64Array(n));
      for (let s = 0; s < base.steps; s++) {
        const lr = 0.01 * (1 + (s % 5) / 10), t = s + 1;
        w.forEach((wi, i) => {
          if (i === w.length - 1 && s % 3 === 2) return;
          const scale = [1e-30, 1e-6, 1, 1e3][(s + i) % 4]!;
          const g = Float32Array.from({ length: wi.length }, (_, k) => (k % 7 === 0 ? 0 : draw.normal() * scale));
          for (let k = 0; k < wi.length; k++) {
            const gk = g[k]! + (decoupled ? 0 : base.weightDecay) * wi[k]!;
            m[i]![k] = 0.9 * m[i]![k]! + (1 - 0.9) * gk;
            v[i]![k] = 0.999 * v[i]![k]! + (1 - 0.999) * gk * gk;
            const shrunk = wi[k]! * (decoupled ? 1 - lr * base.weightDecay : 1);
            wi[k] = shrunk - (lr / (1 - 0.9 ** t)) * m[i]![k]! / (Math.sqrt(v[i]![k]! / (1 - 0.999 ** t)) + 1e-8);
          }
        });
      }
      const want = w.map((a) => Array.from(a));
      expect(train({ ...base, on: () => 'js' }), `js, decoupled ${decoupled}`).toEqual(want);
      expect(train({ ...base, on: () => 'wasm' }), `wasm, decoupled ${decoupled}`).toEqual(want);
    }
  });

  it('the moments follow the backend selection step by step, and auto takes wasm', () => {
    const base = { sizes: [1025, 3, 2048], steps: 24, seed: 4, decoupled: false, weightDecay: 1e-3 };
    const js = train({ ...base, on: () => 'js' });
    expect(train({ ...base, on: (s) => (s < 5 || (s >= 11 && s < 17) ? 'wasm' : 'js') })).toEqual(js);
    expect(train({ ...base, on: () => 'auto' })).toEqual(js);
  });

  it('an optimiser reusing a handed-back memory starts from zero moments; float64 parameters stay on the JS loop', () => {
    const base = { sizes: [2000, 501], steps: 6, seed: 9, decoupled: true, weightDecay: 0.01 };
    const want = train({ ...base, on: () => 'js' });
    for (let k = 0; k < 6; k++) expect(train({ ...base, on: () => 'wasm' })).toEqual(want);
    // Float64 parameters: the Float32 kernel would round them; they must get the JS loop's Float64.
    const f64 = (on: string) => {
      const w = new Tensor(Float64Array.from({ length: 2048 }, (_, i) => Math.sin(i)), [2048], true);
      const opt = new Adam([w], { lr: 0.1 });
      for (let s = 0; s < 3; s++) {
        w.grad = new Tensor(Float64Array.from({ length: 2048 }, (_, i) => Math.cos(i * (s + 1)) / 3), [2048]);
        withBackend(on, () => opt.step());
        w.gradApplied = false;
      }
      return Array.from(w.data);
    };
    expect(f64('wasm')).toEqual(f64('js'));
  });

  it("the backend's state checks its arguments and refuses use after release", () => {
    const s = be.adam!.state([4, 3]);
    const k = { b1: 0.9, b2: 0.999, a1: 0.1, a2: 0.001, l2: 0, decay: 1, step: 0.1, c2: 0.001, eps: 1e-8 };
    expect(() => s.update(1, new Float32Array(4), new Float32Array(4), k)).toThrow('wasm adam: parameter 1 has 3 elements, got arrays of 4, 4');
    expect(() => s.update(2, new Float32Array(3), new Float32Array(3), k)).toThrow('parameter 2 has no elements');
    s.write(0, new Float64Array(4).fill(7), new Float64Array(4).fill(8));
    s.release();
    expect(() => s.read(0, new Float64Array(4), new Float64Array(4))).toThrow('wasm adam: state used after release()');
    // The next state takes the handed-back memory: its moments start at zero all the same.
    const again = be.adam!.state([4, 3]);
    const m = new Float64Array(4).fill(1), v = new Float64Array(4).fill(1);
    again.read(0, m, v);
    expect([...m, ...v]).toEqual(new Array(8).fill(0));
    again.release();
  });
});
