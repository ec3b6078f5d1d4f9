/**
 * Where `prednas run` evaluates a trial (Node only): as a local process group (the default) or
 * as a Slurm job (launcher-slurm.ts). Both follow one protocol with the journal, so that a run
 * killed at any point (SIGKILL, node failure) never has two live evaluations of one trial:
 *   1. a `launch` event (trial, attempt, host, token) is fsync'd before the evaluation exists;
 *   2. the evaluation is started carrying the token (environment variable / Slurm job name);
 *   3. a `job` event records its process group or Slurm job id;
 *   4. its outcome becomes the trial's `result` event.
 * On resume, each pending trial's latest attempt is reconciled with what is actually running
 * (found by its recorded ids, or by its token if the run died between 2 and 3).
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { JobEvent, LaunchEvent } from './journal-format.js';
import type { Attempt } from './journal-state.js';
import { processStart, thisHost } from './lock.js';
import { runEval, type EvalOutcome } from './run-eval.js';

export type LauncherKind = 'local' | 'slurm';

/** One evaluation to start. */
export interface EvalRequest {
  readonly trial: number;
  readonly attempt: number;
  readonly token: string;
  readonly argv: readonly string[];
  /** Per-trial path prefix (…/trial-0007): logs and outputs are written next to it. */
  readonly base: string;
}

export interface EvalHandle {
  /** The outcome; rejects only when the launcher itself cannot work (e.g. sbatch refuses options). */
  readonly done: Promise<EvalOutcome>;
  /** Stop the evaluation (Ctrl-C): kill the process group / scancel the job. */
  cancel(): void;
}

/** What a resumed run does with a pending trial's latest attempt. */
export type Reconciled =
  | { readonly action: 'adopt'; readonly handle: EvalHandle; readonly note: string }
  | { readonly action: 'outcome'; readonly outcome: EvalOutcome; readonly note: string }
  | { readonly action: 'relaunch'; readonly note: string };

export interface Launcher {
  readonly kind: LauncherKind;
  /** Start an evaluation; `onJob` is called once the process/job exists, with what to journal. */
  start(req: EvalRequest, onJob: (job: Omit<JobEvent, 'type' | 'trial' | 'attempt' | 'time'>) => void): EvalHandle;
  /** Decide about an attempt launched by an earlier, interrupted run (same launcher kind). */
  reconcile(trial: number, attempt: Attempt, base: string): Promise<Reconciled>;
}

/** The environment variable that carries a local evaluation's token (inherited by its children). */
export const TOKEN_ENV = 'PREDNAS_TRIAL_TOKEN';

export function trialToken(journalId: string, trial: number, attempt: number): string {
  return `prednas-${journalId}-t${trial}-a${attempt}`;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Process state letter from /proc (R, S, Z, ...); null when the process is gone or /proc is absent. */
function procState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
}

const HAVE_PROC = (() => { try { readdirSync('/proc/self'); return true; } catch { return false; } })();

/** Live (not zombie) processes whose environment carries this token, on Linux. */
export function processesWithToken(token: string): number[] {
  if (!HAVE_PROC) return [];
  const needle = Buffer.from(`${TOKEN_ENV}=${token}\0`);
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    let env: Buffer;
    try { env = readFileSync(`/proc/${pid}/environ`); } catch { continue; }
    // The variable may be the first entry (no NUL before it) or any later one.
    const i = env.indexOf(needle.subarray(0, needle.length - 1));
    if (i < 0 || (i > 0 && env[i - 1] !== 0)) continue;
    const end = env[i + needle.length - 1];
    if (end !== 0 && end !== undefined) continue;
    if (procState(pid) !== 'Z') found.push(pid);
  }
  return found;
}

/**
 * Is the recorded process group of this attempt still alive and still ours? A group id cannot be
 * reused while any member lives; if its leader is alive it must also have the recorded start time.
 */
