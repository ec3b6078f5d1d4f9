/**
 * Fuzzing CLI argument vectors (issue 21): valid command lines with tokens dropped, duplicated,
 * swapped, replaced by hostile values or borrowed from other commands. In process (see
 * helpers/cli-inprocess.ts) for hundreds of cases; a few through the real binary, to check what a
 * user sees: exit code 0, 1 or 2, one line on stderr, never a stack trace.
 */
import fc from 'fast-check';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { resolveDataDir } from '../src/io/data-dir.js';
import { runInProcess } from './helpers/cli-inprocess.js';
import { cliArgs, runCli } from './fixtures/cli.js';

const SEED = Number(process.env.PREDNAS_FC_SEED ?? 21);
const ROOT = resolve(import.meta.dirname, '..');
const SPEC = join(ROOT, 'examples', 'spaces', 'mlp.json');
const CELL = join(ROOT, 'examples', 'spaces', 'cell.json');
const work = mkdtempSync(join(tmpdir(), 'prednas-fuzz-cli-'));
// Every command runs with its working directory inside `work`, so that a relative path drawn as a
// value ('NaN', '{arch}', '../escape.json') lands there and never in the checkout or the system;
// the data directory is fixed first, as the default one is relative to the working directory.
const CWD = join(work, 'cwd');
mkdirSync(CWD);
process.env.PREDNAS_DATA = resolveDataDir(undefined);
const startCwd = process.cwd();
beforeAll(() => process.chdir(CWD));
afterAll(() => {
  process.chdir(startCwd);
  rmSync(work, { recursive: true, force: true });
});
let caseNo = 0;

/** Valid command lines; OUT and JOURNAL are replaced by per-case paths. */
const BASES: readonly string[][] = [
  ['info', '--space', SPEC, '--json'],
  ['info', '--space', CELL],
  ['search', '--space', SPEC, '--dataset', 'synthetic', '--algo', 'random', '--budget', '4', '--seed', '2', '--out', 'OUT', '--json'],
  ['search', '--space', SPEC, '--dataset', 'synthetic:3', '--algo', 'rea', '--budget', '5', '--out', 'OUT'],
  ['suggest', '--journal', 'JOURNAL', '--space', SPEC, '--algo', 'random', '-n', '2'],
  ['tell', '--journal', 'JOURNAL', '--trial', '1', '--metric', '70'],
  ['run', '--space', SPEC, '--eval', 'python train.py {arch_json_file}', '--journal', 'JOURNAL', '--budget', '3', '--concurrency', '2', '--timeout', '30m'],
  ['compare', '--space', 'nb201', '--algos', 'random,rea', '--seeds', '0-3', '--budget', '20'],
  ['predictor-eval', '--space', 'nb201', '--train-sizes', '10,20', '--seeds', '0-1'],
  ['demo', '--budget', '3'],
  ['serve', '--port', '0'],
];

const HOSTILE = [
  '', ' ', '-', '--', '-1', '0', '1e3', '1e309', '3.5', 'NaN', 'Infinity', '0x10', '99999999999999999999', 'ten',
  '--help', '--json', '--budget', '--space', '-n', '{arch}', '{}', '[]', '../escape.json', 'a'.repeat(300), CWD,
  'nb201', 'nb101', 'random', 'prednas', 'synthetic', 'synthetic:0', 'synthetic:-1', 'flops<=1e6', 'params<=', "'unclosed", '"', '%s%n',
  'é', '\uFEFF', '12ep:100:10', 'mlp', 'gcn', 'toString', '__proto__', 'constructor', 'hasOwnProperty',
];

interface ArgvMutation {
  readonly at: number;
  readonly kind: 'value' | 'replace' | 'drop' | 'dup' | 'swap' | 'insert' | 'borrow';
  readonly token: string;
  readonly from: number;
}
const argvMutation: fc.Arbitrary<ArgvMutation> = fc.record({
  at: fc.nat(),
  // Mostly a flag's value replaced: flags mangled are refused by the parser before any command runs.
  kind: fc.constantFrom('value' as const, 'value' as const, 'value' as const, 'value' as const, 'replace' as const, 'drop' as const, 'dup' as const, 'swap' as const, 'insert' as const, 'borrow' as const),
  // No NUL: an argument vector cannot carry one (exec passes C strings).
  token: fc.oneof({ arbitrary: fc.constantFrom(...HOSTILE), weight: 4 }, { arbitrary: fc.string({ maxLength: 8 }).map((t) => t.replace(/\0/g, '')), weight: 1 }),
  from: fc.nat(),
});

