/**
 * The live RegNet-style task: search residual bottleneck CNNs (./regnet-space.ts) on the digits,
 * each candidate trained by our own engine and scored by validation accuracy (percent); its test
 * accuracy on the held-out part is recorded for protocol A/B reporting.
 *
 * The split is mnist-mlp's: the same seeded shuffle with the same validation and test sizes, so
 * both tasks are scored on exactly the same 2,500 + 2,500 held-out images; the training set is the
 * first `split.train` images of mnist-mlp's training part (all 5,000 by default). The defaults (two
 * epochs of Adam with a one-cycle learning rate peaking at 0.05), how they were chosen and what
 * they cost: README "The live CNN task" and results/ablations.md.
 */
import type { ChoiceArch } from '../spaces/choices.js';
import { splitDigits, type Digits, type DigitSplit, type SplitSizes } from './digits.js';
import { LiveOracle } from './live-oracle.js';
import { stringSeed } from './mnist-mlp.js';
import { RegNetDigitsSpace } from './regnet-space.js';
import { trainRegNetDigits } from './regnet-train.js';
import { LR_SCHEDULES, type LrSchedule } from './train-mlp.js';

export const MNIST_REGNET_DEFAULTS = {
  split: { train: 5000, val: 2500, test: 2500 } as SplitSizes,
  splitSeed: 0,
  downsample: 2,
  epochs: 2,
  batchSize: 64,
  lr: 0.05,
  schedule: 'onecycle' as LrSchedule,
  trainSeed: 0,
};

export type MnistRegNetOptions = Partial<typeof MNIST_REGNET_DEFAULTS>;

export interface RegNetTask {
  readonly space: RegNetDigitsSpace;
  readonly oracle: LiveOracle<ChoiceArch>;
  readonly dataset: string;
  readonly settings: typeof MNIST_REGNET_DEFAULTS;
  readonly data: DigitSplit;
}

export function mnistRegNetTask(digits: Digits, opts: MnistRegNetOptions = {}): RegNetTask {
  const defined = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
  const settings = { ...MNIST_REGNET_DEFAULTS, ...defined } as typeof MNIST_REGNET_DEFAULTS;
  for (const k of ['epochs', 'batchSize', 'downsample'] as const) {
    if (!Number.isInteger(settings[k]) || settings[k] < 1) throw new Error(`mnist-regnet: ${k} must be a positive integer, got ${settings[k]}`);
  }
  if (!(settings.lr > 0)) throw new Error(`mnist-regnet: lr must be positive, got ${settings.lr}`);
  if (!LR_SCHEDULES.includes(settings.schedule)) throw new Error(`mnist-regnet: schedule must be one of ${LR_SCHEDULES.join(', ')}, got '${settings.schedule}'`);
  const data = splitDigits(digits, settings.split, settings.splitSeed, settings.downsample);
  const side = Math.round(Math.sqrt(data.train.dim));
  const space = new RegNetDigitsSpace({ side });
  const evaluate = (arch: ChoiceArch) => {
    const t0 = performance.now();
    // Seeded by the network and the task seed only (as mnist-mlp): a cached, recorded or
    // recomputed result is the same number whichever search, seed or worker asked.
    const seed = (stringSeed(space.hash(arch)) ^ Math.imul(settings.trainSeed + 1, 0x9e3779b1)) >>> 0;
    const r = trainRegNetDigits(space.config(arch), data.train, [data.val, data.test], { epochs: settings.epochs, batchSize: settings.batchSize, lr: settings.lr, schedule: settings.schedule, seed });
    return { val: r.accuracies[0]!, test: r.accuracies[1]!, trainTime: (performance.now() - t0) / 1000 };
  };
  return { space, oracle: new LiveOracle('mnist-regnet', space, 'mnist', evaluate), dataset: 'mnist', settings, data };
}
