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
