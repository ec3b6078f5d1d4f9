/**
 * `prednas info --task`: the MLP task's network count and parameter range are checked against
 * independent closed forms (every depth × every width per layer × activation, lr and dropout; the
 * smallest and largest networks by mlpParams); the RegNet-style task's sampled cost range must lie
 * inside its exact range (the cheapest and dearest settings of every stage); bad flags get
 * one-line usage errors.
 */
import { describe, expect, it } from 'vitest';
import { runInProcess } from './helpers/cli-inprocess.js';
import { MLP_ACTIVATIONS, MLP_DROPOUTS, MLP_LRS, MLP_MAX_DEPTH, mlpParams } from '../src/nas/tasks/mlp-space.js';
import { regnetDigitsCost, REGNET_DIGITS_DEFAULTS } from '../src/nas/tasks/regnet-space.js';

describe('prednas info --task', () => {
  it('mnist-mlp: every network counted once and the exact parameter range', async () => {
    const r = await runInProcess(['info', '--task', 'mnist-mlp', '--json']);
    expect(r.code).toBe(0);
    const rec = JSON.parse(r.out) as { networks: number; costsOver: string; costs: { params: { min: number; max: number } }; training: { epochs: number } };
    const widths = 9; // log-int 16..256 in 9 steps
    let perDepth = 0;
    for (let d = 1; d <= MLP_MAX_DEPTH; d++) perDepth += widths ** d;
    expect(rec.networks).toBe(perDepth * MLP_ACTIVATIONS.length * MLP_LRS.length * MLP_DROPOUTS.length);
    expect(rec.costsOver).toBe('every network');
    expect(rec.costs.params).toEqual({ min: mlpParams(196, [16], 10), max: mlpParams(196, Array(MLP_MAX_DEPTH).fill(256), 10) });
    expect(rec.training.epochs).toBe(3);
    const fewer = await runInProcess(['info', '--task', 'mnist-mlp', '--fidelity', '1ep', '--json']);
    expect(JSON.parse(fewer.out).training.epochs).toBe(1);
  }, 60_000);

  it('mnist-regnet: a seeded sample whose cost range lies inside the exact one, and says so', async () => {
    const r = await runInProcess(['info', '--task', 'mnist-regnet']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/too many to walk; costs from 20,000 sampled networks, seed 0/);
    const json = JSON.parse((await runInProcess(['info', '--task', 'mnist-regnet', '--json'])).out) as { networks: null; costs: Record<string, { min: number; max: number }> };
    expect(json.networks).toBeNull();
    const D = REGNET_DIGITS_DEFAULTS;
    const stage = (depth: number, width: number, groupWidth: number, bottleneck: number) => ({ depth, width, groupWidth, bottleneck });
    const base = { side: D.side, classes: D.classes, stemWidth: D.stemWidth };
    // Every cost term grows with depth, width, group width and bottleneck width w/b, so these two
    // settings of every stage are the exact cheapest and dearest networks.
    const small = regnetDigitsCost({ ...base, stages: Array(3).fill(stage(D.depths.min, D.widths[0], 1, 4)) });
    const large = regnetDigitsCost({ ...base, stages: Array(3).fill(stage(D.depths.max, D.widths.at(-1)!, 8, 1)) });
    for (const k of ['flops', 'params'] as const) {
      expect(json.costs[k]!.min).toBeGreaterThanOrEqual(small[k]);
      expect(json.costs[k]!.min).toBeLessThan(json.costs[k]!.max);
      expect(json.costs[k]!.max).toBeLessThanOrEqual(large[k]);
    }
  }, 60_000);

  it('refuses an unknown task and --space with --task in one line (exit 2)', async () => {
    for (const argv of [['info', '--task', 'nb201'], ['info', '--task', 'mnist-mlp', '--space', 'nb201'], ['info', '--task', 'mnist-mlp', '--fidelity', '0ep']]) {
      const r = await runInProcess(argv);
      expect(r.internalError).toBeNull();
      expect(r.message).not.toContain('\n');
      expect(r.code).toBe(argv.includes('0ep') ? 1 : 2);
    }
  });
});
