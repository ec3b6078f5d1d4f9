/**
 * `prednas status --journal F`: where a journal stands — trials done, failed, pending (suggested,
 * no result yet) and in flight (launched by `prednas run`, no result yet), and the best so far.
 * Reads the journal only (no lock): safe while `prednas run` is appending to it.
 */
import { resolve } from 'node:path';
import { readJournal } from '../../io/journal.js';
import { need, type Ctx } from '../context.js';

export const STATUS_FLAGS = { journal: { type: 'string' } } as const;

export const STATUS_HELP = `prednas status — progress of a journal: done, failed, pending, in flight, best so far

Usage: prednas status --journal FILE [--json]

  done        trials with an ok result
  failed      trials whose evaluation failed or timed out (never proposed again)
  in flight   trials \`prednas run\` launched that have no result yet
  pending     trials suggested (\`prednas suggest\`) that have no result yet
Best so far: the ok trial with the highest metric (lowest for a journal started with --minimize).
`;

export interface TrialStatus {
  readonly trial: number;
  readonly arch: string;
  readonly state: 'done' | 'failed' | 'in flight' | 'pending';
  readonly metric?: number;
  readonly status?: string;
  readonly error?: string;
}

export interface JournalStatus {
  readonly journal: string;
  readonly space: string;
  readonly algo: string;
  readonly seed: number;
  readonly direction: 'max' | 'min';
  readonly prednas: string | null;
  readonly counts: { trials: number; done: number; failed: number; inFlight: number; pending: number };
  readonly best: { trial: number; arch: string; metric: number } | null;
  readonly trials: TrialStatus[];
}

export function journalStatus(path: string): JournalStatus {
  const j = readJournal(path);
  const h = j.header;
  const trials = new Map<number, { trial: number; arch: string; launched: boolean; result?: { status: string; metric?: number; error?: string } }>();
  for (const e of j.events) {
    // Viewed loosely: besides ask/result, a journal that `prednas run` drives records launches.
    const ev = e as { type: string; trial: number; arch?: string; status?: string; metric?: number; error?: string };
    if (ev.type === 'ask') trials.set(ev.trial, { trial: ev.trial, arch: ev.arch!, launched: false });
    else if (ev.type === 'launch') { const t = trials.get(ev.trial); if (t) t.launched = true; }
    else if (ev.type === 'result') {
      const t = trials.get(ev.trial);
      if (t) t.result = { status: ev.status!, ...(ev.metric !== undefined ? { metric: ev.metric } : {}), ...(ev.error !== undefined ? { error: ev.error } : {}) };
    }
  }
  const list: TrialStatus[] = [...trials.values()].map((t) => {
    const r = t.result;
    const state = r === undefined ? (t.launched ? 'in flight' : 'pending') : r.status === 'ok' ? 'done' : 'failed';
    return { trial: t.trial, arch: t.arch, state, ...(r?.metric !== undefined ? { metric: r.metric } : {}), ...(r ? { status: r.status } : {}), ...(r?.error !== undefined ? { error: r.error } : {}) };
  });
  const sign = h.direction === 'min' ? -1 : 1;
  let best: JournalStatus['best'] = null;
  for (const t of list) if (t.state === 'done' && (best === null || sign * t.metric! > sign * best.metric)) best = { trial: t.trial, arch: t.arch, metric: t.metric! };
  const count = (s: TrialStatus['state']) => list.filter((t) => t.state === s).length;
  return {
    journal: path,
    space: h.space.kind === 'builtin' ? h.space.name : `spec '${(h.space.spec as { name?: string }).name ?? '?'}'`,
    algo: h.algo, seed: h.seed, direction: h.direction,
    prednas: (h as { prednas?: string }).prednas ?? null,
    counts: { trials: list.length, done: count('done'), failed: count('failed'), inFlight: count('in flight'), pending: count('pending') },
    best,
    trials: list,
  };
}

export function status(ctx: Ctx): void {
  const s = journalStatus(resolve(need(ctx.v, 'journal', 'the journal of prednas run or suggest')));
  if (ctx.json) {
    ctx.out(JSON.stringify(s));
    return;
  }
  const c = s.counts;
  const ids = (state: TrialStatus['state']) => s.trials.filter((t) => t.state === state).map((t) => t.trial).join(', ');
  const lines = [
    `${s.journal}: ${s.space}, ${s.algo} seed ${s.seed}, ${s.direction === 'min' ? 'minimising' : 'maximising'}${s.prednas ? ` (prednas ${s.prednas})` : ''}`,
    `${c.trials} trial${c.trials === 1 ? '' : 's'}: ${c.done} done, ${c.failed} failed, ${c.inFlight} in flight, ${c.pending} pending`,
    s.best ? `best so far: trial ${s.best.trial}, metric ${s.best.metric}  ${s.best.arch}` : 'best so far: none (no ok result yet)',
  ];
  if (c.inFlight > 0) lines.push(`in flight: ${ids('in flight')}`);
  if (c.pending > 0) lines.push(`pending: ${ids('pending')}`);
  for (const t of s.trials.filter((x) => x.state === 'failed')) lines.push(`failed: trial ${t.trial} (${t.status}${t.error ? `: ${t.error.slice(0, 100)}` : ''})`);
  ctx.out(lines.join('\n'));
}