function mutateArgv(argv: string[], m: ArgvMutation): string[] {
  const a = [...argv];
  const i = a.length === 0 ? 0 : m.at % a.length;
  switch (m.kind) {
    case 'value': {
      const values = a.map((t, k) => (k > 0 && !t.startsWith('-') ? k : -1)).filter((k) => k > 0);
      if (values.length > 0) a[values[m.at % values.length]!] = m.token;
      break;
    }
    case 'replace': a[i] = m.token; break;
    case 'drop': a.splice(i, 1); break;
    case 'dup': a.splice(i, 0, a[i] ?? m.token); break;
    case 'swap': if (i + 1 < a.length) [a[i], a[i + 1]] = [a[i + 1]!, a[i]!]; break;
    case 'insert': a.splice(i, 0, m.token); break;
    case 'borrow': {
      // A flag (and its value) from another command's command line.
      const other = BASES[m.from % BASES.length]!;
      const j = 1 + (m.from % Math.max(1, other.length - 1));
      a.splice(i, 0, ...other.slice(j, j + 2));
      break;
    }
  }
  return a;
}

function concrete(argv: readonly string[], dir: string): string[] {
  return argv.map((t) => (t === 'OUT' ? join(dir, 'out.json') : t === 'JOURNAL' ? join(dir, 'run.jsonl') : t));
}

describe('fuzz: CLI argument vectors', () => {
  it('in process: exit 0/1/2, never an engine error, no partial output or temporary file', async () => {
    const tally = { ok: 0, usage: 0, error: 0 };
    await fc.assert(
      // The first six bases run; the others only parse their flags.
      fc.asyncProperty(fc.oneof({ arbitrary: fc.nat(5), weight: 3 }, { arbitrary: fc.nat(BASES.length - 1), weight: 1 }), fc.array(argvMutation, { minLength: 1, maxLength: 2 }), fc.boolean(), async (which, muts, seeded) => {
        const dir = join(work, `c${caseNo++}`);
        mkdirSync(dir);
        // tell needs a journal with a pending trial; half the cases start from one.
        if (seeded) {
          const s = await runInProcess(['suggest', '--journal', join(dir, 'run.jsonl'), '--space', SPEC, '--algo', 'random', '-n', '2']);
          expect(s.code).toBe(0);
        }
        const journalBefore = existsSync(join(dir, 'run.jsonl')) ? readFileSync(join(dir, 'run.jsonl'), 'utf8') : null;
        const argv = muts.reduce(mutateArgv, concrete(BASES[which]!, dir));
        const r = await runInProcess(argv);
        const show = JSON.stringify(argv);
        expect(r.internalError, `${show}: ${r.internalError}`).toBeNull();
        tally[r.code === 0 ? 'ok' : r.code === 2 ? 'usage' : 'error']++;
        const out = join(dir, 'out.json');
        if (r.code !== 0) expect(existsSync(out), `${show} failed but left ${out}`).toBe(false);
        else if (existsSync(out)) expect(() => JSON.parse(readFileSync(out, 'utf8')), `${show} wrote invalid JSON`).not.toThrow();
        const jp = join(dir, 'run.jsonl');
        if (existsSync(jp)) {
          const after = readFileSync(jp, 'utf8');
          if (r.code !== 0 && journalBefore !== null) expect(after, `${show} failed but changed the journal`).toBe(journalBefore);
          if (journalBefore !== null) expect(after.startsWith(journalBefore), `${show} rewrote the journal`).toBe(true);
        }
        expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      }),
      { seed: SEED, numRuns: 400 },
    );
    // Not vacuous: every outcome occurs often (seed 21: 30 ok, 313 usage errors, 57 other errors).
    expect(tally.ok).toBeGreaterThan(20);
    expect(tally.usage).toBeGreaterThan(100);
    expect(tally.error).toBeGreaterThan(30);
  });

  it('the real binary on a few fuzzed command lines: exit 0/1/2, one stderr line, no stack trace', () => {
    // Found by this fuzzer: names of Object.prototype's members were looked up as commands and
    // spaces ("c.run is not a function", a TypeError from path.resolve).
    for (const argv of [['toString'], ['info', '--space', '__proto__']]) {
      const r = runCli(argv);
      expect(r.stderr).toMatch(/^prednas( info)?: unknown (command|space) '(toString|__proto__)'/);
      expect([r.code, r.stderr.trimEnd().split('\n').length]).toEqual([argv.length === 1 ? 2 : 1, 1]);
    }
    const cases = fc.sample(fc.tuple(fc.nat(5), fc.array(argvMutation, { minLength: 1, maxLength: 2 })), { seed: SEED, numRuns: 4 });
    for (const [which, muts] of cases) {
      const dir = join(work, `s${caseNo++}`);
      mkdirSync(dir);
      const argv = muts.reduce(mutateArgv, concrete(BASES[which]!, dir));
      // tsx by path: `--import tsx` would be resolved from the working directory.
      const args = cliArgs(argv).map((a) => (a === 'tsx' ? pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href : a));
      const p = spawnSync(process.execPath, args, { cwd: CWD, env: process.env, encoding: 'utf8', timeout: 60_000 });
      const r = { code: p.status, stderr: p.stderr };
      const show = JSON.stringify(argv);
      expect([0, 1, 2], `${show}: exit ${r.code}`).toContain(r.code);
      expect(r.stderr, show).not.toMatch(/\n\s+at /);
      if (r.code !== 0) expect(r.stderr.trimEnd().split('\n'), `${show}: ${r.stderr}`).toHaveLength(1);
    }
  });
});
