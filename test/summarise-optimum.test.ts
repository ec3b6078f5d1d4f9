import { describe, expect, it } from 'vitest';
import { summarise, type RunResult } from '../src/nas/experiment/runner.js';

const run = (seed: number, points: [string, number, number][]): RunResult => ({
  algo: 'x', seed, timeMs: { total: 1 },
  trajectory: points.map(([arch, val, test], i) => ({ query: i + 1, arch, val, test })),
});

describe('summarise: found the optimum = queried its architecture', () => {
  // The optimum under protocol A: 'opt' has the best validation metric of the table, test 70.
  const optimum = { value: 70, arch: 'opt' };
  const runs = [
    // Never queries 'opt' but its best-by-validation cell tests higher than the optimum's 70.
    run(0, [['a', 50, 60], ['b', 80, 71]]),
    // Queries 'opt' second.
    run(1, [['a', 50, 60], ['opt', 90, 70]]),
    // Queries 'opt' first, then nothing beats it.
    run(2, [['opt', 90, 70], ['c', 60, 72]]),
  ];

  it('does not count a run whose reported metric passes the optimum without querying it', () => {
    const s = summarise(runs, 'x', 'A', optimum, [1, 2], 2);
    expect(s.checkpoints['2']!.mean).toBeCloseTo((71 + 70 + 70) / 3, 12);
    expect(s.checkpoints['1']!.foundOptimum).toBeCloseTo(1 / 3, 12);
    expect(s.checkpoints['2']!.foundOptimum).toBeCloseTo(2 / 3, 12);
    expect(s.foundOptimumRuns).toBe(2);
    expect(s.meanQueriesToOptimum).toBe(1.5);
  });

  it('reports null queries-to-optimum when no run found it', () => {
    const s = summarise([runs[0]!], 'x', 'A', optimum, [2], 2);
    expect(s.checkpoints['2']!.foundOptimum).toBe(0);
    expect(s.meanQueriesToOptimum).toBeNull();
    expect(s.foundOptimumRuns).toBe(0);
  });

  it('compares architectures by the identity it is given (a space hash: isomorphic forms are one)', () => {
    // 'OPT' is another spelling of the optimum under a case-folding identity, 'opt2' is not.
    const iso = [run(0, [['a', 50, 60], ['OPT', 90, 70]]), run(1, [['opt2', 90, 70]])];
    const bare = summarise(iso, 'x', 'A', optimum, [2], 2);
    expect(bare.foundOptimumRuns).toBe(0);
    const folded = summarise(iso, 'x', 'A', optimum, [2], 2, (s) => s.toLowerCase());
    expect(folded.foundOptimumRuns).toBe(1);
    expect(folded.meanQueriesToOptimum).toBe(2);
  });
});
