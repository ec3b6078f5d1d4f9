/**
 * Smallest end-to-end use of the engine: fit y = sin(3x₀)·x₁ with an MLP, then use the input
 * gradient (what PredNAS's ascent does) to climb the trained model from a starting point.
 * Run: npm run example
 */
import { Adam, MLP, Rng, mseLoss, tensor, valueAndGrad, type Tensor } from '../src/autograd/index.js';

const rng = new Rng(0);
const n = 256;
const xs: number[] = [], ys: number[] = [];
for (let i = 0; i < n; i++) {
  const a = rng.uniform(-1, 1), b = rng.uniform(-1, 1);
  xs.push(a, b);
  ys.push(Math.sin(3 * a) * b);
}
const X = tensor(xs, [n, 2]), Y = tensor(ys, [n, 1]);

const model = new MLP([2, 64, 64, 1], { rng: new Rng(1), activation: 'silu' });
const opt = new Adam(model.parameters(), { lr: 0.01 });
for (let step = 0; step <= 400; step++) {
  opt.zeroGrad();
  const loss = mseLoss(model.forward(X), Y);
  loss.backward();
  opt.step();
  if (step % 100 === 0) console.log(`step ${String(step).padStart(3)}  train MSE ${loss.item().toFixed(5)}`);
}

// Gradient ascent on the input, as the architecture search does on relaxed encodings.
model.eval();
const score = (x: Tensor) => model.forward(x).sum();
let x = tensor([[0.1, 0.1]]);
for (let step = 0; step < 100; step++) {
  const { grads } = valueAndGrad(score)(x);
  const next = x.add(grads[0]!.mul(0.05)).toArray().map((v) => Math.max(-1, Math.min(1, v)));
  x = tensor(next, [1, 2]);
}
const [a, b] = x.toArray() as [number, number];
console.log(`ascent ended at x = (${a.toFixed(3)}, ${b.toFixed(3)}): model ${model.forward(x).item().toFixed(3)}, true ${(Math.sin(3 * a) * b).toFixed(3)} (max of the true function is 1 at (0.524, 1))`);
