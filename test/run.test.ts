import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDuration, parseResultLine, splitTemplate, substitute, runEval } from '../src/io/run-eval.js';
import { runLoop } from '../src/io/run-loop.js';
import { readJournal } from '../src/io/journal.js';
import { JOURNAL_SCHEMA, type JournalHeader } from '../src/io/journal-format.js';
import { FAKE_EVAL, fakeMetric, tempDir } from './fixtures/cli.js';

describe('command templates', () => {
  it('splits like a shell for quoting only', () => {
    expect(splitTemplate(`python train.py --arch {arch_json_file} --name 'run {trial}' "say \\"hi\\"" a\\ b`))
      .toEqual(['python', 'train.py', '--arch', '{arch_json_file}', '--name', 'run {trial}', 'say "hi"', 'a b']);
    expect(splitTemplate(`sbatch --wait --wrap='python t.py {arch}'`)).toEqual(['sbatch', '--wait', '--wrap=python t.py {arch}']);
    expect(splitTemplate(`echo 'a|b' "c;d"`)).toEqual(['echo', 'a|b', 'c;d']);
  });

  it('refuses shell syntax it would not honour, unknown placeholders and bad quoting, naming the position', () => {
    expect(() => splitTemplate('python t.py | tee log')).toThrow(/unquoted shell syntax '\|'.* at character 13 of/);
    expect(() => splitTemplate('python t.py > out')).toThrow(/unquoted shell syntax '>'/);
    expect(() => splitTemplate('python $HOME/t.py')).toThrow(/unquoted '\$'/);
    expect(() => splitTemplate('echo $(id)')).toThrow(/unquoted '\$'/);
    expect(() => splitTemplate('python t.py {archs}')).toThrow(/unknown placeholder \{archs\}/);
    expect(() => splitTemplate("python 'oops")).toThrow(/unterminated single quote/);
    expect(() => splitTemplate('   ')).toThrow(/empty command template/);
  });

  it('substitutes inside single arguments: any architecture string stays exactly one argument, verbatim', () => {
    const words = splitTemplate(`run --arch={arch} {arch_json_file} t{trial}`);
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.nat(999), (arch, trial) => {
      const argv = substitute(words, { arch, arch_json_file: '/x/a b.json', trial: String(trial) });
      expect(argv).toEqual(['run', `--arch=${arch}`, '/x/a b.json', `t${trial}`]);
    }), { seed: 42, numRuns: 200 });
    // A value that looks like a placeholder is not substituted again.
    expect(substitute(['{arch}'], { arch: '{trial}', arch_json_file: 'f', trial: '7' })).toEqual(['{trial}']);
  });

  it('reads the last JSON line of stdout as the result', () => {
    expect(parseResultLine('loss 1\n{"metric": 1}\nmore\n{"metric": 73.1, "cost": 2, "epochs": 5}\nbye\n')).toEqual({ metric: 73.1, cost: 2, extra: { epochs: 5 } });
    expect(parseResultLine('{"metric": 1}\n{"loss": 2}\n').error).toMatch(/no finite numeric "metric"/);
    expect(parseResultLine('done\n').error).toMatch(/no JSON result line/);
    expect(parseResultLine('{"metric": "high"}').error).toMatch(/no finite numeric/);
  });

  it('parses durations', () => {
    expect([parseDuration('90'), parseDuration('90s'), parseDuration('30m'), parseDuration('1.5h'), parseDuration('500ms')]).toEqual([90_000, 90_000, 1_800_000, 5_400_000, 500]);
    expect(() => parseDuration('2 hours')).toThrow(/--timeout: expected a duration/);
    expect(() => parseDuration('0s')).toThrow(/must be positive/);
  });
});

describe('runEval', () => {
  it('records a command that cannot start, a non-zero exit with stderr, and a time-out that kills the process group', async () => {
    const dir = tempDir();
    const missing = await runEval(['/definitely/not/here'], { timeoutMs: 0, logPath: join(dir, 'a.log') }).done;
    expect(missing).toMatchObject({ status: 'failed', error: "cannot start '/definitely/not/here': command not found" });
    const fail = await runEval([process.execPath, '-e', 'console.error("bad things"); process.exit(4)'], { timeoutMs: 0, logPath: join(dir, 'b.log') }).done;
    expect(fail).toMatchObject({ status: 'failed', error: 'exit code 4: bad things' });
    expect(readFileSync(join(dir, 'b.log'), 'utf8')).toContain('bad things');
    // The child spawns a grandchild that would outlive it; the time-out must stop both.
    const script = `const c=require('child_process').spawn(process.execPath,['-e','setInterval(()=>{},1e3)'],{stdio:'inherit'});console.log(JSON.stringify({pid:c.pid}));setInterval(()=>{},1e3)`;
    const t0 = Date.now();
    const to = await runEval([process.execPath, '-e', script], { timeoutMs: 400, logPath: join(dir, 'c.log'), killGraceMs: 500 }).done;
    expect(to.status).toBe('timeout');
    expect(Date.now() - t0).toBeLessThan(5000);
    const grandchild = (JSON.parse(readFileSync(join(dir, 'c.log'), 'utf8').trim().split('\n')[0]!) as { pid: number }).pid;
    await new Promise((r) => setTimeout(r, 100));
    // Gone, or a zombie waiting for a PID 1 that does not reap (as in some containers).
    let state = 'gone';
    try { state = readFileSync(`/proc/${grandchild}/stat`, 'utf8').split(') ')[1]![0]!; } catch { /* gone */ }
    expect(['gone', 'Z', 'X']).toContain(state);
  });
});

