/** What every command gets: parsed flags, output mode, and a helper to fail with a usage error. */
import { parseArgs } from 'node:util';
import { Progress } from '../io/progress.js';

export type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

export const COMMON_FLAGS = {
  help: { type: 'boolean', short: 'h' },
  quiet: { type: 'boolean', short: 'q' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
} as const satisfies FlagSpec;

/** A usage error: wrong or missing flags (exit code 2, like most Unix tools). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type Values = Record<string, string | boolean | string[] | undefined>;

export interface Ctx {
  readonly v: Values;
  readonly quiet: boolean;
  readonly json: boolean;
  /** stdout: results (human text, or one JSON document with --json). */
  out(text: string): void;
  progress(label: string): Progress;
  /** A note on stderr (suppressed by --quiet). */
  note(text: string): void;
}

/** Key under which parseFlags returns positional arguments, for the commands that take them. */
export const POSITIONALS = '_';

export function parseFlags(argv: readonly string[], flags: FlagSpec, allowPositionals = false): Values {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: { ...COMMON_FLAGS, ...flags }, allowPositionals: true, strict: true });
    if (!allowPositionals && positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}' (flags take the form --name value)`);
    return allowPositionals ? { ...(values as Values), [POSITIONALS]: positionals } : (values as Values);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    // node:util's messages are clear but long; keep their first sentence.
    throw new UsageError((e as Error).message.split('. ')[0]!.replace(/\.$/, ''));
  }
}

export function makeCtx(v: Values): Ctx {
  const quiet = v['quiet'] === true, json = v['json'] === true;
  return {
    v, quiet, json,
    out: (text) => { process.stdout.write(text.endsWith('\n') ? text : text + '\n'); },
    progress: (label) => new Progress(label, { quiet }),
    note: (text) => { if (!quiet) process.stderr.write(text + '\n'); },
  };
}

export function str(v: Values, name: string): string | undefined {
  const x = v[name];
  if (x === undefined) return undefined;
  if (typeof x !== 'string') throw new UsageError(`--${name} expects a value`);
  if (x === '') throw new UsageError(`--${name}: empty value`);
  return x;
}

export function need(v: Values, name: string, hint = ''): string {
  const x = str(v, name);
  if (x === undefined) throw new UsageError(`--${name} is required${hint ? ` (${hint})` : ''}`);
  return x;
}

export function list(v: Values, name: string): string[] {
  const x = v[name];
  if (x === undefined) return [];
  return Array.isArray(x) ? x : [String(x)];
}
