/** The same GCN workload in TensorFlow.js (mirrors ../shared/peers/bench_gcn_tfjs.mjs). */
import type { GcnCommon } from './gcn-ours.js';
import type { Tf } from './tfjs.js';

type T = ReturnType<Tf['tensor']>;

export function setupTfjs(tf: Tf, common: GcnCommon) {
  const cfg = common.CFG;
  const { batch: B, nodes: n, feat: F, candidates: C } = cfg;
  const { X, A, y } = common.makeData();
  const forward = (P: T[], Xt: T, Ahat: T): T => {
    let H = Xt;
    const bs = Xt.shape[0]!;
    for (let l = 0; l < cfg.layers; l++) {
      const fin = H.shape[2]!;
      const HW = tf.reshape(tf.matMul(tf.reshape(H, [bs * n, fin]), P[2 * l]!), [bs, n, cfg.hidden]);
      H = tf.relu(tf.add(tf.matMul(Ahat, HW), P[2 * l + 1]!));
    }
    const g = tf.mean(H, 1);
    const L = 2 * cfg.layers;
    const h = tf.relu(tf.add(tf.matMul(g, P[L]!), P[L + 1]!));
    return tf.reshape(tf.add(tf.matMul(h, P[L + 2]!), P[L + 3]!), [bs]);
  };
  const P = common.makeWeights().map((w) => tf.variable(tf.tensor(w.data, w.shape), true));
  const Xt = tf.tensor3d(X.subarray(0, B * n * F), [B, n, F]);
  const At = tf.tensor3d(common.normAdj(A, cfg.samples, n).subarray(0, B * n * n), [B, n, n]);
  const yt = tf.tensor1d(y.subarray(0, B));
  const opt = tf.train.adam(cfg.lr, 0.9, 0.999, 1e-8);
  const lossFn = (): ReturnType<Tf['scalar']> => tf.mean(tf.square(tf.sub(forward(P, Xt, At), yt)));
  const initLoss = tf.tidy(() => lossFn().dataSync()[0]!);
  const cand = common.makeCandidates();
  return {
    initLoss,
    step(): void {
      opt.minimize(lossFn, false, P);
    },
    ascent() {
      const opL = tf.variable(tf.tensor3d(cand.opLogits, [C, n, F]), true);
      const adjL = tf.variable(tf.tensor3d(cand.adjLogits, [C, n, n]), true);
      const mask = tf.tensor3d(cand.mask, [1, n, n]);
      const eye = tf.reshape(tf.eye(n), [1, n, n]);
      const aopt = tf.train.adam(cfg.ascentLr, 0.9, 0.999, 1e-8);
      const obj = (): ReturnType<Tf['scalar']> => {
        const Xs = tf.softmax(opL);
        const Am = tf.mul(tf.sigmoid(adjL), mask);
        const As = tf.add(tf.add(Am, tf.transpose(Am, [0, 2, 1])), eye);
        return tf.neg(tf.sum(forward(P, Xs, tf.div(As, tf.sum(As, 2, true))))) as ReturnType<Tf['scalar']>;
      };
      return {
        run(steps: number): void {
          for (let i = 0; i < steps; i++) aopt.minimize(obj, false, [opL, adjL]);
        },
        score: (): number => tf.tidy(() => -obj().dataSync()[0]! / C),
        dispose(): void {
          opL.dispose(); adjL.dispose(); mask.dispose(); eye.dispose(); aopt.dispose();
        },
      };
    },
  };
}
