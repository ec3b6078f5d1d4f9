/**
 * Shared by bench/run-load.bench.ts and test/run-load.test.ts: drive the real `prednas run` in a
 * child process with a trivial evaluator (/bin/echo: the load is prednas's own bookkeeping and
 * process management, not the evaluation), measure it, and check the journal it leaves.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readJournal } from '../../src/io/journal.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'src', 'cli', 'prednas.ts');
/** Preload that records the process's own peak RSS (getrusage maxRSS) when it exits. */
const RSS_HOOK = join(ROOT, 'bench', 'lib', 'report-rss.mjs');

export interface RunLoadOptions {
  readonly trials: number;
  readonly concurrency: number;
  readonly space?: string;
  readonly algo?: string;
}

export interface RunLoadResult {
  readonly trials: number;
  readonly concurrency: number;
  readonly wallSeconds: number;
  readonly trialsPerSecond: number;
  /** Peak resident set of the prednas process itself (evaluators excluded), MiB. */
  readonly peakRssMiB: number;
  readonly exitCode: number | null;
  readonly stderr: string;
  /** Problems found in the journal; empty when every trial was asked and answered exactly once. */
  readonly journalProblems: readonly string[];
}

/**
 * The evaluator prints {"metric": <trial>} (a deterministic value the check can verify) and
 * exits: `/bin/echo` via exec, no shell, no interpreter start-up.
 */
export const ECHO_EVAL = `'/bin/echo' '{"metric": {trial}}'`;

export async function runLoad(opts: RunLoadOptions): Promise<RunLoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'prednas-load-'));
  const journal = join(dir, 'run.jsonl');
  const rssFile = join(dir, 'rss.json');
  const args = [
    '--import', 'tsx', '--import', RSS_HOOK, CLI, 'run', '--space', opts.space ?? 'nb201', '--algo', opts.algo ?? 'random',
    '--journal', journal, '--budget', String(opts.trials), '--concurrency', String(opts.concurrency), '--eval', ECHO_EVAL, '--quiet',
  ];
  const t0 = performance.now();
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((done) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, PREDNAS_RSS_FILE: rssFile }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (c) => done({ code: c, stderr: err }));
  });
  const wallSeconds = (performance.now() - t0) / 1000;
  let peakRssMiB = NaN;
  try {
    peakRssMiB = (JSON.parse(readFileSync(rssFile, 'utf8')) as { maxRssKiB: number }).maxRssKiB / 1024;
  } catch {
    // No report: the process died before exiting normally; the exit code says so.
  }
  const journalProblems = code === 0 ? checkJournal(journal, opts.trials) : [`prednas run exited with ${code}`];
  rmSync(dir, { recursive: true, force: true });
  return { trials: opts.trials, concurrency: opts.concurrency, wallSeconds, trialsPerSecond: opts.trials / wallSeconds, peakRssMiB, exitCode: code, stderr, journalProblems };
}

/** Every trial 1..n asked once and answered once (ok, metric = trial), no architecture twice. */
export function checkJournal(path: string, n: number): string[] {
  const problems: string[] = [];
  const { events, tornBytes } = readJournal(path);
  if (tornBytes > 0) problems.push(`${tornBytes} torn bytes at the end`);
  const asks = new Map<number, string>(), results = new Map<number, number>(), archs = new Set<string>();
  for (const e of events) {
    if (e.type === 'ask') {
      if (asks.has(e.trial)) problems.push(`trial ${e.trial} asked twice`);
      if (archs.has(e.arch)) problems.push(`architecture ${e.arch} asked twice`);
      asks.set(e.trial, e.arch);
      archs.add(e.arch);
    } else if (e.type === 'result') {
      if (results.has(e.trial)) problems.push(`trial ${e.trial} has two results`);
      if (e.status !== 'ok' || e.metric !== e.trial) problems.push(`trial ${e.trial}: ${e.status} metric ${e.metric} (expected ok ${e.trial})`);
      results.set(e.trial, e.metric ?? NaN);
    }
  }
  for (let t = 1; t <= n; t++) {
    if (!asks.has(t)) problems.push(`trial ${t} never asked`);
    if (!results.has(t)) problems.push(`trial ${t} has no result`);
  }
  if (asks.size !== n) problems.push(`${asks.size} trials asked, expected ${n}`);
  return problems.slice(0, 20);
}
