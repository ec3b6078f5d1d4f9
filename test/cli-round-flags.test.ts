import { describe, expect, it } from 'vitest';
import { algorithmOptions } from '../src/cli/commands/bench-common.js';

describe('--per-round, --neighbours and --radius', () => {
  it('reach PredNAS and the Wen control alike, and are left to the defaults when absent', () => {
    const o = algorithmOptions({ 'per-round': '10', neighbours: '0', radius: '2', swaps: 'off', epochs: '200' });
    expect(o.prednas).toMatchObject({ perRound: 10, neighbourCandidates: 0, neighbourRadius: 2, neighbourSwaps: false, predictor: { epochs: 200 } });
    expect(o.wen).toMatchObject({ perRound: 10, neighbourCandidates: 0, neighbourRadius: 2, neighbourSwaps: false, predictor: { epochs: 200 } });
    expect(algorithmOptions({ swaps: 'on' }).prednas).toMatchObject({ neighbourSwaps: true });
    const d = algorithmOptions({});
    expect(d.prednas).not.toHaveProperty('perRound');
    expect(d.prednas).not.toHaveProperty('neighbourCandidates');
    expect(d.prednas).not.toHaveProperty('neighbourRadius');
    expect(d.prednas).not.toHaveProperty('neighbourSwaps');
  });

  it('refuse what is not a count, naming the flag', () => {
    expect(() => algorithmOptions({ 'per-round': '0' })).toThrow("--per-round: expected an integer >= 1, got '0'");
    expect(() => algorithmOptions({ neighbours: '-1' })).toThrow("--neighbours: expected an integer >= 0, got '-1'");
    expect(() => algorithmOptions({ neighbours: 'all' })).toThrow("--neighbours: expected an integer >= 0, got 'all'");
    expect(() => algorithmOptions({ radius: '0' })).toThrow("--radius: expected an integer >= 1, got '0'");
    expect(() => algorithmOptions({ swaps: 'yes' })).toThrow("--swaps: expected one of on, off, got 'yes'");
  });
});

describe('--kappa, --swap-repair and --ensemble', () => {
  it('reach PredNAS and the Wen control alike; the flags of the earlier tables restore the earlier settings', () => {
    const o = algorithmOptions({ ensemble: '3', epochs: '100', kappa: '0', 'swap-repair': 'off' });
    for (const a of [o.prednas, o.wen]) expect(a).toMatchObject({ ucbKappa: 0, swapRepair: false, predictor: { kind: 'mlp', ensemble: 3, epochs: 100 } });
    expect(algorithmOptions({ kappa: '-1.5', 'swap-repair': 'on' }).prednas).toMatchObject({ ucbKappa: -1.5, swapRepair: true });
    const d = algorithmOptions({});
    expect(d.prednas).not.toHaveProperty('ucbKappa');
    expect(d.prednas).not.toHaveProperty('swapRepair');
    expect(d.prednas!.predictor).toEqual({ kind: 'mlp' });
  });

  it('refuse bad values, naming the flag', () => {
    expect(() => algorithmOptions({ kappa: 'low' })).toThrow("--kappa: expected a finite number, got 'low'");
    expect(() => algorithmOptions({ kappa: '' })).toThrow('--kappa: empty value');
    expect(() => algorithmOptions({ 'swap-repair': '1' })).toThrow("--swap-repair: expected one of on, off, got '1'");
    expect(() => algorithmOptions({ ensemble: '0' })).toThrow("--ensemble: expected an integer >= 1, got '0'");
  });
});

describe('the ascent flags and --calibrate', () => {
  it('reach PredNAS (and its variants) only, and are left to the defaults when absent', () => {
    const o = algorithmOptions({ steps: '0', 'ascent-lr': '0.1', 'logit-scale': '2', tau: '0.5', 'top-starts': '3', 'random-starts': '0', lambda: '0', calibrate: 'off' });
    expect(o.prednas).toMatchObject({ steps: 0, lr: 0.1, logitScale: 2, tau: 0.5, topStarts: 3, randomStarts: 0, lambda: 0, predictor: { calibrate: false } });
    expect(o.wen).not.toHaveProperty('steps');
    expect(o.wen).toMatchObject({ predictor: { calibrate: false } });
    const d = algorithmOptions({}).prednas!;
    for (const k of ['steps', 'lr', 'logitScale', 'tau', 'topStarts', 'randomStarts', 'lambda']) expect(d).not.toHaveProperty(k);
    expect(d.predictor).not.toHaveProperty('calibrate');
  });

  it('refuse bad values, naming the flag', () => {
    expect(() => algorithmOptions({ steps: '-1' })).toThrow("--steps: expected an integer >= 0, got '-1'");
    expect(() => algorithmOptions({ 'ascent-lr': '0' })).toThrow("--ascent-lr: expected a number > 0, got '0'");
    expect(() => algorithmOptions({ tau: 'hot' })).toThrow("--tau: expected a finite number, got 'hot'");
    expect(() => algorithmOptions({ lambda: '-1' })).toThrow("--lambda: expected a number >= 0, got '-1'");
    expect(() => algorithmOptions({ 'top-starts': '1.5' })).toThrow("--top-starts: expected an integer >= 0, got '1.5'");
    expect(() => algorithmOptions({ calibrate: 'yes' })).toThrow("--calibrate: expected one of on, off, got 'yes'");
  });
});
