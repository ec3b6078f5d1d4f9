/**
 * Launching the user's evaluation command (Node only). The `--eval` template is split into an
 * argv array once, by simple shell-like quoting rules, and placeholders are substituted *inside*
 * single arguments; the process is spawned without a shell, so architecture strings (NB-201's
 * contain '|' and '~'; a spec's options may contain '$' or '`') are only ever data.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';

export const PLACEHOLDERS = ['arch', 'arch_json_file', 'trial'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

const OPERATORS = new Set(['|', '&', ';', '<', '>', '`', '(', ')']);

/**
 * Split a command template into words: whitespace separates; '…' is literal; "…" is literal
 * except for \" and \\; a backslash outside quotes escapes the next character. Unquoted shell
 * operators are refused, since no shell will run them.
 */
export function splitTemplate(template: string): string[] {
  const words: string[] = [];
  let cur = '', inWord = false, i = 0;
  const fail = (what: string) => new Error(`--eval: ${what} at character ${i + 1} of ${JSON.stringify(template)}`);
  while (i < template.length) {
    const c = template[i]!;
    if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) { words.push(cur); cur = ''; inWord = false; }
      i++;
    } else if (c === "'") {
      const j = template.indexOf("'", i + 1);
      if (j < 0) throw fail('unterminated single quote');
      cur += template.slice(i + 1, j); inWord = true; i = j + 1;
    } else if (c === '"') {
      i++; inWord = true;
      for (;;) {
        if (i >= template.length) throw fail('unterminated double quote');
        const d = template[i]!;
        if (d === '"') { i++; break; }
        if (d === '\\' && (template[i + 1] === '"' || template[i + 1] === '\\')) { cur += template[i + 1]; i += 2; continue; }
        cur += d; i++;
      }
    } else if (c === '\\') {
      if (i + 1 >= template.length) throw fail('trailing backslash');
      cur += template[i + 1]; inWord = true; i += 2;
    } else if (c === '$' && /[A-Za-z_{(]/.test(template[i + 1] ?? '')) {
      throw fail("unquoted '$': no shell runs the command, so variables and substitutions are not expanded; write the value out, or use a wrapper script");
    } else if (OPERATORS.has(c)) {
      throw fail(`unquoted shell syntax '${c}': the command is run directly, not by a shell, so pipes, redirections and substitutions would not work; put them in a script, or quote the character if it is meant literally`);
    } else {
      cur += c; inWord = true; i++;
    }
  }
  if (inWord) words.push(cur);
  if (words.length === 0) throw new Error('--eval: empty command template');
  for (const w of words) {
    for (const m of w.matchAll(/\{([A-Za-z_]+)\}/g)) {
      if (!(PLACEHOLDERS as readonly string[]).includes(m[1]!)) {
        throw new Error(`--eval: unknown placeholder {${m[1]}} in ${JSON.stringify(w)}; available: ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`);
      }
    }
  }
  return words;
}

/** Substitute placeholders inside each word; the values never change how the argv is split. */
export function substitute(words: readonly string[], values: Readonly<Record<Placeholder, string>>): string[] {
  return words.map((w) => w.replace(/\{(arch_json_file|arch|trial)\}/g, (_, k: Placeholder) => values[k]));
}

export interface EvalOutcome {
  readonly status: 'ok' | 'failed' | 'timeout';
  readonly metric?: number;
  readonly cost?: number;
  readonly extra?: Record<string, unknown>;
  readonly error?: string;
  readonly seconds: number;
}

/** The last line of `stdout` that is a JSON object, interpreted as the result. */
export function parseResultLine(stdout: string): Pick<EvalOutcome, 'metric' | 'cost' | 'extra' | 'error'> {
  const lines = stdout.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!.trim();
    if (!l.startsWith('{')) continue;
    let v: unknown;
    try { v = JSON.parse(l); } catch { continue; }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) continue;
    const { metric, cost, ...extra } = v as Record<string, unknown>;
    if (typeof metric !== 'number' || !Number.isFinite(metric)) return { error: `the last JSON line on stdout has no finite numeric "metric": ${l.slice(0, 200)}` };
    return { metric, ...(typeof cost === 'number' && Number.isFinite(cost) ? { cost } : {}), ...(Object.keys(extra).length > 0 ? { extra } : {}) };
  }
  return { error: 'no JSON result line on stdout (print e.g. {"metric": 73.1} as the last JSON line)' };
}

