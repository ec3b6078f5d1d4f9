/**
 * The live MNIST task: search small MLPs (./mlp-space.ts) on handwritten digits, each candidate
 * trained by our own engine on a fixed seeded split and scored by validation accuracy (percent);
 * its test accuracy on a disjoint held-out part is recorded for protocol A/B reporting.
 *
 * Defaults (measured on a 2-vCPU machine, see README "Live demo and browser"): 14×14 inputs
 * (2×2 average pooling), 5,000 training / 2,500 validation / 2,500 test images, 3 epochs of Adam
 * with batch 64. A 196-64-10 network trains in ~0.5 s and reaches ~92 % validation accuracy; the
 * largest (4 × 256, outside the demo's 50k-parameter budget) takes ~5 s.
 */
import type { ChoiceArch } from '../spaces/choices.js';
import { splitDigits, type Digits, type DigitSplit, type SplitSizes } from './digits.js';
import { LiveOracle } from './live-oracle.js';
import { MlpSpace } from './mlp-space.js';
import { trainMlp } from './train-mlp.js';

export const MNIST_MLP_DEFAULTS = {
  split: { train: 5000, val: 2500, test: 2500 } as SplitSizes,
  splitSeed: 0,
  downsample: 2,
  epochs: 3,
  batchSize: 64,
  trainSeed: 0,
};

export type MnistMlpOptions = Partial<typeof MNIST_MLP_DEFAULTS>;

export interface LiveTask<A> {
  readonly space: MlpSpace;
  readonly oracle: LiveOracle<A>;
  readonly dataset: string;
  /** The settings in force (defaults filled in), for result records. */
  readonly settings: typeof MNIST_MLP_DEFAULTS;
  readonly data: DigitSplit;
}

/** FNV-1a of a string: a stable per-architecture seed component, identical in every runtime. */
export function stringSeed(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function mnistMlpTask(digits: Digits, opts: MnistMlpOptions = {}): LiveTask<ChoiceArch> {
  const defined = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
  const settings = { ...MNIST_MLP_DEFAULTS, ...defined } as typeof MNIST_MLP_DEFAULTS;
  for (const k of ['epochs', 'batchSize', 'downsample'] as const) {
    if (!Number.isInteger(settings[k]) || settings[k] < 1) throw new Error(`mnist-mlp: ${k} must be a positive integer, got ${settings[k]}`);
  }
  const data = splitDigits(digits, settings.split, settings.splitSeed, settings.downsample);
  const space = new MlpSpace({ inputs: data.train.dim, classes: 10 });
  const evaluate = (arch: ChoiceArch) => {
    const t0 = performance.now();
    // The training seed depends on the network and the task seed only, never on which search
    // asked or when: a cached, recorded or recomputed result is always the same number.
    const seed = (stringSeed(space.hash(arch)) ^ Math.imul(settings.trainSeed + 1, 0x9e3779b1)) >>> 0;
    const r = trainMlp(space.config(arch), data.train, [data.val, data.test], { epochs: settings.epochs, batchSize: settings.batchSize, seed });
    return { val: r.accuracies[0]!, test: r.accuracies[1]!, trainTime: (performance.now() - t0) / 1000 };
  };
  return { space, oracle: new LiveOracle('mnist-mlp', space, 'mnist', evaluate), dataset: 'mnist', settings, data };
}
