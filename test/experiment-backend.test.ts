import { afterEach, describe, expect, it } from 'vitest';
import { runExperimentParallel, type ExperimentSpec } from '../src/io/parallel.js';
import { currentBackend, setBackend } from '../src/kernels/registry.js';

// A table-free benchmark: the example MLP spec space under its seeded synthetic objective.
const base: ExperimentSpec = {
  benchmark: { space: 'examples/spaces/mlp.json', dataset: 'synthetic:1', dataDir: '.' },
  algorithms: ['prednas'], budget: 16, seeds: [0, 1], protocol: 'A', constraints: [],
  algorithmOptions: { prednas: { initial: 6, perRound: 5, steps: 20, predictor: { epochs: 20, hidden: 16, layers: 2, ensemble: 1 } } },
};

describe('experiments on a chosen kernel backend', () => {
  afterEach(() => setBackend('js'));

  it('wasm runs are identical serial and on worker threads (the backend reaches every worker)', async () => {
    const spec = { ...base, backend: 'wasm' };
    const serial = await runExperimentParallel(spec, { workers: 1 });
    expect(currentBackend()).toBe('wasm');
    setBackend('js');
    const parallel = await runExperimentParallel(spec, { workers: 2 });
    expect(parallel.runs.map((r) => r.trajectory)).toEqual(serial.runs.map((r) => r.trajectory));
    // The same spec on js is a valid run too: same first (random) queries, same budget.
    const js = await runExperimentParallel({ ...base, backend: 'js' }, { workers: 1 });
    expect(js.runs[0]!.trajectory.slice(0, 6)).toEqual(serial.runs[0]!.trajectory.slice(0, 6));
    expect(js.runs[0]!.trajectory.length).toBe(16);
    // Each run records the backend selection it ran under (workers included).
    expect(serial.runs.map((r) => r.kernels)).toEqual(['wasm', 'wasm']);
    expect(parallel.runs.map((r) => r.kernels)).toEqual(['wasm', 'wasm']);
    expect(js.runs.map((r) => r.kernels)).toEqual(['js', 'js']);
  });

  it('an unknown backend is refused before any run', async () => {
    await expect(runExperimentParallel({ ...base, backend: 'cuda' }, { workers: 1 })).rejects.toThrow(/cuda/);
  });
});
