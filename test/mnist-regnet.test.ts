import { describe, expect, it } from 'vitest';
import { isLiveTask, LIVE_TASKS, liveEpochs, loadLiveBenchmark } from '../src/io/mnist-task.js';
import { loadMnistDigits } from '../src/io/mnist.js';
import { mnistRegNetTask, MNIST_REGNET_DEFAULTS } from '../src/nas/tasks/mnist-regnet.js';
import { mnistMlpTask } from '../src/nas/tasks/mnist-mlp.js';
import { RegNetDigitsSpace } from '../src/nas/tasks/regnet-space.js';
import { trainRegNetDigits } from '../src/nas/tasks/regnet-train.js';
import { lrSchedule } from '../src/nas/tasks/train-mlp.js';

const digits = loadMnistDigits();
// Tiny settings: this checks the plumbing (split, seeding, caching), not what the task learns.
const tiny = { epochs: 1, split: { train: 128, val: 100, test: 100 } };
const small = 'd1=1,w1=8,g1=2,b1=2,d2=1,w2=16,g2=4,b2=2,d3=1,w3=16,g3=8,b3=2';

describe('mnist-regnet live task', () => {
  it('is registered as a live task next to mnist-mlp, with its own default epochs', () => {
    expect(LIVE_TASKS).toContain('mnist-regnet');
    expect(isLiveTask('mnist-regnet')).toBe(true);
    expect(liveEpochs(undefined, 'mnist-regnet')).toBe(MNIST_REGNET_DEFAULTS.epochs);
    expect(() => liveEpochs('0ep', 'mnist-regnet')).toThrow(/for mnist-regnet/);
    const b = loadLiveBenchmark({ space: 'mnist-regnet' });
    expect(b.space).toBeInstanceOf(RegNetDigitsSpace);
    expect(b.space.name).toBe('mnist-regnet');
    expect(b.dataset).toBe('mnist');
  });

  it("uses mnist-mlp's held-out images (same seeded split), 14×14", () => {
    const a = mnistRegNetTask(digits, tiny), m = mnistMlpTask(digits, tiny);
    expect(a.data.indices.val).toEqual(m.data.indices.val);
    expect(a.data.indices.test).toEqual(m.data.indices.test);
    expect(a.data.train.dim).toBe(196);
    expect(a.space.side).toBe(14);
  });

  it('trains a candidate reproducibly: a fresh task gives the same accuracies', () => {
    const t1 = mnistRegNetTask(digits, tiny), t2 = mnistRegNetTask(digits, tiny);
    const arch = t1.space.parse(small);
    const r1 = t1.oracle.query(arch, { dataset: 'mnist' });
    const r2 = t2.oracle.query(t2.space.parse(small), { dataset: 'mnist' });
    expect([r1.val, r1.test]).toEqual([r2.val, r2.test]);
    expect(r1.cost).toEqual(t1.space.cost(arch));
    for (const v of [r1.val, r1.test]) expect(v! >= 0 && v! <= 100).toBe(true);
    expect(t1.oracle.trainedCount).toBe(1);
  });

  it('the training seed decides the run: same seed, same loss to the bit; another seed, another loss', () => {
    const t = mnistRegNetTask(digits, tiny);
    const cfg = t.space.config(t.space.parse(small));
    const run = (seed: number) => trainRegNetDigits(cfg, t.data.train, [t.data.val], { epochs: 1, batchSize: 64, lr: 0.01, seed });
    const a = run(5), b = run(5), c = run(6);
    expect(a.steps).toBe(2);
    expect(a.params).toBe(t.space.cost(t.space.parse(small)).params);
    expect(b.finalLoss).toBe(a.finalLoss);
    expect(b.accuracies).toEqual(a.accuracies);
    expect(c.finalLoss).not.toBe(a.finalLoss);
  });

  it('rejects bad settings with one-line errors', () => {
    expect(() => mnistRegNetTask(digits, { epochs: 0 })).toThrow('mnist-regnet: epochs must be a positive integer, got 0');
    expect(() => mnistRegNetTask(digits, { lr: -1 })).toThrow('mnist-regnet: lr must be positive, got -1');
  });

  it('trains with a one-cycle learning rate: up over the first fifth, then down to zero', () => {
    expect(MNIST_REGNET_DEFAULTS.schedule).toBe('onecycle');
    const lr = lrSchedule('onecycle', 0.05, 100), at = Array.from({ length: 100 }, (_, i) => lr(i));
    expect(at[0]).toBeCloseTo(0.05 / 20, 12);
    expect(at[19]).toBeCloseTo(0.05, 12);
    for (let i = 1; i < 20; i++) expect(at[i]!).toBeGreaterThan(at[i - 1]!);
    for (let i = 21; i < 100; i++) expect(at[i]!).toBeLessThan(at[i - 1]!);
    expect(at[99]).toBeCloseTo(0, 12);
    expect(lrSchedule('constant', 0.05, 100)(57)).toBe(0.05);
    expect(() => mnistRegNetTask(digits, { schedule: 'cosine' as 'onecycle' })).toThrow("mnist-regnet: schedule must be one of constant, onecycle, got 'cosine'");
  });
});
