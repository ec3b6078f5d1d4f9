/**
 * `prednas suggest` / `prednas tell`: ask/tell for training jobs the user runs themselves. Each
 * call locks the journal, rebuilds the search (deterministic) from the journal's snapshot and the
 * lines after it (journal-snapshot.ts: the whole journal when there is no usable snapshot),
 * appends its events with one fsync'd write, and only then prints: what was printed is always in
 * the journal.
 */
import type { AskEvent, ResultEvent } from '../../io/journal-format.js';
import { openSearch, snapshotModeFromEnv, type OpenSearch } from '../../io/journal-snapshot.js';
import type { JournalHeader } from '../../io/journal-format.js';
import type { SearchState, Trial } from '../../io/journal-state.js';
import { parseIntFlag, parseNumberFlag } from '../args.js';
import { need, str, UsageError, type Ctx } from '../context.js';
import { journalHeader, SEARCH_SETUP_FLAGS, SEARCH_SETUP_HELP } from './ask-tell-common.js';
import { packageVersion } from './version.js';

export const SUGGEST_FLAGS = { ...SEARCH_SETUP_FLAGS, count: { type: 'string', short: 'n' }, pending: { type: 'boolean' } } as const;

export const SUGGEST_HELP = `prednas suggest — the next architectures to train, as JSON lines

Usage: prednas suggest --journal run.jsonl [--space nb201|SPEC.json] [-n 8] [options]

Prints one JSON object per line: {"trial": 3, "arch": "...", "config": {...}}. Train each, then
record its metric with \`prednas tell\`. The journal is appended (and fsync'd) before anything is
printed; after a crash, run suggest again: it continues exactly where the journal stops.
A snapshot beside it (JOURNAL.snapshot) lets each call read only what was appended since; it is
checked against the journal and rebuilt whenever it does not fit it (PREDNAS_JOURNAL_SNAPSHOT=off:
read the whole journal every time).

  -n, --count N      how many new suggestions (default 1)
  --pending          list the suggestions still waiting for a result instead (nothing new)
${SEARCH_SETUP_HELP}
`;

export const TELL_FLAGS = {
  journal: { type: 'string' }, arch: { type: 'string' }, trial: { type: 'string' }, metric: { type: 'string' },
  cost: { type: 'string' }, failed: { type: 'string' },
} as const;

export const TELL_HELP = `prednas tell — record the result of a suggested architecture

Usage: prednas tell --journal run.jsonl (--trial N | --arch ID) (--metric X [--cost C] | --failed REASON)

  --trial N          the trial number printed by suggest
  --arch ID          or the architecture string printed by suggest (quote it: NB-201's contain '|')
  --metric X         the validation metric (higher is better unless the journal was started with --minimize)
  --cost C           optional cost (e.g. GPU hours), kept in the journal
  --failed REASON    the training failed; the architecture is not suggested again
`;

function open(path: string, header: JournalHeader | null, purpose: string): OpenSearch {
  return openSearch(path, header, { version: packageVersion(), mode: snapshotModeFromEnv(), lock: { purpose } });
}

/** After the journal has the command's events: refresh the snapshot (a failure only costs speed). */
function saveSnapshot(ctx: Ctx, o: OpenSearch): void {
  const err = o.saveSnapshot();
  if (err !== null) ctx.note(`note: the journal is complete, but its snapshot was not updated (${err.message}); the next call reads more of the journal`);
}

function suggestionLine(state: SearchState, t: Trial): string {
  return JSON.stringify({ trial: t.trial, arch: t.arch, config: state.space.parse(t.arch) });
}

