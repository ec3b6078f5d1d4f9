import { describe, expect, it } from 'vitest';
import { Rng } from '../src/autograd/index.js';
import { FunctionOracle } from '../src/nas/benchmarks/synthetic.js';
import { nb201Space, type Nb201Arch } from '../src/nas/spaces/nb201.js';
import { ALGORITHMS } from '../src/nas/search/index.js';
import { parseConstraint } from '../src/nas/experiment/constraint.js';
import { runOne } from '../src/nas/experiment/runner.js';

// A constraint that only a handful of the 15,625 cells meet: rejection sampling (2,000 tries)
// misses them most of the time, so the searches must fall back to listing the space.
describe('searches under a constraint that leaves only a few feasible architectures', () => {
  const space = nb201Space();
  const all = [...space.enumerate()];
  const flops = (a: Nb201Arch) => space.cost(a).flops!;
  // The heaviest cells (3×3 convolutions almost everywhere): 25 of 15,625 have flops >= the 11th largest.
  const limit = all.map(flops).sort((a, b) => b - a)[10]!;
  const feasibleCount = all.filter((a) => flops(a) >= limit).length;
  const rng = new Rng(5);
  const w = Array.from({ length: 6 }, () => Array.from({ length: 5 }, () => rng.next()));
  const oracle = new FunctionOracle('synthetic-tight', space, all, (a: Nb201Arch) => {
    const v = a.reduce((s, op, e) => s + w[e]![op]!, 0);
    return { val: v, test: v };
  });
  const fast = { predictor: { epochs: 20, hidden: 8, layers: 1, ensemble: 1 } };

  it('every algorithm queries every feasible cell once, then stops (never stalls early)', () => {
    expect(feasibleCount).toBeGreaterThanOrEqual(12);
    expect(feasibleCount).toBeLessThan(40);
    for (const algo of ALGORITHMS) {
      const r = runOne({ oracle, dataset: 'synthetic', algorithms: [algo], budget: 60, seeds: [2], constraints: [parseConstraint(`flops>=${limit}`)], algorithmOptions: { prednas: { ...fast, steps: 10 }, wen: { ...fast, pool: 50 } } }, algo, 2);
      expect(r.trajectory.length, algo).toBe(Math.min(60, feasibleCount));
      expect(new Set(r.trajectory.map((p) => p.arch)).size, algo).toBe(r.trajectory.length);
      for (const p of r.trajectory) expect(flops(space.parse(p.arch)), algo).toBeGreaterThanOrEqual(limit);
    }
  });
});
