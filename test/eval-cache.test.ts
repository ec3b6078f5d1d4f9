/**
 * The persistent evaluation cache of the live tasks (src/io/eval-cache.ts): the file format on its
 * own (torn lines, corrupt lines, a wrong file, gzip, concurrent writer processes), and through
 * the CLI as a user runs it (a second search trains nothing and gives the same trajectory; other
 * training settings miss; compare's worker threads share one file; bad files give one line).
 * Trainings use --fidelity 1ep and small networks (params<=20000) to stay fast.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { EVAL_CACHE_SCHEMA, EvalCacheFile, type EvalCacheOptions } from '../src/io/eval-cache.js';
import { ROOT, runCli, tempDir } from './fixtures/cli.js';

function opts(warnings: string[], context: Record<string, unknown> = { settings: { epochs: 1 } }): EvalCacheOptions<string> {
  return { task: 'test-task', context: () => context, describe: (a) => a, warn: (m) => warnings.push(m) };
}

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');

describe('EvalCacheFile', () => {
  it('stores, finds again in a new reader, and keys by context and network', () => {
    const file = join(tempDir('prednas-cache-'), 'sub', 'c.jsonl');
    const w: string[] = [];
    const a = new EvalCacheFile(file, opts(w));
    expect(a.get('net1')).toBeUndefined();
    a.put('net1', 'net1', { val: 91.5, test: 90.25, trainTime: 1.5 });
    a.put('net2', 'net2', { val: 80, test: 79, trainTime: 0.5 });
    a.close();
    const b = new EvalCacheFile(file, opts(w));
    expect(b.get('net1')).toEqual({ val: 91.5, test: 90.25, trainTime: 1.5 });
    expect(b.stats()).toMatchObject({ entries: 2, hits: 1, misses: 0, written: 0 });
    // Another training setting: another key, so a miss.
    const c = new EvalCacheFile(file, opts(w, { settings: { epochs: 2 } }));
    expect(c.get('net1')).toBeUndefined();
    expect(c.keyOf('net1')).not.toBe(b.keyOf('net1'));
    expect(w).toEqual([]);
    const rec = JSON.parse(lines(file)[0]!);
    expect(rec).toMatchObject({ schema: EVAL_CACHE_SCHEMA, task: 'test-task', arch: 'net1', val: 91.5, test: 90.25, trainTime: 1.5 });
  });

  it('sees what another writer appended after it started (a miss rereads the file)', () => {
    const file = join(tempDir('prednas-cache-'), 'c.jsonl');
    const a = new EvalCacheFile(file, opts([]));
    const b = new EvalCacheFile(file, opts([]));
    expect(b.get('x')).toBeUndefined();
    a.put('x', 'x', { val: 1, test: 2, trainTime: 3 });
    expect(b.get('x')).toEqual({ val: 1, test: 2, trainTime: 3 });
  });

  it('tolerates a torn last line, and a later writer starts its record on a new line', () => {
    const file = join(tempDir('prednas-cache-'), 'c.jsonl');
    const w: string[] = [];
    const a = new EvalCacheFile(file, opts(w));
    a.put('n1', 'n1', { val: 1, test: 1, trainTime: 1 });
    a.put('n2', 'n2', { val: 2, test: 2, trainTime: 1 });
    a.close();
    const whole = readFileSync(file, 'utf8');
    // A writer killed mid-line leaves a prefix of a record without its newline.
    appendFileSync(file, whole.split('\n')[0]!.slice(0, 70));
    const b = new EvalCacheFile(file, opts(w));
    expect(b.stats().entries).toBe(2);
    expect(w).toEqual([]);
    b.put('n3', 'n3', { val: 3, test: 3, trainTime: 1 });
    b.close();
    const ls = readFileSync(file, 'utf8').split('\n');
    expect(ls).toHaveLength(5); // two records, the fragment, the new record, '' after the last newline
    expect(JSON.parse(ls[3]!).arch).toBe('n3');
    const c = new EvalCacheFile(file, opts(w));
    expect(c.stats().entries).toBe(3);
    expect(c.get('n3')?.val).toBe(3);
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/1 line \(line 3\) is not a cache record \(a write cut short\?\), skipped$/);
  });

  it('refuses a file that is not a cache with one line, and warns about disagreeing duplicates', () => {
    const dir = tempDir('prednas-cache-');
    const json = join(dir, 'results.json');
    writeFileSync(json, '{"schema":"prednas.results/1","runs":[]}\n');
    expect(() => new EvalCacheFile(json, opts([]))).toThrow(/^--cache .*results\.json: not a prednas evaluation cache \(line 1: expected a line starting \{"schema":"prednas\.evalcache\/1","key":"…; got .*\); point --cache at a new file, or delete this one$/);
    const bin = join(dir, 'binary');
    writeFileSync(bin, Buffer.from([0, 1, 2, 3]));
    expect(() => new EvalCacheFile(bin, opts([]))).toThrow(/not a prednas evaluation cache \(it starts/);
    const gz = join(dir, 'c.jsonl');
    writeFileSync(gz, gzipSync('x'));
    expect(() => new EvalCacheFile(gz, opts([]))).toThrow(/the file is gzipped; name it \*\.gz/);
    expect(() => new EvalCacheFile(dir, opts([]))).toThrow(/is a directory/);
    const dup = join(dir, 'dup.jsonl');
    const a = new EvalCacheFile(dup, opts([]));
    a.put('n', 'n', { val: 1, test: 1, trainTime: 1 });
    a.close();
    appendFileSync(dup, readFileSync(dup, 'utf8').replace('"val":1', '"val":2'));
    const w: string[] = [];
    const b = new EvalCacheFile(dup, opts(w));
    expect(b.get('n')?.val).toBe(1);
    expect(w).toEqual([expect.stringMatching(/1 record disagree with an earlier record of the same key; the first is used/)]);
  });

  it('reads a gzipped cache, read only', () => {
    const dir = tempDir('prednas-cache-');
    const plain = join(dir, 'c.jsonl');
    const a = new EvalCacheFile(plain, opts([]));
    a.put('n', 'n', { val: 5, test: 6, trainTime: 7 });
    a.close();
    writeFileSync(`${plain}.gz`, gzipSync(readFileSync(plain)));
    const w: string[] = [];
    const g = new EvalCacheFile(`${plain}.gz`, opts(w));
    expect(g.readOnly).toBe(true);
    expect(g.get('n')).toEqual({ val: 5, test: 6, trainTime: 7 });
    g.put('m', 'm', { val: 1, test: 1, trainTime: 1 });
    g.put('k', 'k', { val: 1, test: 1, trainTime: 1 });
    expect(w).toEqual([expect.stringMatching(/is gzipped, so read only: new results are not saved \(gunzip it to extend it\)$/)]);
    expect(() => new EvalCacheFile(join(dir, 'none.jsonl.gz'), opts([]))).toThrow(/no such file \(a \.gz cache is read only/);
  });

  it('two writer processes appending at the same moment leave a file of whole records', async () => {
    const dir = tempDir('prednas-cache-');
    const file = join(dir, 'c.jsonl');
    const script = join(dir, 'writer.ts');
    // Each writer puts 3,000 records, 1,000 of them the same networks as the other writer's.
    writeFileSync(script, `
      import { EvalCacheFile } from ${JSON.stringify(join(ROOT, 'src/io/eval-cache.ts'))};
      const [file, who, startAt] = process.argv.slice(2);
      const c = new EvalCacheFile(file, { task: 't', context: () => ({}), describe: (a) => a });
      c.keyOf('warm-up');
      while (Date.now() < Number(startAt)) { /* start together */ }
      for (let i = 0; i < 3000; i++) {
        const h = i < 1000 ? 'shared' + i : who + i;
        c.put(h, h, { val: i, test: i / 2, trainTime: 0.001 * i });
      }
    `);
    const startAt = Date.now() + 4000;
    const run = (who: string) => new Promise<number | null>((res) => {
      const p = spawn(process.execPath, ['--import', 'tsx', script, file, who, String(startAt)], { cwd: ROOT, stdio: 'inherit' });
      p.on('exit', res);
    });
    expect(await Promise.all([run('a'), run('b')])).toEqual([0, 0]);
    const ls = lines(file);
    expect(ls).toHaveLength(6000);
    for (const l of ls) expect(() => JSON.parse(l)).not.toThrow();
    const w: string[] = [];
    const r = new EvalCacheFile(file, { task: 't', context: () => ({}), describe: (a: string) => a, warn: (m) => w.push(m) });
    expect(w).toEqual([]);
    expect(r.stats().entries).toBe(5000);
    expect(r.get('shared999')).toEqual({ val: 999, test: 499.5, trainTime: 0.999 });
    expect(r.get('b2999')?.val).toBe(2999);
  }, 30_000);
});

describe('--cache on the live tasks (CLI)', () => {
  const search = (cache: string, out: string) => runCli(['search', '--task', 'mnist-mlp', '--algo', 'prednas', '--budget', '11', '--seed', '1', '--fidelity', '1ep',
    '--constraint', 'params<=20000', '--epochs', '20', '--ensemble', '2', '--cache', cache, '--out', out, '--json', '-q']);
  const traj = (j: { trajectory: { query: number; arch: string; val: number; test: number; source?: string }[] }) => j.trajectory.map(({ query, arch, val, test, source }) => ({ query, arch, val, test, source }));

  it('a second search reads every result (identical trajectory, nothing trained); other settings miss', () => {
    const dir = tempDir('prednas-cache-');
    const cache = join(dir, 'evals.jsonl');
    const a = search(cache, join(dir, 'a.json'));
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    const ja = JSON.parse(a.stdout);
    expect(ja.evaluations.trained + ja.evaluations.reused).toBe(11);
    expect(ja.evaluations.trained).toBeGreaterThan(0);
    expect(ja.evalCache.written).toBe(ja.evaluations.trained);
    const b = search(cache, join(dir, 'b.json'));
    expect(b.code).toBe(0);
    const jb = JSON.parse(b.stdout);
    const file = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8'));
    expect(traj(file('b.json'))).toEqual(traj(file('a.json')));
    expect(file('b.json').trajectory).toHaveLength(11);
    expect(file('b.json').trajectory.filter((p: { source?: string }) => p.source !== 'initial').length).toBeGreaterThan(0);
    expect(jb.evaluations).toEqual({ trained: 0, reused: 11, trainSeconds: ja.evaluations.trainSeconds });
    expect(jb.evalCache).toMatchObject({ hits: ja.evaluations.trained, written: 0 });
    // Two epochs per candidate: every key differs, so the first query trains again.
    const c = runCli(['search', '--task', 'mnist-mlp', '--algo', 'random', '--budget', '1', '--seed', '1', '--fidelity', '2ep', '--constraint', 'params<=20000', '--cache', cache, '--json', '-q']);
    expect(c.code).toBe(0);
    expect(JSON.parse(c.stdout).evaluations).toMatchObject({ trained: 1, reused: 0 });
    expect(lines(cache)).toHaveLength(ja.evaluations.trained + 1);
  }, 60_000);

  it('compare with two worker threads writes one consistent file, and a rerun trains nothing', () => {
    const dir = tempDir('prednas-cache-');
    const cache = join(dir, 'evals.jsonl');
    const cmp = (out: string, ...extra: string[]) => runCli(['compare', '--task', 'mnist-mlp', '--algos', 'random,rea', '--budget', '3', '--seeds', '0..0', '--fidelity', '1ep',
      '--constraint', 'params<=20000', '--workers', '2', '--cache', cache, '--out', join(dir, out), ...extra], { [`PREDNAS_EVAL_CACHE`]: join(dir, 'ignored.jsonl') });
    const a = cmp('a', '-q', '--json');
    expect(a.code, a.stderr).toBe(0);
    const ja = JSON.parse(a.stdout);
    expect(ja.evaluations.trained + ja.evaluations.reused).toBe(6);
    expect(ja.evaluations.trained).toBeGreaterThan(0);
    expect(readFileSync(join(dir, 'a', 'table.md'), 'utf8')).toMatch(/Time per query: training, as measured when each network was trained .*: random \d+\.\d\d s \(wall \d+\.\d\d s\); rea /);
    const recs = lines(cache).map((l) => JSON.parse(l));
    const keys = new Set(recs.map((r) => r.key));
    const b = cmp('b'); // not quiet: the cache's note goes to stderr
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/ 0 of 6 queries trained a network; 6 reused a result/);
    expect(b.stderr).toMatch(new RegExp(`evaluation cache .*evals\\.jsonl: ${keys.size} records; this process: 0 hits, 0 new`));
    expect(lines(cache)).toHaveLength(recs.length);
    expect(existsSync(join(dir, 'ignored.jsonl')), '--cache wins over $PREDNAS_EVAL_CACHE').toBe(false);
    const runs = (d: string) => (JSON.parse(gunzipSync(readFileSync(join(dir, d, 'results.json.gz'))).toString('utf8')) as { runs: { algo: string; seed: number; trajectory: unknown[]; evaluations: unknown }[] }).runs;
    expect(runs('b').map((r) => [r.algo, r.seed, r.trajectory])).toEqual(runs('a').map((r) => [r.algo, r.seed, r.trajectory]));
    // Training time is each network's as recorded; two threads that trained one network at the
    // same time each measured their own, and the cache kept the first, so only the counts are compared.
    for (const r of runs('b')) expect(r.evaluations).toEqual({ trained: 0, reused: 3, trainSeconds: expect.any(Number) });
    // Every record whole; duplicates (one network trained by both threads at once) agree.
    const byKey = new Map<string, number>();
    for (const r of recs) {
      expect(byKey.get(r.key) ?? r.val).toBe(r.val);
      byKey.set(r.key, r.val);
    }
  }, 90_000);

  it('a bad cache file or --cache on a table is one line on stderr', () => {
    const pkg = join(tempDir('prednas-cache-'), 'package.json');
    writeFileSync(pkg, readFileSync(join(ROOT, 'package.json')));
    const bad = runCli(['search', '--task', 'mnist-mlp', '--budget', '1', '--cache', pkg, '-q']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^prednas search: --cache .*package\.json: not a prednas evaluation cache \(line 1: .*\); point --cache at a new file, or delete this one\n$/);
    expect(readFileSync(pkg, 'utf8')).toBe(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    // $PREDNAS_EVAL_CACHE stands in for --cache.
    const env = runCli(['search', '--task', 'mnist-mlp', '--budget', '1', '-q'], { PREDNAS_EVAL_CACHE: pkg });
    expect(env.code).toBe(1);
    expect(env.stderr).toMatch(/^prednas search: --cache .*package\.json: not a prednas evaluation cache/);
    const table = runCli(['search', '--space', 'nb201', '--cache', 'x.jsonl']);
    expect(table.code).toBe(2);
    expect(table.stderr).toMatch(/^prednas search: --cache: only live tasks \(--task mnist-mlp\|mnist-regnet\) train networks.*\n$/);
  }, 30_000);
});
