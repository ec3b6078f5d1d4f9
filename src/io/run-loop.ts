/**
 * `prednas run`: keep N evaluations of the user's command in flight, journaling every proposal
 * before its job starts and every outcome when it ends. The journal is the only state: after a
 * kill, re-running the same command replays it, reconciles the trials that were in flight with
 * what is still running (launcher.ts: local orphans are stopped and relaunched, Slurm jobs are
 * waited for or their results taken), and continues. Nothing is evaluated into the journal
 * twice, no trial has two live evaluations, and nothing asked is forgotten.
 */
import { sha256 } from './sha256.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { JournalFile } from './journal.js';
import { journalLine, type JournalHeader, type ResultEvent } from './journal-format.js';
import { replay, type SearchState, type Trial } from './journal-state.js';
import { localLauncher, trialToken, type EvalHandle, type Launcher } from './launcher.js';
import { thisHost } from './lock.js';
import { substitute, type EvalOutcome } from './run-eval.js';

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
  /** How evaluations run (default: local processes). Built once the trials folder is known. */
  readonly launcher?: (trialsDir: string) => Launcher;
  /** For resuming attempts a Slurm launcher made, when this run launches locally (or vice versa). */
  readonly reconcilers?: Partial<Record<Launcher['kind'], (trialsDir: string) => Launcher>>;
  /** What a resumed run did about each trial that was in flight (one line each). */
  readonly onNote?: (line: string) => void;
  /** Break the journal's lock whoever holds it. */
  readonly breakLock?: boolean;
  /** Attempts launched locally on another host are taken as gone. */
  readonly forgetOtherHosts?: boolean;
}

