/** `prednas run`: drive the user's training command per candidate, N in flight, journaled. */
import { runLoop } from '../../io/run-loop.js';
import { parseDuration, splitTemplate } from '../../io/run-eval.js';
import { checkSbatchArgs, slurmLauncher } from '../../io/launcher-slurm.js';
import { parseChoice, parseIntFlag } from '../args.js';
import { need, str, UsageError, type Ctx } from '../context.js';
import { journalHeader, SEARCH_SETUP_FLAGS, SEARCH_SETUP_HELP } from './ask-tell-common.js';

export const RUN_FLAGS = {
  ...SEARCH_SETUP_FLAGS, eval: { type: 'string' }, concurrency: { type: 'string' }, budget: { type: 'string' }, timeout: { type: 'string' },
  launcher: { type: 'string' }, sbatch: { type: 'string' }, poll: { type: 'string' }, 'break-lock': { type: 'boolean' }, 'forget-host': { type: 'boolean' },
} as const;

export const RUN_HELP = `prednas run — search with your own training command

Usage: prednas run --space nb201|SPEC.json --eval 'CMD ...' --journal run.jsonl --budget N [options]

  --eval 'CMD ARGS'  the command to run per candidate, with placeholders inside arguments:
                       {arch}            the architecture's string (e.g. NB-201's |nor_conv_3x3~0|+...)
                       {arch_json_file}  path of a JSON file {"trial", "space", "arch", "config"}
                       {trial}           the trial number
                     It is split into arguments once ('…' and "…" quote) and run without a shell:
                     architecture strings can never be interpreted as shell syntax. The command
                     prints its result as the last JSON line on stdout: {"metric": 73.1, ...}.
  --budget N         total trials (default 100)
  --concurrency N    evaluations in flight (default 1); with Slurm, jobs queued or running
  --timeout T        per evaluation: 90s, 30m, 2h (default none); time-outs are recorded. With
                     Slurm it counts from the job's start (queue time is free), and the job also
                     gets --time of T plus a minute unless --sbatch sets one
  --launcher L       local (default): a process group per trial on this machine;
                     slurm: each trial is a Slurm job (sbatch --parsable, then squeue polling)
  --sbatch='OPTS'    options for every job, e.g. --sbatch='--partition=gpu --gres=gpu:1 --time=2:00:00
                     --account=proj' (quoted like --eval; the job name, output and error files
                     are prednas's)
  --poll T           how often squeue is asked about the jobs (default 2s)
  --break-lock       take the journal's lock even if it names another host (check first that
                     that run is gone)
  --forget-host      resume trials whose local evaluation ran on another host as if it were gone
${SEARCH_SETUP_HELP}

Failures and time-outs are recorded and not retried. Kill it at any time (even kill -9) and run
the same command again: it resumes from the journal. Trials that were in flight are reconciled,
and what was done is printed: a local evaluation left running is stopped and relaunched; a
Slurm job still queued or running is waited for, one that finished meanwhile gives its result,
one that died is launched again. No trial ever has two live evaluations. Per-trial files (arch
JSON, logs, Slurm output) go to <journal>.trials/.
`;

export async function run(ctx: Ctx): Promise<void> {
  const { v } = ctx;
  const template = need(v, 'eval', "the training command, e.g. --eval 'python train.py --arch {arch_json_file}'");
  let command: string[];
  try {
    command = splitTemplate(template);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const concurrency = parseIntFlag('concurrency', str(v, 'concurrency'), 1);
  const budget = parseIntFlag('budget', str(v, 'budget'), 100);
  const to = str(v, 'timeout');
  let timeoutMs = 0;
  try {
    timeoutMs = to === undefined ? 0 : parseDuration(to);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const kind = parseChoice('launcher', str(v, 'launcher'), ['local', 'slurm'] as const, 'local');
  let sbatchArgs: string[] = [];
  const sb = str(v, 'sbatch');
  if (sb !== undefined) {
    if (kind !== 'slurm') throw new UsageError('--sbatch needs --launcher slurm');
    try {
      sbatchArgs = splitTemplate(sb);
      checkSbatchArgs(sbatchArgs);
    } catch (e) {
      throw new UsageError((e as Error).message.replace(/^--eval/, '--sbatch'));
    }
  }
  let pollMs = 2000;
  try {
    const p = str(v, 'poll');
    if (p !== undefined) pollMs = parseDuration(p);
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^--timeout/, '--poll'));
  }
  const slurm = (dir: string) => slurmLauncher({ timeoutMs, sbatchArgs, pollMs }, dir);
  const { path, header } = journalHeader(v);
  const bar = ctx.progress('run');
  const ac = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    // First signal: stop launching, stop the running jobs (their trials stay pending and are
    // relaunched on resume). A second signal exits at once; the journal is consistent either way.
    if (signals > 1) process.exit(130);
    bar.log(`prednas run: ${sig} — stopping the running evaluations; run the same command again to resume`);
    ac.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const s = await runLoop({
      journalPath: path, header, command, concurrency, budget, timeoutMs, signal: ac.signal,
      ...(kind === 'slurm' ? { launcher: slurm } : {}), reconcilers: { slurm },
      breakLock: v['break-lock'] === true, forgetOtherHosts: v['forget-host'] === true,
      onNote: (line) => bar.log(`prednas run: ${line}`),
      onProgress: (p) => bar.update(p.finished, p.budget, `· ${p.running} running · ok ${p.ok} · failed ${p.failed} · timeout ${p.timeout}` +
        (p.best ? ` · best ${p.best.result!.metric} (trial ${p.best.trial})` : '') + (p.resumed > 0 ? ` · ${p.resumed} resumed` : '')),
      onTrialEnd: (t) => {
        if (t.result!.status !== 'ok' && ctx.v['verbose'] === true) bar.log(`trial ${t.trial} ${t.result!.status}: ${t.result!.error ?? ''}`);
      },
    });
    bar.done();
    const best = s.best;
    const summary = {
      journal: path, trialsDir: s.trialsDir, finished: s.finished, budget: s.budget, ok: s.ok, failed: s.failed, timeout: s.timeout,
      resumed: s.resumed, interrupted: s.interrupted, exhausted: s.exhausted,
      best: best ? { trial: best.trial, arch: best.arch, metric: best.result!.metric } : null,
    };
    if (ctx.json) ctx.out(JSON.stringify(summary));
    else if (!ctx.quiet || !s.interrupted) {
      ctx.out([
        `${s.interrupted ? 'interrupted' : 'done'}: ${s.finished}/${s.budget} trials finished (ok ${s.ok}, failed ${s.failed}, timeout ${s.timeout})` +
          (s.exhausted ? '; the space has no fresh architecture left' : ''),
        best ? `best: ${best.arch}  metric ${best.result!.metric} (trial ${best.trial})` : 'best: none yet',
        `journal: ${path}; per-trial files: ${s.trialsDir}`,
      ].join('\n'));
    }
    if (s.interrupted) process.exitCode = 130;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
