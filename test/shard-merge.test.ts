/**
 * compare split into shards and merged equals one compare over all seeds; a compare killed
 * mid-way and resumed from its checkpoints equals an uninterrupted one; merge refuses folders
 * that do not belong together. Fields no two runs share (measured times, the command line) are
 * the only ones left out of the comparisons.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dropCheckpoints } from '../src/io/compare-shards.js';
import { readResultsFile } from '../src/io/results-file.js';
import { runCli, spawnCli, tempDir } from './fixtures/cli.js';
import { compareArgs, expectSameFolder, SPACE } from './fixtures/compare-folders.js';

describe('compare --shard and merge', () => {
  it('3 shards merged (given in any order) equal one compare over all seeds; the shards are disjoint and cover the list', { timeout: 180_000 }, () => {
    const dir = tempDir();
    const all = runCli(compareArgs('0..6', join(dir, 'all')));
    expect(all.code, all.stderr).toBe(0);
    const seedsOf = (d: string) => (readResultsFile(d) as { seeds: number[] }).seeds;
    for (const i of [1, 2, 3]) {
      const r = runCli([...compareArgs('0..6', join(dir, `s${i}`)), '--shard', `${i}/3`]);
      expect(r.code, r.stderr).toBe(0);
    }
    expect([1, 2, 3].map((i) => seedsOf(join(dir, `s${i}`)))).toEqual([[0, 1], [2, 3], [4, 5, 6]]);
    const m = runCli(['merge', join(dir, 's2'), join(dir, 's3'), join(dir, 's1'), '--out', join(dir, 'merged'), '--quiet']);
    expect(m.code, m.stderr).toBe(0);
    expectSameFolder(join(dir, 'merged'), join(dir, 'all'));
    // The merged command is the single compare's, with the merged folder as --out.
    expect((readResultsFile(join(dir, 'merged')) as { command: string }).command).toBe(`prednas ${compareArgs('0..6', join(dir, 'merged')).join(' ')}`);
    expect(readFileSync(join(dir, 'merged', 'table.md'), 'utf8')).toMatch(/run as 3 shards and combined by `prednas merge`/);

    // Separate compares over disjoint seed lists (no --shard) merge in the order given.
    for (const [name, seeds] of [['lo', '0..3'], ['hi', '4..6']] as const) expect(runCli(compareArgs(seeds, join(dir, name))).code).toBe(0);
    expect(runCli(['merge', join(dir, 'lo'), join(dir, 'hi'), '--out', join(dir, 'joined'), '--quiet']).code).toBe(0);
    expectSameFolder(join(dir, 'joined'), join(dir, 'all'));

    // Refusals, one line each, nothing written.
    const bad = (args: string[], re: RegExp, code = 2) => {
      const r = runCli(['merge', ...args, '--out', join(dir, 'never')]);
      expect(r.code, r.stderr).toBe(code);
      expect(r.stderr).toMatch(re);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(join(dir, 'never'))).toBe(false);
    };
    bad([join(dir, 's1'), join(dir, 's3')], /^prednas merge: shard 2 of 3 missing: give every shard's folder/);
    bad([join(dir, 's1'), join(dir, 'all')], /^prednas merge: seed 0 is in both .*s1 and .*all: merged folders must cover disjoint seeds/);
    const other = runCli([...compareArgs('7..8', join(dir, 'b30'), 30)]);
    expect(other.code, other.stderr).toBe(0);
    bad([join(dir, 'all'), join(dir, 'b30')], /^prednas merge: .*b30 was made with other settings than .*all \(budget: 20 vs 30\)/);
    bad([join(dir, 'nowhere')], /^prednas merge: .*nowhere has no compare\.json/, 1);
    // A compare that fails before any run finished leaves an existing folder exactly as it was.
    const before = readdirSync(join(dir, 'all')).sort();
    const failed = runCli(compareArgs('0..6', join(dir, 'all')).map((a) => (a === 'synthetic' ? 'no-such-dataset' : a)));
    expect(failed.code).toBe(1);
    expect(readdirSync(join(dir, 'all')).sort()).toEqual(before);
    expect(before).toEqual(['best-so-far.svg', 'compare.json', 'final-distribution.svg', 'results.json.gz', 'table.md']);
    const u = runCli(['compare', '--space', SPACE, '--dataset', 'synthetic', '--seeds', '0..2', '--shard', '4/3', '--out', join(dir, 'never')]);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/^prednas compare: --shard: expected 1 <= I <= N, got 4\/3/);
  });

  it("the finished results drop the checkpoints, and the temporary file of a checkpoint write that a kill cut short", () => {
    for (const extra of [[], ['notes.txt']]) {
      const out = tempDir(), runs = join(out, 'runs');
      mkdirSync(runs);
      // A kill between writeFileAtomic's open and its rename leaves `.NAME.PID.THREAD.SERIAL.tmp`.
      for (const f of ['random.seed0.json', 'settings.json', '.random.seed1.json.4242.0.3.tmp', '.settings.json.4242.0.0.tmp', ...extra]) writeFileSync(join(runs, f), '{}');
      dropCheckpoints(out);
      // Only a file that is not the checkpoints' keeps the folder.
      expect(existsSync(runs) ? readdirSync(runs) : null).toEqual(extra.length === 0 ? null : extra);
    }
  });

  it('compare SIGKILLed after some runs were checkpointed, then --resume: only the missing runs are made, results equal an uninterrupted compare', { timeout: 180_000 }, async () => {
    const dir = tempDir();
    // PredNAS runs take long enough (predictor fits) for a kill to land between checkpoints.
    const args = (out: string, budget = 25) => compareArgs('0..3', out, budget, 'prednas,random');
    const ref = runCli(args(join(dir, 'ref')));
    expect(ref.code, ref.stderr).toBe(0);
    const out = join(dir, 'killed');
    const child = spawnCli(args(out));
    const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
    const ckpts = () => (existsSync(join(out, 'runs')) ? readdirSync(join(out, 'runs')).filter((f) => f.endsWith('.json') && f !== 'settings.json') : []);
    let finished = false;
    void exited.then(() => { finished = true; });
    while (!finished && ckpts().length < 3) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    expect(await exited).toBe(null); // killed mid-way, not finished
    const kept = ckpts().length;
    expect(kept).toBeGreaterThanOrEqual(3);
    expect(kept).toBeLessThan(8);
    expect(existsSync(join(out, 'results.json.gz'))).toBe(false);
    const r = runCli([...args(out), '--resume'].filter((a) => a !== '--quiet'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`compare: resuming: ${kept} of 8 runs are already made`));
    expectSameFolder(out, join(dir, 'ref'));
    // The checkpoints are gone once the results hold every run; a later --resume with more seeds
    // reads the runs from the results and makes only the new seed's.
    expect(existsSync(join(out, 'runs'))).toBe(false);
    const more = runCli([...compareArgs('0..4', out, 25, 'prednas,random'), '--resume'].filter((a) => a !== '--quiet'));
    expect(more.code, more.stderr).toBe(0);
    expect(more.stderr).toMatch(/compare: resuming: 8 of 10 runs are already made/);
    expect((readResultsFile(out) as { seeds: number[] }).seeds).toEqual([0, 1, 2, 3, 4]);
    // Resuming with other settings is refused rather than mixing runs.
    const bad = runCli([...args(out, 40), '--resume']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--resume: the runs in .* were made with other settings \(budget: 25 vs 40\)/);
  });
});