function groupAlive(job: JobEvent | null): boolean {
  if (job?.pgid === undefined) return false;
  try { process.kill(-job.pgid, 0); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false; }
  const leaderState = procState(job.pgid);
  if (leaderState === null || leaderState === 'Z' || job.start == null) return true;
  const now = processStart(job.pgid);
  return now === null || now === job.start;
}

function signalAll(pgid: number | undefined, pids: readonly number[], sig: NodeJS.Signals): void {
  if (pgid !== undefined) { try { process.kill(-pgid, sig); } catch { /* gone */ } }
  for (const p of pids) { try { process.kill(p, sig); } catch { /* gone */ } }
}

/**
 * Stop what is left of a local attempt: its process group and every process carrying its token
 * (children that made their own group). SIGTERM, then SIGKILL after the grace period; returns
 * once nothing is left (these are not our children: we poll rather than wait).
 */
export async function stopLocalAttempt(a: Attempt, graceMs: number): Promise<{ pgid?: number; processes: number }> {
  const token = a.launch.token;
  const pgid = groupAlive(a.job) ? a.job!.pgid : undefined;
  const pids = processesWithToken(token);
  if (pgid === undefined && pids.length === 0) return { processes: 0 };
  signalAll(pgid, pids, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  let killed = false;
  for (;;) {
    const left = processesWithToken(token);
    const groupLeft = pgid !== undefined && groupAlive(a.job);
    if (left.length === 0 && !groupLeft) break;
    if (!killed && Date.now() > deadline) { signalAll(groupLeft ? pgid : undefined, left, 'SIGKILL'); killed = true; }
    if (killed && Date.now() > deadline + 10_000) throw new Error(`trial ${a.launch.trial}: processes ${left.join(', ')} survive SIGKILL; stop them by hand and resume`);
    await sleep(50);
  }
  return { ...(pgid !== undefined ? { pgid } : {}), processes: new Set([...(pgid !== undefined ? [pgid] : []), ...pids]).size };
}

export interface LocalLauncherOptions {
  readonly timeoutMs: number;
  readonly killGraceMs?: number;
  /** Treat attempts launched on another host as gone (the user checked; see `--forget-host`). */
  readonly forgetOtherHosts?: boolean;
}

/**
 * Local processes. An orphan of an interrupted run is stopped and its trial relaunched rather
 * than adopted: a new coordinator is not its parent, so it can neither read its stdout (the pipe
 * died with the old run) nor learn its exit status.
 */
export function localLauncher(opts: LocalLauncherOptions): Launcher {
  const grace = opts.killGraceMs ?? 5000;
  return {
    kind: 'local',
    start(req, onJob) {
      const run = runEval(req.argv, { timeoutMs: opts.timeoutMs, logPath: `${req.base}.log`, killGraceMs: grace, env: { [TOKEN_ENV]: req.token } });
      if (run.pid !== undefined) onJob({ pid: run.pid, pgid: run.pid, start: processStart(run.pid) });
      return { done: run.done, cancel: () => run.kill() };
    },
    async reconcile(trial, a) {
      const host = thisHost();
      if (a.launch.host !== host) {
        if (opts.forgetOtherHosts === true) return { action: 'relaunch', note: `trial ${trial}: attempt ${a.launch.attempt} ran on host ${a.launch.host}; --forget-host given, so it is taken as gone: relaunching` };
        throw new Error(`trial ${trial} was being evaluated by a run on host ${a.launch.host} (attempt ${a.launch.attempt}); from ${host} prednas cannot see or stop that process, so it will not start a second copy: resume on ${a.launch.host}, or, if nothing of it runs any more there, pass --forget-host`);
      }
      const stopped = await stopLocalAttempt(a, grace);
      const what = stopped.processes === 0
        ? 'its process from the interrupted run is gone'
        : `stopped ${stopped.processes} process${stopped.processes === 1 ? '' : 'es'} left running by the interrupted run${stopped.pgid !== undefined ? ` (process group ${stopped.pgid})` : ''}`;
      return { action: 'relaunch', note: `trial ${trial}: ${what}; relaunching it` };
    },
  };
}

export type { LaunchEvent };
