/**
 * The peer GCN predictor workload (../shared/peers/gcn_common.mjs) on our autograd engine:
 * the same data, weights, candidates and model as bench_gcn_tfjs.mjs, op for op.
 */
import {
  Adam, add, div, matmul, mean, mul, neg, relu, reshape, sigmoid, softmax, sub, sum, tensor, transpose, type Tensor,
} from '../../src/autograd/index.js';

export interface GcnCommon {
  CFG: { samples: number; batch: number; nodes: number; feat: number; hidden: number; layers: number; lr: number; candidates: number; ascentSteps: number; ascentLr: number };
  makeData(): { X: Float32Array; A: Float32Array; y: Float32Array };
  normAdj(A: Float32Array, S: number, n: number): Float32Array;
  makeWeights(): { shape: number[]; data: Float32Array }[];
  makeCandidates(): { opLogits: Float32Array; adjLogits: Float32Array; mask: Float32Array };
  flopCounts(): { fwdTrain: number; train: number; ascent: number };
}

export function forward(cfg: GcnCommon['CFG'], P: readonly Tensor[], X: Tensor, Ahat: Tensor): Tensor {
  const bs = X.shape[0]!, n = cfg.nodes;
  let H = X;
  for (let l = 0; l < cfg.layers; l++) {
    const fin = H.shape[2]!;
    const HW = reshape(matmul(reshape(H, [bs * n, fin]), P[2 * l]!), [bs, n, cfg.hidden]);
    H = relu(add(matmul(Ahat, HW), P[2 * l + 1]!));
  }
  const g = mean(H, 1);
  const L = 2 * cfg.layers;
  const h = relu(add(matmul(g, P[L]!), P[L + 1]!));
  return reshape(add(matmul(h, P[L + 2]!), P[L + 3]!), [bs]);
}

export function setupTraining(common: GcnCommon) {
  const cfg = common.CFG;
  const { batch: B, nodes: n, feat: F } = cfg;
  const { X, A, y } = common.makeData();
  const Xt = tensor(X.subarray(0, B * n * F), [B, n, F]);
  const At = tensor(common.normAdj(A, cfg.samples, n).subarray(0, B * n * n), [B, n, n]);
  const yt = tensor(y.subarray(0, B), [B]);
  const P = common.makeWeights().map((w) => tensor(Float32Array.from(w.data), w.shape, { requiresGrad: true }));
  const opt = new Adam(P, { lr: cfg.lr, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
  const loss = (): Tensor => {
    const d = sub(forward(cfg, P, Xt, At), yt);
    return mean(mul(d, d));
  };
  const initLoss = loss().item();
  return {
    P, initLoss,
    step(): number {
      opt.zeroGrad();
      const l = loss();
      l.backward();
      opt.step();
      return l.item();
    },
    loss: () => loss().item(),
  };
}

/** Input-gradient ascent on relaxed candidates; the predictor's weights are constants here. */
export function setupAscent(common: GcnCommon, weights: readonly Tensor[]) {
  const cfg = common.CFG;
  const { candidates: C, nodes: n, feat: F } = cfg;
  const cand = common.makeCandidates();
  const P = weights.map((w) => w.detach());
  const opL = tensor(Float32Array.from(cand.opLogits), [C, n, F], { requiresGrad: true });
  const adjL = tensor(Float32Array.from(cand.adjLogits), [C, n, n], { requiresGrad: true });
  const mask = tensor(cand.mask, [1, n, n]);
  const eye = tensor(Float32Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0)), [1, n, n]);
  const opt = new Adam([opL, adjL], { lr: cfg.ascentLr, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
  const objective = (): Tensor => {
    const Xs = softmax(opL);
    const Am = mul(sigmoid(adjL), mask);
    const As = add(add(Am, transpose(Am, 1, 2)), eye);
    const Ahat = div(As, sum(As, 2, true));
    return neg(sum(forward(cfg, P, Xs, Ahat)));
  };
  return {
    run(steps: number): void {
      for (let i = 0; i < steps; i++) {
        opt.zeroGrad();
        objective().backward();
        opt.step();
      }
    },
    score: (): number => -objective().item() / C,
  };
}