function header(seed = 0): JournalHeader {
  const spec = { name: 'r', variables: [{ name: 'a', type: 'int', min: 0, max: 20 }, { name: 'b', type: 'categorical', options: ['p', 'q', 'r', 's'] }] };
  return { type: 'header', schema: JOURNAL_SCHEMA, space: { kind: 'spec', spec }, algo: 'rea', seed, direction: 'max', predictor: 'mlp', constraints: [], created: 't' };
}

const fake = [process.execPath, FAKE_EVAL, '{arch_json_file}', '{arch}', '{trial}'];

describe('runLoop', () => {
  it('keeps exactly N evaluations in flight, records failures and time-outs, and is not stopped by them', async () => {
    const dir = tempDir();
    const log = join(dir, 'events.log');
    process.env['FAKE_EVAL_LOG'] = log;
    // Evaluations of 0.5–1.5 s: node's start-up on a loaded 2-core machine staggers the evaluators'
    // own start stamps by hundreds of ms, and 60–180 ms evaluations then seldom all overlapped.
    process.env['FAKE_EVAL_SLEEP_MS'] = '1000';
    process.env['FAKE_EVAL_FAIL_TRIALS'] = '3,7';
    process.env['FAKE_EVAL_HANG_TRIALS'] = '5';
    try {
      const s = await runLoop({ journalPath: join(dir, 'run.jsonl'), header: header(), command: fake, concurrency: 3, budget: 14, timeoutMs: 6000, killGraceMs: 200 }); // generous: a loaded CI box can take >1 s to start node
      expect(s).toMatchObject({ finished: 14, ok: 11, failed: 2, timeout: 1, interrupted: false });
      const j = readJournal(join(dir, 'run.jsonl'));
      const results = j.events.filter((e) => e.type === 'result');
      expect(results.filter((r) => r.status === 'failed').map((r) => r.trial).sort()).toEqual([3, 7]);
      expect(results.find((r) => r.trial === 3)!.error).toMatch(/exit code 1: CUDA out of memory/);
      expect(results.find((r) => r.status === 'timeout')!.trial).toBe(5);
      for (const r of results.filter((x) => x.status === 'ok')) expect(r.metric).toBe(fakeMetric(r.arch));
      // Concurrency from the evaluators' own start/end timestamps.
      const ev = readFileSync(log, 'utf8').trim().split('\n').map((l) => l.split(' ')).map(([k, t, ms]) => ({ k, t: Number(t), ms: Number(ms) }));
      const intervals = new Map<number, [number, number]>();
      for (const e of ev) {
        const iv = intervals.get(e.t) ?? [e.ms, Infinity];
        if (e.k === 'start') iv[0] = e.ms; else iv[1] = e.ms;
        intervals.set(e.t, iv);
      }
      let maxOverlap = 0;
      for (const [, [s0]] of intervals) {
        const live = [...intervals.values()].filter(([a, b]) => a <= s0 && s0 < b).length;
        maxOverlap = Math.max(maxOverlap, live);
      }
      expect(maxOverlap).toBe(3);
    } finally {
      for (const k of ['FAKE_EVAL_LOG', 'FAKE_EVAL_SLEEP_MS', 'FAKE_EVAL_FAIL_TRIALS', 'FAKE_EVAL_HANG_TRIALS']) delete process.env[k];
    }
  });

  it('after an abort, leaves in-flight trials pending and a second run relaunches exactly those', async () => {
    const dir = tempDir();
    const p = join(dir, 'run.jsonl');
    process.env['FAKE_EVAL_SLEEP_MS'] = '300';
    try {
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 450);
      const s1 = await runLoop({ journalPath: p, header: header(1), command: fake, concurrency: 2, budget: 10, timeoutMs: 0, signal: ac.signal, killGraceMs: 200 });
      expect(s1.interrupted).toBe(true);
      const j1 = readJournal(p);
      const pending = j1.events.filter((e) => e.type === 'ask').length - j1.events.filter((e) => e.type === 'result').length;
      expect(pending).toBeGreaterThan(0);
      const s2 = await runLoop({ journalPath: p, header: header(1), command: fake, concurrency: 2, budget: 10, timeoutMs: 0 });
      expect(s2).toMatchObject({ finished: 10, ok: 10, resumed: pending, interrupted: false });
      const j2 = readJournal(p);
      expect(j2.events.slice(0, j1.events.length)).toEqual(j1.events);
      const archs = j2.events.filter((e) => e.type === 'ask').map((e) => e.arch);
      expect(new Set(archs).size).toBe(10);
    } finally {
      delete process.env['FAKE_EVAL_SLEEP_MS'];
    }
  });
});
