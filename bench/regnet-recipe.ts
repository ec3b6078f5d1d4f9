/**
 * Training recipes for the mnist-regnet task's candidates, side by side: each variant trains the
 * same random valid networks under a FLOPs cap (same initialisations and data order per network)
 * and reports mean validation accuracy and CPU seconds per candidate. It chose the task's
 * defaults (results/ablations.md); the test images are never looked at.
 *   npx tsx bench/regnet-recipe.ts [--archs 8] [--flops 300000] [--seed 123]
 */
import { parseArgs } from 'node:util';
import { Rng } from '../src/autograd/random.js';
import { loadMnistDigits } from '../src/io/mnist.js';
import { setBackend } from '../src/kernels/registry.js';
import { splitDigits } from '../src/nas/tasks/digits.js';
import { MNIST_REGNET_DEFAULTS } from '../src/nas/tasks/mnist-regnet.js';
import { RegNetDigitsSpace, regnetDigitsCost } from '../src/nas/tasks/regnet-space.js';
import { trainRegNetDigits } from '../src/nas/tasks/regnet-train.js';
import type { LrSchedule } from '../src/nas/tasks/train-mlp.js';

const { values } = parseArgs({ options: { archs: { type: 'string', default: '8' }, flops: { type: 'string', default: '300000' }, seed: { type: 'string', default: '123' } } });
setBackend('auto');
interface Variant { train: number; epochs: number; lr: number; schedule: LrSchedule }
const VARIANTS: Record<string, Variant> = {
  'previous default (2k×3, 0.01 constant)': { train: 2000, epochs: 3, lr: 0.01, schedule: 'constant' },
  '2k×3, one-cycle 0.05': { train: 2000, epochs: 3, lr: 0.05, schedule: 'onecycle' },
  '5k×2, 0.01 constant': { train: 5000, epochs: 2, lr: 0.01, schedule: 'constant' },
  '5k×2, one-cycle 0.05 (default)': { train: 5000, epochs: 2, lr: 0.05, schedule: 'onecycle' },
  '5k×2, one-cycle 0.1': { train: 5000, epochs: 2, lr: 0.1, schedule: 'onecycle' },
  '5k×3, one-cycle 0.05': { train: 5000, epochs: 3, lr: 0.05, schedule: 'onecycle' },
};
const digits = loadMnistDigits();
const space = new RegNetDigitsSpace({ side: 14 });
const rng = new Rng(Number(values.seed));
const archs = [];
while (archs.length < Number(values.archs)) {
  const a = space.sample(rng);
  if (regnetDigitsCost(space.config(a)).flops <= Number(values.flops)) archs.push(a);
}
console.log(`${archs.length} random valid networks with at most ${values.flops} MACs (sampling seed ${values.seed}); batch ${MNIST_REGNET_DEFAULTS.batchSize}; validation accuracy on the task's 2,500 validation images`);
console.log('| recipe | mean val % | min | max | CPU s / candidate |\n|---|---|---|---|---|');
for (const [name, v] of Object.entries(VARIANTS)) {
  const data = splitDigits(digits, { ...MNIST_REGNET_DEFAULTS.split, train: v.train }, MNIST_REGNET_DEFAULTS.splitSeed, MNIST_REGNET_DEFAULTS.downsample);
  const accs: number[] = [];
  const cpu0 = process.cpuUsage();
  for (const [k, a] of archs.entries()) {
    const r = trainRegNetDigits(space.config(a), data.train, [data.val], { epochs: v.epochs, batchSize: MNIST_REGNET_DEFAULTS.batchSize, lr: v.lr, schedule: v.schedule, seed: 1000 + k });
    accs.push(r.accuracies[0]!);
  }
  const cpu = process.cpuUsage(cpu0);
  const mean = accs.reduce((p, q) => p + q, 0) / accs.length;
  console.log(`| ${name} | ${mean.toFixed(2)} | ${Math.min(...accs).toFixed(2)} | ${Math.max(...accs).toFixed(2)} | ${((cpu.user + cpu.system) / 1e6 / archs.length).toFixed(1)} |`);
}
