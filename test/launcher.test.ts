/**
 * The local launcher's pieces: launch/job events are validated like every journal line; a
 * resumed run finds a killed run's evaluation by its token even when it left its process group;
 * it stops all of it; and it refuses to guess about an evaluation on another host.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseJournal, journalLine, JOURNAL_SCHEMA, type JournalHeader } from '../src/io/journal-format.js';
import { localLauncher, processesWithToken, stopLocalAttempt, TOKEN_ENV } from '../src/io/launcher.js';
import type { Attempt } from '../src/io/journal-state.js';
import { processStart, thisHost } from '../src/io/lock.js';
import { tempDir } from './fixtures/cli.js';

const header: JournalHeader = { type: 'header', schema: JOURNAL_SCHEMA, space: { kind: 'builtin', name: 'nb201' }, algo: 'random', seed: 0, direction: 'max', predictor: 'mlp', constraints: [], created: 't' };
const ask = { type: 'ask', trial: 1, arch: 'a', time: '' } as const;
const launch = (attempt: number) => ({ type: 'launch', trial: 1, attempt, launcher: 'local', host: 'h', token: `tok-${attempt}`, time: '' } as const);

describe('launch and job events in the journal', () => {
  it('accepts launches numbered 1, 2, ... between ask and result, each job naming the latest', () => {
    const ok = [header, ask, launch(1), { type: 'job', trial: 1, attempt: 1, pid: 5, pgid: 5, start: 'b:1', time: '' }, launch(2), { type: 'job', trial: 1, attempt: 2, jobId: '77', time: '' }, { type: 'result', trial: 1, arch: 'a', status: 'ok', metric: 1, time: '' }];
    expect(parseJournal(ok.map((e) => journalLine(e as never)).join(''), 'j').events.map((e) => e.type)).toEqual(['ask', 'launch', 'job', 'launch', 'job', 'result']);
    const bad = (events: unknown[], re: RegExp) => expect(() => parseJournal([header, ...events].map((e) => JSON.stringify(e) + '\n').join(''), 'j')).toThrow(re);
    bad([launch(1)], /j:2: launch for trial 1, which was never asked/);
    bad([ask, launch(2)], /j:3: launch of trial 1 attempt 2 out of sequence \(expected attempt 1\)/);
    bad([ask, launch(1), { type: 'job', trial: 1, attempt: 2, pid: 3, time: '' }], /j:4: job for trial 1 attempt 2, but its latest launch is attempt 1/);
    bad([ask, launch(1), { type: 'job', trial: 1, attempt: 1, time: '' }], /a job event needs a pid or a jobId/);
    bad([ask, launch(1), { type: 'job', trial: 1, attempt: 1, jobId: '1;rm', time: '' }], /jobId must be a Slurm job id/);
    bad([ask, { type: 'result', trial: 1, arch: 'a', status: 'failed', time: '' }, launch(1)], /launch for trial 1, which already has a result/);
  });
});

describe('orphans of a killed local run', () => {
  it('finds them by token (also a child that left the process group), stops them all, and reports it', async () => {
    const token = `prednas-test-${process.pid}-t1-a1`;
    // The "evaluation": a process group whose leader starts a child in its own session (setsid),
    // as a training script's launcher might; only the token still ties that child to the trial.
    const script = `const c=require('child_process').spawn(process.execPath,['-e','setInterval(()=>{},1e3)'],{detached:true,stdio:'ignore'});c.unref();console.log(c.pid);setInterval(()=>{},1e3)`;
    const leader = spawn(process.execPath, ['-e', script], { detached: true, stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, [TOKEN_ENV]: token } });
    const childPid = await new Promise<number>((res) => leader.stdout!.once('data', (b: Buffer) => res(Number(b.toString().trim()))));
    leader.stdout!.destroy();
    leader.unref();
    const attempt: Attempt = {
      launch: { type: 'launch', trial: 1, attempt: 1, launcher: 'local', host: thisHost(), token, time: '' },
      job: { type: 'job', trial: 1, attempt: 1, pid: leader.pid!, pgid: leader.pid!, start: processStart(leader.pid!), time: '' },
    };
    if (process.platform === 'linux') expect(processesWithToken(token).sort()).toEqual([leader.pid!, childPid].sort());
    const r = await localLauncher({ timeoutMs: 0, killGraceMs: 300 }).reconcile(1, attempt, join(tempDir(), 'trial-0001'));
    expect(r.action).toBe('relaunch');
    expect(r.note).toMatch(new RegExp(`^trial 1: stopped 2 processes left running by the interrupted run \\(process group ${leader.pid}\\); relaunching it$`));
    expect(processesWithToken(token)).toEqual([]);
    // Nothing left: the next resume says so.
    expect((await stopLocalAttempt(attempt, 100)).processes).toBe(0);
  });

  it('will not start a second copy of a trial whose evaluation ran on another host, unless told it is gone', async () => {
    const a: Attempt = { launch: { type: 'launch', trial: 4, attempt: 1, launcher: 'local', host: 'gpu-node-9', token: 'x', time: '' }, job: null };
    await expect(localLauncher({ timeoutMs: 0 }).reconcile(4, a, 'b')).rejects.toThrow(/trial 4 was being evaluated by a run on host gpu-node-9 .*resume on gpu-node-9, or, if nothing of it runs any more there, pass --forget-host/);
    const r = await localLauncher({ timeoutMs: 0, forgetOtherHosts: true }).reconcile(4, a, 'b');
    expect(r).toMatchObject({ action: 'relaunch', note: expect.stringMatching(/--forget-host given/) });
  });
});
