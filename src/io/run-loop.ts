/**
 * `prednas run`: keep N evaluations of the user's command in flight, journaling every proposal
 * before its job starts and every outcome when it ends. The journal is the only state: after a
 * kill, re-running the same command replays it, relaunches the trials that were in flight (their
 * results never reached the journal) and continues. Nothing is evaluated into the journal twice,
 * and nothing asked is forgotten.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { JournalFile } from './journal.js';
import type { JournalHeader, ResultEvent } from './journal-format.js';
import { replay, type SearchState, type Trial } from './journal-state.js';
import { runEval, substitute, type RunningEval } from './run-eval.js';

export interface RunLoopOptions {
  readonly journalPath: string;
  /** Header for a new journal; an existing journal keeps its own (the caller checks they agree). */
  readonly header: JournalHeader;
  readonly command: readonly string[];
  readonly concurrency: number;
  readonly budget: number;
  readonly timeoutMs: number;
  readonly killGraceMs?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: RunProgress) => void;
  readonly onTrialEnd?: (t: Trial) => void;
}

export interface RunProgress {
  readonly finished: number;
  readonly budget: number;
  readonly running: number;
  readonly ok: number;
  readonly failed: number;
  readonly timeout: number;
  readonly best: Trial | null;
  /** Trials resumed from a previous, interrupted run (launched again). */
  readonly resumed: number;
}

export interface RunSummary extends RunProgress {
  readonly interrupted: boolean;
  /** The search had no fresh architecture left before the budget was reached. */
  readonly exhausted: boolean;
  readonly trialsDir: string;
  readonly header: JournalHeader;
}

export function trialsDir(journalPath: string): string {
  return journalPath.replace(/\.jsonl?$/i, '') + '.trials';
}

function progress(state: SearchState, budget: number, running: number, resumed: number): RunProgress {
  let ok = 0, failed = 0, timeout = 0;
  for (const t of state.trials) {
    if (t.result?.status === 'ok') ok++;
    else if (t.result?.status === 'failed') failed++;
    else if (t.result?.status === 'timeout') timeout++;
  }
  return { finished: ok + failed + timeout, budget, running, ok, failed, timeout, best: state.best(), resumed };
}

export async function runLoop(opts: RunLoopOptions): Promise<RunSummary> {
  const jf = JournalFile.open(opts.journalPath, opts.header, { purpose: 'prednas run', waitMs: 2000 });
  try {
    const state = replay(jf.parsed.header, jf.parsed.events, opts.journalPath);
    const dir = trialsDir(opts.journalPath);
    mkdirSync(dir, { recursive: true });
    const resume = state.pending().map((t) => t.trial);
    const resumed = resume.length;
    const inflight = new Map<number, { run: RunningEval; done: Promise<number> }>();
    let exhausted = false;
    const aborted = () => opts.signal?.aborted === true;

    const launch = (t: Trial) => {
      const base = join(dir, `trial-${String(t.trial).padStart(4, '0')}`);
      const archFile = `${base}.json`;
      writeFileAtomic(archFile, JSON.stringify({ trial: t.trial, space: state.space.name, arch: t.arch, config: state.space.parse(t.arch) }, null, 1) + '\n');
      const argv = substitute(opts.command, { arch: t.arch, arch_json_file: archFile, trial: String(t.trial) });
      const run = runEval(argv, { timeoutMs: opts.timeoutMs, logPath: `${base}.log`, ...(opts.killGraceMs !== undefined ? { killGraceMs: opts.killGraceMs } : {}) });
      const done = run.done.then((o) => {
        // After an abort the outcome is a kill we caused, not the trial's result: leave it pending.
        if (!aborted()) {
          const e: ResultEvent = {
            type: 'result', trial: t.trial, arch: t.arch, status: o.status, seconds: Math.round(o.seconds * 1000) / 1000,
            ...(o.metric !== undefined ? { metric: o.metric } : {}), ...(o.cost !== undefined ? { cost: o.cost } : {}),
            ...(o.error !== undefined ? { error: o.error } : {}), ...(o.extra !== undefined ? { extra: o.extra } : {}),
            time: new Date().toISOString(),
          };
          jf.append([e]);
          state.apply(e);
          opts.onTrialEnd?.(t);
        }
        inflight.delete(t.trial);
        return t.trial;
      });
      inflight.set(t.trial, { run, done });
    };

    const nextTrial = (): Trial | null => {
      const r = resume.shift();
      if (r !== undefined) return state.trials[r - 1]!;
      if (exhausted || state.trials.length >= opts.budget) return null;
      const p = state.next();
      if (p === null) { exhausted = true; return null; }
      // Journal the proposal (fsync'd) before anything is launched for it.
      jf.append([{ type: 'ask', trial: p.trial, arch: p.arch, time: new Date().toISOString() }]);
      state.apply({ type: 'ask', trial: p.trial, arch: p.arch, time: '' });
      return state.trials[p.trial - 1]!;
    };

    const onAbort = () => { for (const f of inflight.values()) f.run.kill(); };
    opts.signal?.addEventListener('abort', onAbort);
    try {
      for (;;) {
        while (!aborted() && inflight.size < opts.concurrency) {
          const t = nextTrial();
          if (t === null) break;
          launch(t);
        }
        opts.onProgress?.(progress(state, opts.budget, inflight.size, resumed));
        if (inflight.size === 0) break;
        await Promise.race([...inflight.values()].map((f) => f.done));
      }
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
    return { ...progress(state, opts.budget, 0, resumed), interrupted: aborted(), exhausted, trialsDir: dir, header: state.header };
  } finally {
    jf.close();
  }
}
