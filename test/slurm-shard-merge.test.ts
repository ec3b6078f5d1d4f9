/**
 * The README's recipe for a table on Slurm, run as written: `compare --shard` as a job array, then
 * one `merge` job with --dependency=afterok on the array; the merged folder equals one compare
 * over all seeds. Slurm's own job records show the merge started after every shard ended.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CLI, ROOT, runCli, tempDir } from './fixtures/cli.js';
import { compareArgs, expectSameFolder } from './fixtures/compare-folders.js';
import { jobRecords, slurmAvailable } from './fixtures/slurm.js';

/** `prednas` as the jobs run it from this checkout (a shell word list for --wrap). */
const PREDNAS = `'${process.execPath}' --import tsx '${CLI}'`;

function sbatch(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync('sbatch', args, { cwd: ROOT, encoding: 'utf8', timeout: 170_000 });
  return { code: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
}

describe.skipIf(!slurmAvailable())('compare on Slurm: a job array of shards and a merge job', () => {
  it('3 shards as sbatch --array, merge with --dependency=afterok, equal one compare over all seeds', { timeout: 240_000 }, () => {
    const dir = tempDir();
    const ref = runCli(compareArgs('0..8', join(dir, 'all')));
    expect(ref.code, ref.stderr).toBe(0);
    const results = join(dir, 'results');
    // The compare flags, with the shard and folder left to each array task's shell.
    const flags = compareArgs('0..8', 'OUT').filter((a) => a !== 'compare' && a !== '--quiet').map((a) => (a === 'OUT' ? `${results}/shard-$SLURM_ARRAY_TASK_ID` : `'${a}'`));
    const arr = sbatch(['--parsable', '--array=1-3', `--chdir=${ROOT}`, `--output=${dir}/shard-%a.log`,
      `--wrap=${PREDNAS} compare ${flags.join(' ')} --resume --shard $SLURM_ARRAY_TASK_ID/3 --quiet`]);
    expect(arr.code, arr.err).toBe(0);
    const arrayId = arr.out.split(';')[0]!;
    expect(arrayId).toMatch(/^\d+$/);
    // --wait: sbatch returns when the merge job ends, with its exit code.
    const mrg = sbatch(['--parsable', '--wait', `--dependency=afterok:${arrayId}`, `--chdir=${ROOT}`, `--output=${dir}/merge.log`, '--job-name=prednas-merge-test',
      `--wrap=${PREDNAS} merge ${results}/shard-* --out ${results}/all --quiet`]);
    expect(mrg.code, `${mrg.err}\n${spawnSync('cat', [join(dir, 'merge.log'), join(dir, 'shard-1.log')], { encoding: 'utf8' }).stdout}`).toBe(0);
    expectSameFolder(join(results, 'all'), join(dir, 'all'));
    // From Slurm's records: three shard tasks completed, and the merge began after all ended.
    const recs = jobRecords();
    const mergeId = mrg.out.split(';')[0]!;
    const merge = recs.find((r) => r.id === mergeId)!;
    const shards = recs.filter((r) => r.arrayJobId === arrayId).sort((a, b) => Number(a.arrayTaskId) - Number(b.arrayTaskId));
    expect(shards.map((r) => [r.arrayTaskId, r.state])).toEqual([['1', 'COMPLETED'], ['2', 'COMPLETED'], ['3', 'COMPLETED']]);
    expect(merge.state).toBe('COMPLETED');
    expect(merge.start).toBeGreaterThanOrEqual(Math.max(...shards.map((r) => r.end)));
  });
});
