/**
 * Cost per ask/tell as a journal grows (issue 21: a suggest/tell loop of 10,000 tells).
 *
 * 1. In-process (what `prednas run` does between evaluations): one SearchState, and per call
 *    next() + apply(ask) + apply(result) + best() (tell reports the best so far). Time per call
 *    averaged over calls 51-150 ("at 100") and 9,951-10,050 ("at 10,000").
 * 2. The CLI commands (`prednas suggest -n 1` then `prednas tell`, run in this process with a
 *    quiet context): every call locks, reads and replays the whole journal, so this is measured at
 *    journals of 100, 1,000 and 10,000 trials, a few calls each.
 *
 * Random search on a generated 10^8-architecture spec space, so that sampling a fresh
 * architecture stays O(1) and what is measured is prednas's bookkeeping.
 * Run: npx tsx bench/ask-tell.bench.ts [--out bench/results/ask-tell.json]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Ctx } from '../src/cli/context.js';
import { suggest, tell } from '../src/cli/commands/suggest.js';
import { Progress } from '../src/io/progress.js';
import { JOURNAL_SCHEMA, journalLine, type JournalHeader, type ResultEvent } from '../src/io/journal-format.js';
import { replay } from '../src/io/journal-state.js';

const { values } = parseArgs({ options: { out: { type: 'string' }, calls: { type: 'string' } } });
const CALLS = Number(values.calls ?? 10_050);

const spec = { name: 'wide', variables: Array.from({ length: 8 }, (_, i) => ({ name: `v${i}`, type: 'int', min: 0, max: 9 })) };
const header: JournalHeader = {
  type: 'header', schema: JOURNAL_SCHEMA, space: { kind: 'spec', spec }, algo: 'random', seed: 0, direction: 'max',
  predictor: 'mlp', constraints: [], created: new Date(0).toISOString(),
};
const metricOf = (trial: number) => 50 + ((trial * 7919) % 1000) / 100;

// 1. In-process loop.
const state = replay(header, [], 'bench');
const perCall = new Float64Array(CALLS);
const lines: string[] = [journalLine(header)];
for (let i = 0; i < CALLS; i++) {
  const t0 = performance.now();
  const p = state.next()!;
  const ask = { type: 'ask' as const, trial: p.trial, arch: p.arch, time: '' };
  state.apply(ask);
  const res: ResultEvent = { type: 'result', trial: p.trial, arch: p.arch, status: 'ok', metric: metricOf(p.trial), time: '' };
  state.apply(res);
  state.best();
  perCall[i] = performance.now() - t0;
  lines.push(journalLine(ask), journalLine(res));
}
const meanUs = (lo: number, hi: number) => (perCall.slice(lo - 1, hi).reduce((a, b) => a + b, 0) / (hi - lo + 1)) * 1000;
const inProcess = { at100_us: meanUs(51, 150), at10000_us: CALLS >= 10_050 ? meanUs(9951, 10_050) : null };
console.log(JSON.stringify({ inProcess }));

// 2. CLI commands on journals of growing length (prefixes of the journal written above).
const quiet = (v: Ctx['v']): Ctx => ({ v, quiet: true, json: false, out: () => {}, note: () => {}, progress: (l) => new Progress(l, { quiet: true }) });
const dir = mkdtempSync(join(tmpdir(), 'prednas-asktell-'));
const cli: { trials: number; suggest_ms: number; tell_ms: number }[] = [];
try {
  for (const n of [100, 1000, 10_000].filter((k) => k <= CALLS)) {
    const path = join(dir, `j${n}.jsonl`);
    writeFileSync(path, lines.slice(0, 1 + 2 * n).join(''));
    const reps = n >= 10_000 ? 3 : 10;
    let s = 0, t = 0;
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      suggest(quiet({ journal: path, count: '1' }));
      const t1 = performance.now();
      tell(quiet({ journal: path, trial: String(n + r + 1), metric: String(metricOf(n + r + 1)) }));
      const t2 = performance.now();
      s += t1 - t0;
      t += t2 - t1;
    }
    cli.push({ trials: n, suggest_ms: s / reps, tell_ms: t / reps });
    console.log(JSON.stringify(cli[cli.length - 1]));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const result = { bench: 'ask-tell', node: process.version, calls: CALLS, inProcess, cli, date: new Date().toISOString() };
if (values.out !== undefined) writeFileSync(values.out, JSON.stringify(result, null, 1) + '\n');
