/**
 * Trials as Slurm jobs (Node only). Each evaluation is submitted with `sbatch --parsable` and
 * then watched by polling `squeue`, rather than held open with `sbatch --wait` or `srun`:
 * - the job id is known (and journaled) the moment sbatch returns, before the job has started,
 *   so a resumed coordinator can find the job whatever happened to the one that submitted it;
 * - nothing in the coordinator has to stay alive for the job to finish: a killed coordinator
 *   leaves jobs that run to completion, and the resumed one adopts them or their results
 *   instead of running the trial twice (an `srun` step or `sbatch --wait` client would die with
 *   it, and srun's job with it);
 * - one squeue call per poll covers every job in flight, however many.
 * The job runs a small wrapper that executes the command exactly as given (no shell parsing of
 * its arguments) and writes its exit status next to the job's output, so the outcome is known
 * without Slurm accounting (many clusters' users cannot run sacct, and single-node set-ups have
 * no slurmdbd). The job is named after the attempt's token so it can be found by name even when
 * the coordinator died before journaling the id.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import type { Attempt } from './journal-state.js';
import type { EvalHandle, Launcher, Reconciled } from './launcher.js';
import { thisHost } from './lock.js';
import { parseResultLine, type EvalOutcome } from './run-eval.js';

export interface SlurmLauncherOptions {
  /** Per evaluation, from the moment Slurm reports it RUNNING (queue time does not count); 0 = none. */
  readonly timeoutMs: number;
  /** Extra sbatch options, passed through (partition, gres, time, account, ...). */
  readonly sbatchArgs: readonly string[];
  /** How often squeue is asked about the jobs in flight. */
  readonly pollMs: number;
}

/** sbatch options prednas sets itself; giving them again would break how it tracks the job. */
const RESERVED = ['--job-name', '-J', '--output', '-o', '--error', '-e', '--parsable', '--wait', '-W', '--array', '-a', '--wrap', '--open-mode'];

export function checkSbatchArgs(args: readonly string[]): void {
  for (const a of args) {
    const name = a.startsWith('--') ? a.split('=')[0]! : a.slice(0, 2);
    if (RESERVED.includes(name)) throw new Error(`--sbatch: ${name} is set by prednas (the job name carries the trial's token, output goes to the trials folder, the job is polled, not waited for); remove it`);
  }
}

