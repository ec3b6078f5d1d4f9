/**
 * Run CLI commands in this process (for the fuzzers: thousands of cases in seconds instead of a
 * Node start-up each), mirroring src/cli/prednas.ts: flags parsed with the command's spec,
 * UsageError -> exit 2, any other Error -> 1. The commands that spawn processes, train networks
 * or listen on ports (run, demo, serve, compare, predictor-eval) only have their flags parsed.
 *
 * `internalError` flags what a user must never see: a non-Error throw, a JS engine error
 * (TypeError, RangeError, ...) or a message that leaks one; the CLI would print it as one line,
 * but it is a bug in prednas, not an answer about the input.
 */
import { makeCtx, parseFlags, UsageError, type Ctx, type FlagSpec } from '../../src/cli/context.js';
import { COMPARE_FLAGS } from '../../src/cli/commands/compare.js';
import { DEMO_FLAGS } from '../../src/cli/commands/demo.js';
import { info, INFO_FLAGS } from '../../src/cli/commands/info.js';
import { PREDICTOR_EVAL_FLAGS } from '../../src/cli/commands/predictor-eval.js';
import { RUN_FLAGS } from '../../src/cli/commands/run.js';
import { search, SEARCH_FLAGS } from '../../src/cli/commands/search.js';
import { SERVE_FLAGS } from '../../src/cli/commands/serve.js';
import { suggest, SUGGEST_FLAGS, tell, TELL_FLAGS } from '../../src/cli/commands/suggest.js';

type Runner = ((ctx: Ctx) => void | Promise<void>) | null;
const COMMANDS: Record<string, { flags: FlagSpec; run: Runner }> = {
  info: { flags: INFO_FLAGS, run: info },
  search: { flags: SEARCH_FLAGS, run: search },
  suggest: { flags: SUGGEST_FLAGS, run: suggest },
  tell: { flags: TELL_FLAGS, run: tell },
  run: { flags: RUN_FLAGS, run: null },
  demo: { flags: DEMO_FLAGS, run: null },
  serve: { flags: SERVE_FLAGS, run: null },
  compare: { flags: COMPARE_FLAGS, run: null },
  'predictor-eval': { flags: PREDICTOR_EVAL_FLAGS, run: null },
};

export interface InProcessResult {
  readonly code: 0 | 1 | 2;
  readonly out: string;
  /** The one-line message the CLI would print (null on success). */
  readonly message: string | null;
  /** Why this outcome is a prednas bug, or null. */
  readonly internalError: string | null;
}

const LEAKS = /Cannot read propert|is not a function|is not iterable|is not defined|undefined is not|Maximum call stack|Invalid array length|Invalid string length|out of memory|\[object Object\]/;

export function internalErrorOf(e: unknown): string | null {
  if (!(e instanceof Error)) return `a non-Error was thrown: ${String(e)}`;
  if (e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError || e instanceof SyntaxError || e instanceof EvalError) {
    return `${e.name}: ${e.message}`;
  }
  if (LEAKS.test(e.message)) return `leaked engine message: ${e.message}`;
  if (e.message.trim() === '') return 'empty error message';
  return null;
}

export async function runInProcess(argv: readonly string[]): Promise<InProcessResult> {
  let out = '';
  try {
    const [cmd, ...rest] = argv;
    const c = cmd !== undefined && Object.hasOwn(COMMANDS, cmd) ? COMMANDS[cmd] : undefined;
    if (c === undefined) throw new UsageError(`unknown command '${cmd}'`);
    const values = parseFlags(rest, c.flags);
    if (values['help'] === true || c.run === null) return { code: 0, out, message: null, internalError: null };
    const base = makeCtx({ ...values, quiet: true });
    await c.run({ ...base, out: (t) => { out += t.endsWith('\n') ? t : t + '\n'; }, note: () => {} });
    return { code: 0, out, message: null, internalError: null };
  } catch (e) {
    const message = e instanceof Error ? e.message.replace(/\s*\n\s*/g, ' ') : String(e);
    return { code: e instanceof UsageError ? 2 : 1, out, message, internalError: internalErrorOf(e) };
  }
}
