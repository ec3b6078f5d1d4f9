/**
 * The browser worker's job, run in Node with the same web-platform APIs (Blob,
 * DecompressionStream): the event sequence, the result record, the input checks, and that the
 * worker bundle gives the same search as the CLI's core code (same seed → same trajectory).
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runJob, type JobEvent } from '../../src/browser/job.js';
import { resolveDataDir } from '../../src/io/data-dir.js';
import { loadMnistDigits } from '../../src/io/mnist.js';
import { encodeDigits } from '../../src/nas/tasks/digits.js';

const NB201 = join(resolveDataDir(), 'nasbench201', 'nb201.csv.gz');
const inCi = !!process.env['CI'];

describe('browser job (in Node)', () => {
  const digits = encodeDigits(loadMnistDigits());

  it('runs a live MNIST search, reporting every query, and returns a complete record', async () => {
    const events: JobEvent[] = [];
    const req = { task: 'mnist-mlp' as const, digits, epochs: 1, trainImages: 1000, algo: 'random', budget: 4, seed: 5, constraint: 'params<=30000', backend: 'js' };
    const r = await runJob(req, (e) => events.push(e));
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.map((e) => e.query)).toEqual([1, 2, 3, 4]);
    expect(events[events.length - 1]).toEqual({ type: 'done', result: r });
    expect(r.trajectory).toHaveLength(4);
    expect(r.best.val).toBe(Math.max(...r.trajectory.map((p) => p.val)));
    expect(r.best.val).toBeGreaterThan(50);
    expect(r.constraints).toEqual(['params<=30000']);
    expect(r.kernels.selection).toBe('js');
    expect(progress[3]!.type === 'progress' && progress[3]!.svg).toContain('<svg');
    const again = await runJob(req, () => undefined);
    expect(again.trajectory).toEqual(r.trajectory);
  });

  it('reports bad requests as an error event with the field named', async () => {
    const events: JobEvent[] = [];
    await expect(runJob({ task: 'mnist-mlp', digits, algo: 'annealing', budget: 3, seed: 0, constraint: null }, (e) => events.push(e))).rejects.toThrow(/algorithm: expected one of/);
    expect(events).toEqual([{ type: 'error', message: expect.stringMatching(/^algorithm: expected one of prednas, random/) }]);
    await expect(runJob({ task: 'mnist-mlp', digits: new Uint8Array(10), algo: 'random', budget: 3, seed: 0, constraint: null }, () => undefined)).rejects.toThrow(/digits asset: not a prednas digits file/);
  });

  it.skipIf(!existsSync(NB201) && !inCi)('searches NB-201 from a gzip Blob (DecompressionStream)', async () => {
    const table = new Blob([readFileSync(NB201)]);
    const r = await runJob({ task: 'nb201', table, dataset: 'cifar10', algo: 'prednas', budget: 12, seed: 0, constraint: 'flops<=40' }, () => undefined);
    expect(r.queries).toBe(12);
    expect(r.dataset).toBe('cifar10');
    expect(r.best.test).toBeGreaterThan(80);
  });
});