const ACTIVE = new Set(['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'RESIZING', 'SIGNALING', 'STAGE_OUT', 'STOPPED', 'RESV_DEL_HOLD', 'POWER_UP_NODE']);

interface JobInfo { readonly id: string; readonly name: string; readonly state: string }

function run(cmd: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err !== null) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') reject(new Error(`${cmd} not found: --launcher slurm needs Slurm's commands on this machine (the login node); for a single-machine test cluster see scripts/slurm-local.sh`));
        else reject(new Error(`${cmd} ${args.slice(0, 3).join(' ')}… failed: ${(stderr || err.message).trim().split('\n').pop()}`));
        return;
      }
      resolve(stdout);
    });
  });
}

/** This user's jobs, including recently finished ones (squeue -t all). */
export async function squeueJobs(): Promise<Map<string, JobInfo>> {
  const out = await run('squeue', ['-h', '-t', 'all', '-u', userInfo().username, '-o', '%i|%j|%T']);
  const jobs = new Map<string, JobInfo>();
  for (const line of out.split('\n')) {
    const [id, name, state] = line.trim().split('|');
    if (id && name !== undefined && state) jobs.set(id, { id, name, state });
  }
  return jobs;
}

/** Wait (up to a minute) until no sbatch on this host is submitting a job with this name. */
async function waitForSubmitters(token: string): Promise<void> {
  const needle = Buffer.from(`--job-name=${token}\0`);
  const deadline = Date.now() + 60_000;
  for (;;) {
    let busy = false;
    let names: string[] = [];
    try { names = readdirSync('/proc'); } catch { return; /* no /proc: nothing to look at */ }
    for (const n of names) {
      if (!/^\d+$/.test(n)) continue;
      try { if (readFileSync(`/proc/${n}/cmdline`).includes(needle)) { busy = true; break; } } catch { /* gone */ }
    }
    if (!busy || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const WRAPPER = `#!/bin/sh
# Written by prednas run: one trial as a Slurm job. $1 is where the command's exit status goes;
# the rest is the command, executed as given ("$@": its arguments are never re-parsed).
rc_file=$1
shift
"$@"
rc=$?
printf '%s\\n' "$rc" > "$rc_file.tmp" && mv -f "$rc_file.tmp" "$rc_file"
exit "$rc"
`;

function files(base: string, attempt: number) {
  const p = `${base}.a${attempt}`;
  return { out: `${p}.out`, err: `${p}.err`, rc: `${p}.rc` };
}

/** The outcome of a job that finished running the command, from its exit status file and output. */
function outcomeFromFiles(f: ReturnType<typeof files>, jobId: string, seconds: number): EvalOutcome | null {
  if (!existsSync(f.rc)) return null;
  const rc = Number(readFileSync(f.rc, 'utf8').trim());
  const read = (p: string) => { try { return readFileSync(p, 'utf8'); } catch { return ''; } };
  if (rc !== 0) {
    const last = read(f.err).trim().split('\n').pop() ?? '';
    return { status: 'failed', seconds, error: `exit code ${rc} (Slurm job ${jobId})${last ? `: ${last.slice(0, 300)}` : ''}` };
  }
  const r = parseResultLine(read(f.out));
  return r.error !== undefined ? { status: 'failed', seconds, error: `${r.error} (Slurm job ${jobId})` } : { status: 'ok', seconds, ...r };
}

interface Watch {
  readonly jobId: string;
  readonly f: ReturnType<typeof files>;
  readonly t0: number;
  runningSince: number | null;
  /** Polls for which the job has ended but its exit-status file is not visible yet (shared FS lag). */
  missing: number;
  readonly resolve: (o: EvalOutcome) => void;
}

export function slurmLauncher(opts: SlurmLauncherOptions, trialsDir: string): Launcher {
  checkSbatchArgs(opts.sbatchArgs);
  const wrapper = join(trialsDir, 'prednas-slurm-job.sh');
  let wrapperWritten = false;
  const watches = new Map<string, Watch>();
  let timer: NodeJS.Timeout | null = null;
  let polling = false;
  const hasTime = opts.sbatchArgs.some((a) => a.startsWith('--time') || a.startsWith('-t'));

  const finish = (w: Watch, o: EvalOutcome) => {
    watches.delete(w.jobId);
    if (watches.size === 0 && timer !== null) { clearInterval(timer); timer = null; }
    w.resolve(o);
  };
  const scancel = (id: string) => run('scancel', [id]).catch(() => { /* already gone */ });

  const poll = async () => {
    if (polling || watches.size === 0) return;
    polling = true;
    try {
      let jobs: Map<string, JobInfo>;
      const asked = performance.now();
      try { jobs = await squeueJobs(); } catch { return; /* slurmctld busy or restarting: ask again next time */ }
      const now = performance.now();
      for (const w of [...watches.values()]) {
        // Submitted while squeue was answering: its absence from this answer means nothing yet.
        if (w.t0 >= asked) continue;
        const j = jobs.get(w.jobId);
        const seconds = (now - w.t0) / 1000;
        if (j !== undefined && ACTIVE.has(j.state)) {
          if (j.state === 'RUNNING' && w.runningSince === null) w.runningSince = now;
          if (opts.timeoutMs > 0 && w.runningSince !== null && now - w.runningSince > opts.timeoutMs) {
            void scancel(w.jobId);
            finish(w, { status: 'timeout', seconds, error: `timed out after ${(opts.timeoutMs / 1000).toFixed(1)} s (Slurm job ${w.jobId} cancelled)` });
          }
          continue;
        }
        const o = outcomeFromFiles(w.f, w.jobId, seconds);
        if (o !== null) { finish(w, o); continue; }
        // Ended normally but the status file is not visible yet: give a shared file system time.
        if ((j?.state === 'COMPLETED' || j?.state === 'FAILED') && ++w.missing < 5) continue;
        const state = j?.state ?? 'gone from squeue';
        finish(w, state === 'TIMEOUT'
          ? { status: 'timeout', seconds, error: `Slurm job ${w.jobId} reached its time limit` }
          : { status: 'failed', seconds, error: `Slurm job ${w.jobId} ended (${state}) without the command finishing` });
      }
    } finally {
      polling = false;
    }
  };

  const watch = (jobId: string, f: ReturnType<typeof files>, runningSince: number | null = null): Promise<EvalOutcome> => new Promise((resolve) => {
    watches.set(jobId, { jobId, f, t0: performance.now(), runningSince, missing: 0, resolve });
    if (timer === null) timer = setInterval(() => { void poll(); }, opts.pollMs);
  });

  const cancelWatch = (jobId: string) => {
    const w = watches.get(jobId);
    void scancel(jobId);
    if (w !== undefined) finish(w, { status: 'failed', seconds: (performance.now() - w.t0) / 1000, error: `cancelled (Slurm job ${jobId})` });
  };

  return {
    kind: 'slurm',
    start(req, onJob): EvalHandle {
      if (!wrapperWritten) { writeFileAtomic(wrapper, WRAPPER); wrapperWritten = true; }
      const f = files(req.base, req.attempt);
      let jobId: string | null = null;
      let cancelled = false;
      // Slurm's own limit backs up ours in case this coordinator dies: the timeout plus a minute.
      const time = opts.timeoutMs > 0 && !hasTime ? [`--time=${Math.ceil(opts.timeoutMs / 60_000) + 1}`] : [];
      const args = ['--parsable', `--job-name=${req.token}`, `--output=${f.out}`, `--error=${f.err}`, `--chdir=${dirname(req.base)}`, ...time, ...opts.sbatchArgs, wrapper, f.rc, ...req.argv];
      const done = run('sbatch', args).then((out) => {
        const id = out.trim().split(';')[0]!;
        if (!/^\d+$/.test(id)) throw new Error(`sbatch printed no job id (got ${JSON.stringify(out.trim().slice(0, 100))})`);
        jobId = id;
        onJob({ jobId: id });
        const p = watch(id, f);
        if (cancelled) cancelWatch(id);
        return p;
      });
      return { done, cancel: () => { cancelled = true; if (jobId !== null) cancelWatch(jobId); } };
    },
    async reconcile(trial, a: Attempt, base): Promise<Reconciled> {
      const f = files(base, a.launch.attempt);
      // A killed coordinator's sbatch may still be submitting (it is a separate process): let it
      // finish first, or the job it creates would be missed below and the trial launched twice.
      if (a.job === null && a.launch.host === thisHost()) await waitForSubmitters(a.launch.token);
      const jobs = await squeueJobs();
      let id = a.job?.jobId;
      if (id === undefined) {
        // The run stopped between sbatch and journaling the id: find the job by its name.
        const named = [...jobs.values()].filter((j) => j.name === a.launch.token).sort((x, y) => Number(x.id) - Number(y.id));
        for (const extra of named.slice(1)) await scancel(extra.id);
        id = named[0]?.id;
      }
      if (id === undefined) {
        const o = outcomeFromFiles(f, '?', 0);
        if (o !== null) return { action: 'outcome', outcome: o, note: `trial ${trial}: its Slurm job finished while prednas was not running; taking its result` };
        return { action: 'relaunch', note: `trial ${trial}: no Slurm job was submitted for attempt ${a.launch.attempt} (the run stopped before sbatch returned); launching it` };
      }
      const j = jobs.get(id);
      if (j !== undefined && ACTIVE.has(j.state)) {
        const handle: EvalHandle = { done: watch(id, f, j.state === 'RUNNING' ? performance.now() : null), cancel: () => cancelWatch(id!) };
        return { action: 'adopt', handle, note: `trial ${trial}: Slurm job ${id} from the interrupted run is ${j.state.toLowerCase()}; waiting for it instead of launching the trial again` };
      }
      const o = outcomeFromFiles(f, id, 0);
      if (o !== null) return { action: 'outcome', outcome: o, note: `trial ${trial}: Slurm job ${id} finished while prednas was not running; taking its result` };
      return { action: 'relaunch', note: `trial ${trial}: Slurm job ${id} ended (${j?.state ?? 'gone from squeue'}) without the command finishing; launching it again` };
    },
  };
}