export interface RunProgress {
  readonly finished: number;
  readonly budget: number;
  readonly running: number;
  readonly ok: number;
  readonly failed: number;
  readonly timeout: number;
  readonly best: Trial | null;
  /** Trials that were in flight when a previous run was interrupted (adopted, taken or relaunched). */
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

/** A short id of the journal (hash of its header line), for the tokens that name its evaluations. */
export function journalId(h: JournalHeader): string {
  return sha256(journalLine(h)).slice(0, 10);
}

export async function runLoop(opts: RunLoopOptions): Promise<RunSummary> {
  const jf = JournalFile.open(opts.journalPath, opts.header, {
    purpose: 'prednas run', waitMs: 2000, breakHint: 'run the same command with --break-lock', ...(opts.breakLock === true ? { breakLock: true } : {}),
  });
  try {
    const state = replay(jf.parsed.header, jf.parsed.events, opts.journalPath);
    const dir = trialsDir(opts.journalPath);
    mkdirSync(dir, { recursive: true });
    const jid = journalId(state.header);
    const local = () => localLauncher({ timeoutMs: opts.timeoutMs, ...(opts.killGraceMs !== undefined ? { killGraceMs: opts.killGraceMs } : {}), ...(opts.forgetOtherHosts === true ? { forgetOtherHosts: true } : {}) });
    const launcher = opts.launcher?.(dir) ?? local();
    const reconcilers = new Map<string, Launcher>([[launcher.kind, launcher]]);
    const reconcilerFor = (kind: Launcher['kind']): Launcher => {
      let l = reconcilers.get(kind);
      if (l === undefined) {
        const make = kind === 'local' ? local : opts.reconcilers?.[kind];
        if (make === undefined) throw new Error(`the journal has trials launched with --launcher ${kind}; resume with --launcher ${kind}`);
        l = make(dir);
        reconcilers.set(kind, l);
      }
      return l;
    };
    const inflight = new Map<number, { handle: EvalHandle; done: Promise<number> }>();
    let exhausted = false;
    let fatal: Error | null = null;
    const aborted = () => opts.signal?.aborted === true || fatal !== null;
    const baseOf = (trial: number) => join(dir, `trial-${String(trial).padStart(4, '0')}`);

    const record = (t: Trial, o: EvalOutcome) => {
      const e: ResultEvent = {
        type: 'result', trial: t.trial, arch: t.arch, status: o.status, seconds: Math.round(o.seconds * 1000) / 1000,
        ...(o.metric !== undefined ? { metric: o.metric } : {}), ...(o.cost !== undefined ? { cost: o.cost } : {}),
        ...(o.error !== undefined ? { error: o.error } : {}), ...(o.extra !== undefined ? { extra: o.extra } : {}),
        time: new Date().toISOString(),
      };
      jf.append([e]);
      state.apply(e);
      opts.onTrialEnd?.(t);
    };
    const track = (t: Trial, handle: EvalHandle) => {
      const done = handle.done.then((o) => {
        // After an abort the outcome is a kill we caused, not the trial's result: leave it pending.
        if (!aborted()) record(t, o);
      }, (e: unknown) => {
        // The launcher cannot work (e.g. sbatch refuses the options): stop everything, report it.
        if (fatal === null) { fatal = e instanceof Error ? e : new Error(String(e)); onAbort(); }
      }).then(() => { inflight.delete(t.trial); return t.trial; });
      inflight.set(t.trial, { handle, done });
    };

    const launch = (t: Trial) => {
      const base = baseOf(t.trial);
      const archFile = `${base}.json`;
      writeFileAtomic(archFile, JSON.stringify({ trial: t.trial, space: state.space.name, arch: t.arch, config: state.space.parse(t.arch) }, null, 1) + '\n');
      const argv = substitute(opts.command, { arch: t.arch, arch_json_file: archFile, trial: String(t.trial) });
      const attempt = t.attempts.length + 1;
      const token = trialToken(jid, t.trial, attempt);
      // Journal the launch (fsync'd) before the evaluation exists, so a resumed run looks for it.
      const le = { type: 'launch', trial: t.trial, attempt, launcher: launcher.kind, host: thisHost(), token, time: new Date().toISOString() } as const;
      jf.append([le]);
      state.apply(le);
      const handle = launcher.start({ trial: t.trial, attempt, token, argv, base }, (job) => {
        const je = { type: 'job', trial: t.trial, attempt, ...job, time: new Date().toISOString() } as const;
        jf.append([je]);
        state.apply(je);
      });
      track(t, handle);
    };

    // Trials in flight when an earlier run stopped: find out what became of their evaluations.
    const relaunch: Trial[] = [];
    const pending = state.pending();
    for (const t of pending) {
      const last = t.attempts[t.attempts.length - 1];
      if (last === undefined) {
        opts.onNote?.(`trial ${t.trial}: asked but never launched by the interrupted run; launching it`);
        relaunch.push(t);
        continue;
      }
      const r = await reconcilerFor(last.launch.launcher).reconcile(t.trial, last, baseOf(t.trial));
      opts.onNote?.(r.note);
      if (r.action === 'adopt') track(t, r.handle);
      else if (r.action === 'outcome') record(t, r.outcome);
      else relaunch.push(t);
    }
    const resumed = pending.length;

    const nextTrial = (): Trial | null => {
      const r = relaunch.shift();
      if (r !== undefined) return r;
      if (exhausted || state.trials.length >= opts.budget) return null;
      const p = state.next();
      if (p === null) { exhausted = true; return null; }
      // Journal the proposal (fsync'd) before anything is launched for it.
      jf.append([{ type: 'ask', trial: p.trial, arch: p.arch, time: new Date().toISOString() }]);
      state.apply({ type: 'ask', trial: p.trial, arch: p.arch, time: '' });
      return state.trials[p.trial - 1]!;
    };

    function onAbort() { for (const f of inflight.values()) f.handle.cancel(); }
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
    if (fatal !== null) throw fatal;
    return { ...progress(state, opts.budget, 0, resumed), interrupted: aborted(), exhausted, trialsDir: dir, header: state.header };
  } finally {
    jf.close();
  }
}
