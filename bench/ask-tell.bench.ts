/**
 * Cost per ask/tell as a journal grows (issue 21: a suggest/tell loop of 10,000 tells).
 *
 * 1. In-process (what `prednas run` does between evaluations): one SearchState, and per call
 *    next() + apply(ask) + apply(result) + best() (tell reports the best so far). Time per call
 *    averaged over calls 51-150 ("at 100") and 9,951-10,050 ("at 10,000").
 * 2. The CLI commands with the journal snapshot (the default): one journal grown by 10,050
 *    `suggest -n 1` + `tell` pairs (run in this process with a quiet context: lock, read, append,
 *    fsync, snapshot rewrites and all, but no process start-up); time per call averaged over calls
 *    51-150, 951-1,050 and 9,951-10,050, with the number of snapshot rewrites in each window.
 * 3. The same commands without it (PREDNAS_JOURNAL_SNAPSHOT=off: every call reads and replays the
 *    whole journal, as before the snapshot) on journals of 100, 1,000 and 10,000 trials, a few
 *    calls each.
 * 4. With --prednas: `suggest -n 1` with the PredNAS search on journals of 25 and 50 trials, with
 *    and without the snapshot (PredNAS is fed every recorded trial again: refits included).
 *
 * Random search on a generated 10^8-architecture spec space, so that sampling a fresh
 * architecture stays O(1) and what is measured is prednas's bookkeeping.
 * Run: npx tsx bench/ask-tell.bench.ts [--out bench/results/ask-tell.json] [--prednas]
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Ctx } from '../src/cli/context.js';
import { suggest, tell } from '../src/cli/commands/suggest.js';
import { Progress } from '../src/io/progress.js';
import { JOURNAL_SCHEMA, journalLine, type JournalHeader, type ResultEvent } from '../src/io/journal-format.js';
import { replay } from '../src/io/journal-state.js';
import { snapshotPath } from '../src/io/journal-snapshot.js';

const { values } = parseArgs({ options: { out: { type: 'string' }, calls: { type: 'string' }, prednas: { type: 'boolean' } } });
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

const quiet = (v: Ctx['v']): Ctx => ({ v, quiet: true, json: false, out: () => {}, note: () => {}, progress: (l) => new Progress(l, { quiet: true }) });
const dir = mkdtempSync(join(tmpdir(), 'prednas-asktell-'));
const setMode = (m: 'auto' | 'off') => {
  process.env['PREDNAS_JOURNAL_SNAPSHOT'] = m;
};

// 2. The CLI loop with the snapshot.
const windows = [[51, 150], [951, 1050], [9951, 10_050]].filter(([, hi]) => hi! <= CALLS) as [number, number][];
const loopResult: { at: number; suggest_ms: number; tell_ms: number; suggest_max_ms: number; tell_max_ms: number; snapshot_rewrites: number }[] = [];
let loopSnapshotBytes = 0;
try {
  setMode('auto');
  const path = join(dir, 'loop.jsonl');
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
  const sT = new Float64Array(CALLS), tT = new Float64Array(CALLS), rewrote = new Uint8Array(CALLS);
  let lastSnap = '';
  for (let i = 0; i < CALLS; i++) {
    const t0 = performance.now();
    suggest(quiet(i === 0 ? { journal: path, space: join(dir, 'spec.json'), algo: 'random', count: '1' } : { journal: path, count: '1' }));
    const t1 = performance.now();
    tell(quiet({ journal: path, trial: String(i + 1), metric: String(metricOf(i + 1)) }));
    sT[i] = t1 - t0;
    tT[i] = performance.now() - t1;
    const st = statSync(snapshotPath(path), { throwIfNoEntry: false });
    const id = st === undefined ? '' : `${st.ino}:${st.mtimeMs}:${st.size}`;
    rewrote[i] = id !== lastSnap ? 1 : 0;
    lastSnap = id;
    if ((i + 1) % 1000 === 0) console.error(`loop: ${i + 1} pairs`);
  }
  loopSnapshotBytes = statSync(snapshotPath(path)).size;
  for (const [lo, hi] of windows) {
    const mean = (a: Float64Array) => a.slice(lo - 1, hi).reduce((x, y) => x + y, 0) / (hi - lo + 1);
    const max = (a: Float64Array) => Math.max(...a.slice(lo - 1, hi));
    loopResult.push({ at: (lo + hi - 1) / 2, suggest_ms: mean(sT), tell_ms: mean(tT), suggest_max_ms: max(sT), tell_max_ms: max(tT), snapshot_rewrites: rewrote.slice(lo - 1, hi).reduce((x, y) => x + y, 0) });
    console.log(JSON.stringify(loopResult[loopResult.length - 1]));
  }

  // 3. Without the snapshot, on journals of growing length (prefixes of the in-process journal).
  setMode('off');
  const cli: { trials: number; suggest_ms: number; tell_ms: number }[] = [];
  for (const n of [100, 1000, 10_000].filter((k) => k <= CALLS)) {
    const p = join(dir, `j${n}.jsonl`);
    writeFileSync(p, lines.slice(0, 1 + 2 * n).join(''));
    const reps = n >= 10_000 ? 3 : 10;
    let s = 0, t = 0;
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      suggest(quiet({ journal: p, count: '1' }));
      const t1 = performance.now();
      tell(quiet({ journal: p, trial: String(n + r + 1), metric: String(metricOf(n + r + 1)) }));
      s += t1 - t0;
      t += performance.now() - t1;
    }
    cli.push({ trials: n, suggest_ms: s / reps, tell_ms: t / reps });
    console.log(JSON.stringify({ snapshot: 'off', ...cli[cli.length - 1] }));
  }

  // 4. PredNAS: suggest re-feeds the search every recorded trial (predictor refits included).
  const prednas: { trials: number; snapshot: boolean; suggest_ms: number }[] = [];
  if (values.prednas === true) {
    const h = { ...header, algo: 'prednas' };
    const st = replay(h, [], 'bench');
    const pl: string[] = [journalLine(h)];
    for (let i = 0; i < 50; i++) {
      const p = st.next()!;
      const ask = { type: 'ask' as const, trial: p.trial, arch: p.arch, time: '' };
      st.apply(ask);
      const res: ResultEvent = { type: 'result', trial: p.trial, arch: p.arch, status: 'ok', metric: metricOf(p.trial), time: '' };
      st.apply(res);
      pl.push(journalLine(ask), journalLine(res));
    }
    for (const n of [25, 50]) {
      for (const snap of [false, true]) {
        const p = join(dir, `p${n}-${snap}.jsonl`);
        writeFileSync(p, pl.slice(0, 1 + 2 * n).join(''));
        process.env['PREDNAS_JOURNAL_SNAPSHOT'] = snap ? 'always' : 'off';
        if (snap) suggest(quiet({ journal: p, pending: true })); // writes the snapshot
        const t0 = performance.now();
        suggest(quiet({ journal: p, count: '1' }));
        prednas.push({ trials: n, snapshot: snap, suggest_ms: performance.now() - t0 });
        console.log(JSON.stringify(prednas[prednas.length - 1]));
      }
    }
  }

  const result = {
    bench: 'ask-tell', node: process.version, calls: CALLS, inProcess,
    cliWithSnapshot: { windows: loopResult, snapshotBytesAtEnd: loopSnapshotBytes }, cliWithoutSnapshot: cli, prednas,
    date: new Date().toISOString(),
  };
  if (values.out !== undefined) writeFileSync(values.out, JSON.stringify(result, null, 1) + '\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