export function suggest(ctx: Ctx): void {
  const { v } = ctx;
  const { path, header } = journalHeader(v);
  const o = open(path, header, 'prednas suggest');
  const { jf, state } = o;
  try {
    if (v['pending'] === true) {
      const lines = state.pending().map((t) => suggestionLine(state, t));
      saveSnapshot(ctx, o);
      if (lines.length > 0) ctx.out(lines.join('\n'));
      ctx.note(`${lines.length} pending suggestion${lines.length === 1 ? '' : 's'} in ${path}`);
      return;
    }
    const n = parseIntFlag('count', str(v, 'count'), 1);
    const asks: AskEvent[] = [];
    for (let i = 0; i < n; i++) {
      const p = state.next();
      if (p === null) break;
      const e: AskEvent = { type: 'ask', trial: p.trial, arch: p.arch, time: new Date().toISOString() };
      state.apply(e);
      asks.push(e);
    }
    // One write + fsync for the batch, then print.
    jf.append(asks);
    saveSnapshot(ctx, o);
    if (asks.length > 0) ctx.out(asks.map((e) => suggestionLine(state, state.trials[e.trial - 1]!)).join('\n'));
    if (asks.length < n) ctx.note(`the search has no fresh architecture left: ${asks.length} of ${n} suggested`);
  } finally {
    jf.close();
  }
}

export function tell(ctx: Ctx): void {
  const { v } = ctx;
  const path = need(v, 'journal', 'the journal that suggest wrote');
  const trialArg = str(v, 'trial'), archArg = str(v, 'arch');
  if ((trialArg === undefined) === (archArg === undefined)) throw new UsageError('give exactly one of --trial N or --arch ID');
  const metricArg = str(v, 'metric'), failed = str(v, 'failed');
  if ((metricArg === undefined) === (failed === undefined)) throw new UsageError('give exactly one of --metric X or --failed REASON');
  const metric = metricArg === undefined ? undefined : parseNumberFlag('metric', metricArg);
  const costArg = str(v, 'cost');
  const cost = costArg === undefined ? undefined : parseNumberFlag('cost', costArg);
  const o = open(path, null, 'prednas tell');
  const { jf, state } = o;
  try {
    let t: Trial | undefined;
    if (trialArg !== undefined) {
      const k = parseIntFlag('trial', trialArg, 1, 1);
      t = state.trials[k - 1];
      if (t === undefined) throw new Error(`trial ${k} was never suggested in ${path} (${state.trials.length} trials so far)`);
    } else {
      let hash: string;
      try {
        hash = state.space.hash(state.space.parse(archArg!));
      } catch (e) {
        throw new UsageError(`--arch: ${JSON.stringify(archArg)} is not an architecture of space ${state.space.name}: ${(e as Error).message}`);
      }
      t = state.trials.find((x) => x.hash === hash);
      if (t === undefined) throw new Error(`--arch ${archArg} was never suggested in ${path}; only suggested architectures can be told (run \`prednas suggest\`)`);
    }
    if (t.result !== null) throw new Error(`trial ${t.trial} (${t.arch}) already has a result in ${path} (${t.result.status}${t.result.metric !== undefined ? ` ${t.result.metric}` : ''}); a journal is append-only`);
    const e: ResultEvent = {
      type: 'result', trial: t.trial, arch: t.arch, status: failed === undefined ? 'ok' : 'failed',
      ...(metric !== undefined ? { metric } : {}), ...(cost !== undefined ? { cost } : {}), ...(failed !== undefined ? { error: failed } : {}),
      time: new Date().toISOString(),
    };
    jf.append([e]);
    state.apply(e);
    saveSnapshot(ctx, o);
    const best = state.best();
    if (ctx.json) ctx.out(JSON.stringify({ trial: t.trial, arch: t.arch, status: e.status, best: best ? { trial: best.trial, arch: best.arch, metric: best.result!.metric } : null }));
    else ctx.note(`recorded trial ${t.trial}: ${e.status === 'ok' ? `metric ${metric}` : `failed (${failed})`}; best so far ${best ? `${best.result!.metric} (trial ${best.trial})` : 'none'}`);
  } finally {
    jf.close();
  }
}
