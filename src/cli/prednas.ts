#!/usr/bin/env node
/**
 * The `prednas` command line (Node only). Every command validates its flags up front, writes its
 * files atomically, and fails with one line saying what went wrong and how to fix it (exit code 2
 * for usage errors, 1 otherwise; --verbose adds the stack).
 */
import { makeCtx, parseFlags, UsageError, type Ctx, type FlagSpec } from './context.js';
import { compare, COMPARE_FLAGS, COMPARE_HELP } from './commands/compare.js';
import { merge, MERGE_FLAGS, MERGE_HELP } from './commands/merge.js';
import { demo, DEMO_FLAGS, DEMO_HELP } from './commands/demo.js';
import { info, INFO_FLAGS, INFO_HELP } from './commands/info.js';
import { predictorEval, PREDICTOR_EVAL_FLAGS, PREDICTOR_EVAL_HELP } from './commands/predictor-eval.js';
import { run, RUN_FLAGS, RUN_HELP } from './commands/run.js';
import { search, SEARCH_FLAGS, SEARCH_HELP } from './commands/search.js';
import { serve, SERVE_FLAGS, SERVE_HELP } from './commands/serve.js';
import { suggest, SUGGEST_FLAGS, SUGGEST_HELP, tell, TELL_FLAGS, TELL_HELP } from './commands/suggest.js';
import { packageVersion, version, VERSION_FLAGS, VERSION_HELP } from './commands/version.js';
import { exportCmd, EXPORT_FLAGS, EXPORT_HELP } from './commands/export.js';
import { plot, PLOT_FLAGS, PLOT_HELP } from './commands/plot.js';
import { status, STATUS_FLAGS, STATUS_HELP } from './commands/status.js';

interface Command {
  readonly flags: FlagSpec;
  readonly help: string;
  readonly summary: string;
  readonly run: (ctx: Ctx) => void | Promise<void>;
  /** Takes positional arguments (folders, files) besides flags. */
  readonly positionals?: boolean;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  demo: { flags: DEMO_FLAGS, help: DEMO_HELP, summary: 'live search on MNIST digits: trains every candidate (~1–2 min)', run: demo },
  search: { flags: SEARCH_FLAGS, help: SEARCH_HELP, summary: 'one search run on a benchmark table or a live task', run: search },
  compare: { flags: COMPARE_FLAGS, help: COMPARE_HELP, summary: 'algorithms × seeds: results.json, table.md, SVG plots', run: compare },
  merge: { flags: MERGE_FLAGS, help: MERGE_HELP, summary: 'compare folders (shards of a job array) into one table', run: merge, positionals: true },
  'predictor-eval': { flags: PREDICTOR_EVAL_FLAGS, help: PREDICTOR_EVAL_HELP, summary: 'predictor ranking quality vs training-set size', run: predictorEval },
  info: { flags: INFO_FLAGS, help: INFO_HELP, summary: 'size of a space, optimum per dataset, data status', run: info },
  suggest: { flags: SUGGEST_FLAGS, help: SUGGEST_HELP, summary: 'next architectures to train (ask), as JSON lines', run: suggest },
  tell: { flags: TELL_FLAGS, help: TELL_HELP, summary: 'record a training result (tell)', run: tell },
  run: { flags: RUN_FLAGS, help: RUN_HELP, summary: 'search with your own training command, N jobs in flight', run },
  serve: { flags: SERVE_FLAGS, help: SERVE_HELP, summary: 'the browser demo on a local server with a strict CSP', run: serve },
  status: { flags: STATUS_FLAGS, help: STATUS_HELP, summary: 'a journal\'s trials: done, failed, pending, in flight, best so far', run: status },
  export: { flags: EXPORT_FLAGS, help: EXPORT_HELP, summary: 'results folder or journal as tidy CSV', run: exportCmd, positionals: true },
  plot: { flags: PLOT_FLAGS, help: PLOT_HELP, summary: 'best-so-far curves of several result folders on one SVG', run: plot, positionals: true },
  version: { flags: VERSION_FLAGS, help: VERSION_HELP, summary: 'the installed prednas version (also --version)', run: version },
};

/** The command named `name`, if any: own keys only, so 'toString' or '__proto__' is unknown, not Object's. */
function commandOf(name: string | undefined): Command | undefined {
  return name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
}

const USAGE = `prednas — sample-efficient NAS by predictor gradient ascent

Usage: prednas <command> [flags]     (prednas <command> --help for its flags)

Commands:
${Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(15)} ${c.summary}`).join('\n')}

Common flags: -h/--help, -q/--quiet (no progress), --json (machine-readable stdout), -v/--verbose.
prednas --version prints the version (results.json, tables and journals record it too).
Benchmark tables are read from --data DIR, else $PREDNAS_DATA, else ../shared/data.
`;

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    const topic = cmd === 'help' ? rest[0] : undefined;
    process.stdout.write(commandOf(topic)?.help ?? USAGE);
    return;
  }
  if (cmd === '--version' && rest.length === 0) {
    process.stdout.write(`${packageVersion()}\n`);
    return;
  }
  const c = commandOf(cmd);
  if (c === undefined) throw new UsageError(`unknown command '${cmd}' (commands: ${Object.keys(COMMANDS).join(', ')}; see prednas --help)`);
  const values = parseFlags(rest, c.flags, c.positionals === true);
  if (values['help'] === true) {
    process.stdout.write(c.help);
    return;
  }
  await c.run(makeCtx(values));
}

// Output piped into a reader that stops early (prednas export … | head) is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const argv = process.argv.slice(2);
const verbose = argv.includes('--verbose') || argv.includes('-v');
main(argv).catch((e: unknown) => {
  const err = e instanceof Error ? e : new Error(String(e));
  const cmd = commandOf(argv[0]) !== undefined ? ` ${argv[0]}` : '';
  // One line: multi-line messages from deeper layers are joined.
  const hint = err instanceof UsageError && !/--help/.test(err.message) ? ` (see prednas${cmd} --help)` : '';
  process.stderr.write(`prednas${cmd}: ${err.message.replace(/\s*\n\s*/g, ' ')}${hint}\n`);
  if (verbose && err.stack) process.stderr.write(err.stack + '\n');
  process.exitCode = err instanceof UsageError ? 2 : 1;
});

