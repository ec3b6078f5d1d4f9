/**
 * `prednas merge DIR... --out DIR`: combine `compare` folders (shards of one seed list, or
 * compares over disjoint seeds with the same settings) into the folder one compare over all
 * their seeds would have written. The runs are taken as they are and assembled by the same code
 * compare uses (assembleResults, then writeCompareFolder), so results.json.gz is identical to a
 * single run's except for what no two runs share: measured times and the command line.
 */
import { resolve } from 'node:path';
import { configFromSpec, type ExperimentSpec } from '../../io/parallel.js';
import { readCompareInfo, settingsDiff, settingsOf, writeCompareInfo, type CompareInfo } from '../../io/compare-shards.js';
import { readResultsFile, RESULTS_FILE } from '../../io/results-file.js';
import { resolveDataDir } from '../../io/data-dir.js';
import { isLiveTask, recordRuns } from '../../io/mnist-task.js';
import { loadBenchmark } from '../../io/benchmarks.js';
import { assembleResults, type ExperimentResults, type RunResult } from '../../nas/experiment/runner.js';
import { validateResults } from '../../nas/report/results-schema.js';
import { need, POSITIONALS, str, UsageError, type Ctx } from '../context.js';
import { serialOrder, writeCompareFolder } from './compare.js';

export const MERGE_FLAGS = { out: { type: 'string' }, data: { type: 'string' } } as const;

export const MERGE_HELP = `prednas merge — combine compare folders (e.g. the shards of a job array) into one

Usage: prednas merge DIR DIR... --out DIR [--data DIR]

  DIR...             folders written by prednas compare (--shard I/N or separate seed lists)
  --out DIR          writes results.json.gz, table.md, best-so-far.svg, final-distribution.svg
                     (and compare.json), as one compare over all the folders' seeds would
  --data DIR         where the benchmark tables are on this machine (default as for compare)

Checked first: every folder is complete, made by the same prednas version with the same space,
dataset, algorithms and settings, and the folders' seeds are disjoint. Shards of one --shard
split must all be given (any order); their seeds are then ordered as in the unsplit list.
Folders of separate compares (no --shard) are combined in the order given: seeds and runs
come out as from one compare with their seed lists joined in that order.
`;

interface Folder { readonly dir: string; readonly info: CompareInfo; readonly res: ExperimentResults & { command?: string } }

export async function merge(ctx: Ctx): Promise<void> {
  const positionals = (ctx.v[POSITIONALS] as string[] | undefined) ?? [];
  const out = resolve(need(ctx.v, 'out', 'the folder for the merged results'));
  if (positionals.length < 1) throw new UsageError('give the compare folders to merge: prednas merge DIR DIR... --out DIR');
  const folders: Folder[] = positionals.map((d) => {
    const dir = resolve(d);
    const info = readCompareInfo(dir);
    const res = readResultsFile(dir) as Folder['res'];
    validateResults(res);
    const want = info.spec.seeds.length * info.spec.algorithms.length;
    if (res.runs.length !== want || JSON.stringify(res.seeds) !== JSON.stringify(info.spec.seeds)) {
      throw new Error(`${dir}: ${RESULTS_FILE} holds ${res.runs.length} runs over seeds ${JSON.stringify(res.seeds).slice(0, 60)}, but its compare.json promises ${want} over ${JSON.stringify(info.spec.seeds).slice(0, 60)}: the folder is incomplete or was edited`);
    }
    return { dir, info, res };
  });
  const first = folders[0]!;
  const settings = settingsOf(first.info.spec, first.info.prednas);
  const seenSeeds = new Map<number, string>();
  for (const f of folders) {
    const diff = settingsDiff(settings, settingsOf(f.info.spec, f.info.prednas));
    if (diff !== null) throw new UsageError(`${f.dir} was made with other settings than ${first.dir} (${diff}); only compares with the same space, dataset, algorithms, settings and prednas version can be merged`);
    for (const s of f.info.spec.seeds) {
      const other = seenSeeds.get(s);
      if (other !== undefined) throw new UsageError(`seed ${s} is in both ${other} and ${f.dir}: merged folders must cover disjoint seeds (a seed's runs must not count twice)`);
      seenSeeds.set(s, f.dir);
    }
  }
  // Shards of one split: all of them, and their seeds in the order of the unsplit list.
  let seeds: number[];
  const shards = folders.filter((f) => f.info.shard !== null);
  if (shards.length > 0) {
    const split = (f: Folder) => `${f.info.shard!.count}:${JSON.stringify(f.info.allSeeds)}`;
    if (shards.length !== folders.length || new Set(shards.map(split)).size !== 1) {
      throw new UsageError('the folders are not the shards of one --shard split (same N, same --seeds); merge the shards of each split first, then merge the results');
    }
    const n = shards[0]!.info.shard!.count;
    const have = new Set(shards.map((f) => f.info.shard!.index));
    const missing = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !have.has(i));
    if (missing.length > 0) throw new UsageError(`shard${missing.length === 1 ? '' : 's'} ${missing.join(', ')} of ${n} missing: give every shard's folder (a table over some shards would silently cover fewer seeds)`);
    seeds = [...shards[0]!.info.allSeeds];
  } else {
    seeds = folders.flatMap((f) => f.info.spec.seeds);
  }
  // merge trains nothing: the shards' evaluation cache (if any) is not opened.
  const { cache: _cache, ...benchmark } = first.info.spec.benchmark;
  const spec: ExperimentSpec = { ...first.info.spec, seeds, benchmark: { ...benchmark, dataDir: resolveDataDir(str(ctx.v, 'data')) } };
  const runs: RunResult[] = serialOrder(folders.flatMap((f) => f.res.runs), seeds, spec.algorithms);
  const live = isLiveTask(spec.benchmark.space);
  if (live) recordRuns(loadBenchmark(spec.benchmark).oracle, runs);
  const res = assembleResults(configFromSpec(spec), runs);
  // The command one compare over all the seeds would have had: the first folder's, without its
  // --shard and with this --out (recorded so the table says how to reproduce it in one go).
  const command = (first.res.command ?? first.info.command).replace(/\s--shard(=|\s+)\S+/, '').replace(/(\s--out(=|\s+))\S+/, `$1${out}`);
  const runSecs = runs.reduce((a, r) => a + r.timeMs.total, 0) / 1000;
  const { table } = writeCompareFolder(out, res, {
    command, live, backend: spec.backend,
    produced: `Produced by \`${command}\`, run as ${folders.length} ${shards.length > 0 ? 'shards' : 'folders'} and combined by \`prednas merge\` (${runSecs.toFixed(0)} s of runs in total).`,
  });
  writeCompareInfo(out, { prednas: first.info.prednas, spec, allSeeds: seeds, shard: null, command });
  if (ctx.json) {
    ctx.out(JSON.stringify({ schema: res.schema, out, merged: folders.map((f) => f.dir), seeds: seeds.length, runs: runs.length, files: [RESULTS_FILE, 'table.md', 'best-so-far.svg', 'final-distribution.svg'], summary: res.summary }));
    return;
  }
  ctx.out(table);
  ctx.note(`merged ${folders.length} folders (${runs.length} runs, ${seeds.length} seeds) into ${out}`);
}
