/**
 * SearchState.best() is kept incrementally (tell calls it after every result, and a scan over all
 * trials made a 10,000-tell loop O(n) per call). It must agree with the scan it replaced: highest
 * (or lowest, when minimising) ok metric, ties to the lower trial number, whatever the order in
 * which results arrive.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JOURNAL_SCHEMA, type JournalEvent, type JournalHeader } from '../src/io/journal-format.js';
import { replay, type SearchState, type Trial } from '../src/io/journal-state.js';

const spec = { name: 'wide', variables: Array.from({ length: 4 }, (_, i) => ({ name: `v${i}`, type: 'int', min: 0, max: 9 })) };
const header = (direction: 'max' | 'min'): JournalHeader => ({
  type: 'header', schema: JOURNAL_SCHEMA, space: { kind: 'spec', spec }, algo: 'random', seed: 3, direction,
  predictor: 'mlp', constraints: [], created: '',
});

function scanBest(state: SearchState): Trial | null {
  const sign = state.header.direction === 'min' ? -1 : 1;
  let b: Trial | null = null;
  for (const t of state.trials) {
    if (t.result?.status !== 'ok') continue;
    if (b === null || sign * t.result.metric! > sign * b.result!.metric!) b = t;
  }
  return b;
}

describe('SearchState.best()', () => {
  it('equals a scan in trial order, live and after replay, for results in any order (fixed seed)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('max' as const, 'min' as const),
        // Few distinct metrics, so that ties are common; some trials fail.
        fc.array(fc.record({ metric: fc.integer({ min: 0, max: 3 }), failed: fc.boolean() }), { minLength: 1, maxLength: 25 }),
        fc.nat(),
        (direction, outcomes, shuffleSeed) => {
          const state = replay(header(direction), [], 'live');
          const events: JournalEvent[] = [];
          for (let i = 0; i < outcomes.length; i++) {
            const p = state.next()!;
            const ask = { type: 'ask' as const, trial: p.trial, arch: p.arch, time: '' };
            state.apply(ask);
            events.push(ask);
          }
          // Results arrive in a shuffled order (concurrent evaluations finish in any order).
          const order = outcomes.map((_, i) => i).sort((a, b) => ((a * 2654435761 + shuffleSeed) % 97) - ((b * 2654435761 + shuffleSeed) % 97) || a - b);
          for (const i of order) {
            const t = state.trials[i]!, o = outcomes[i]!;
            const res: JournalEvent = o.failed
              ? { type: 'result', trial: t.trial, arch: t.arch, status: 'failed', error: 'x', time: '' }
              : { type: 'result', trial: t.trial, arch: t.arch, status: 'ok', metric: o.metric, time: '' };
            state.apply(res);
            events.push(res);
            expect(state.best()?.trial).toBe(scanBest(state)?.trial);
          }
          const replayed = replay(header(direction), events, 'replayed');
          expect(replayed.best()?.trial).toBe(scanBest(replayed)?.trial);
        },
      ),
      { seed: 21, numRuns: 150 },
    );
  });
});