const TAIL = 1 << 20;

export interface EvalOptions {
  /** Milliseconds; 0 = no limit. */
  readonly timeoutMs: number;
  /** stdout and stderr of the command are appended here. */
  readonly logPath: string;
  /** Grace period between SIGTERM and SIGKILL on time-out (default 5 s). */
  readonly killGraceMs?: number;
  /** Extra environment variables for the command (added to prednas's own environment). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface RunningEval {
  readonly done: Promise<EvalOutcome>;
  /** The command's pid, which is also its process group id (undefined if it could not start). */
  readonly pid: number | undefined;
  /** Stop the command (its whole process group). */
  kill(): void;
}

/** Run argv; the command gets its own process group so a time-out stops its children too. */
export function runEval(argv: readonly string[], opts: EvalOptions): RunningEval {
  const t0 = performance.now();
  const log = openSync(opts.logPath, 'a');
  let stdout = '', stderrTail = '', timedOut = false, closed = false;
  const child = spawn(argv[0]!, argv.slice(1), {
    shell: false, detached: true, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true,
    ...(opts.env !== undefined ? { env: { ...process.env, ...opts.env } } : {}),
  });
  const killGroup = (sig: NodeJS.Signals) => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try { process.kill(-child.pid, sig); } catch { try { child.kill(sig); } catch { /* gone */ } }
  };
  let graceTimer: NodeJS.Timeout | undefined;
  const stop = () => {
    killGroup('SIGTERM');
    graceTimer = setTimeout(() => killGroup('SIGKILL'), opts.killGraceMs ?? 5000);
    graceTimer.unref();
  };
  const timer = opts.timeoutMs > 0 ? setTimeout(() => { timedOut = true; stop(); }, opts.timeoutMs) : undefined;
  child.stdout!.on('data', (b: Buffer) => {
    if (!closed) writeSync(log, b);
    stdout += b.toString('utf8');
    if (stdout.length > TAIL) stdout = stdout.slice(stdout.length - TAIL);
  });
  child.stderr!.on('data', (b: Buffer) => {
    if (!closed) writeSync(log, b);
    stderrTail = (stderrTail + b.toString('utf8')).slice(-2000);
  });
  const done = new Promise<EvalOutcome>((resolve) => {
    let spawnError: Error | null = null;
    child.on('error', (e) => { spawnError = e; });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (graceTimer) clearTimeout(graceTimer);
      closed = true;
      closeSync(log);
      const seconds = (performance.now() - t0) / 1000;
      if (spawnError !== null) {
        const code = (spawnError as NodeJS.ErrnoException).code;
        resolve({ status: 'failed', seconds, error: code === 'ENOENT' ? `cannot start '${argv[0]}': command not found` : `cannot start '${argv[0]}': ${spawnError.message}` });
        return;
      }
      if (timedOut) {
        resolve({ status: 'timeout', seconds, error: `timed out after ${(opts.timeoutMs / 1000).toFixed(1)} s` });
        return;
      }
      if (code !== 0) {
        const last = stderrTail.trim().split('\n').pop() ?? '';
        resolve({ status: 'failed', seconds, error: `${signal ? `killed by ${signal}` : `exit code ${code}`}${last ? `: ${last.slice(0, 300)}` : ''}` });
        return;
      }
      const r = parseResultLine(stdout);
      resolve(r.error !== undefined ? { status: 'failed', seconds, error: r.error } : { status: 'ok', seconds, ...r });
    });
  });
  return { done, kill: stop, pid: child.pid };
}

/** Parse `--timeout`: 90, 90s, 30m, 2h, 1.5h, 500ms (plain numbers are seconds). */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (m === null) throw new Error(`--timeout: expected a duration like 90s, 30m, 2h or 500ms, got '${text}'`);
  const mult = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  const ms = Number(m[1]) * mult;
  if (!(ms > 0)) throw new Error(`--timeout: must be positive, got '${text}'`);
  return ms;
}
