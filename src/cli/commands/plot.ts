/**
 * `prednas plot DIR... --out FILE.svg`: best-so-far curves of several compare folders on one
 * chart. Colour follows the algorithm and the dash pattern the folder, and every legend entry
 * names both. With every optimum known (benchmark tables) the chart shows each curve's regret to
 * its own folder's optimum on a log axis; with a live task among them, the metric itself on an
 * axis fitted to the curves after the first queries.
 */
import { basename, resolve } from 'node:path';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { isLiveTask } from '../../io/mnist-task.js';
import { readResultsFile, resultsPath } from '../../io/results-file.js';
import type { ExperimentResults } from '../../nas/experiment/runner.js';
import { bestSoFarSeries, zoomFrom } from '../../nas/report/experiment-plots.js';
import { linePlotSvg, type BandSeries } from '../../nas/report/plots.js';
import { validateResults } from '../../nas/report/results-schema.js';
import { need, POSITIONALS, str, UsageError, type Ctx } from '../context.js';

export const PLOT_FLAGS = { out: { type: 'string' }, title: { type: 'string' } } as const;

export const PLOT_HELP = `prednas plot — best-so-far curves of several result folders on one chart

Usage: prednas plot DIR [DIR...] --out FILE.svg [--title TEXT]

  DIR            prednas compare --out folders (results.json.gz or results.json), or the files
  --out FILE     the SVG to write (atomically)
  --title TEXT   chart title (default: the folders' names)

One curve per folder and algorithm (mean over seeds with its 95 % Student-t band), labelled
"folder · algorithm"; colour follows the algorithm, dashes the folder. When every folder's optimum
is known (a benchmark table), curves show the regret, optimum − reported, on a log axis, each to
its own folder's optimum; otherwise the reported metric on an axis fitted after the first queries.
`;

const DASHES = [undefined, '7 4', '2 3', '10 3 2 3', '4 4'];

export function plotFolders(dirs: readonly string[], title?: string): string {
  const loaded = dirs.map((d) => {
    const res = readResultsFile(d) as ExperimentResults;
    validateResults(res);
    // A folder's name, not its file's, labels it (the file is results.json[.gz] in every folder).
    const path = resultsPath(d);
    const name = basename(/results\.json(\.gz)?$/.test(path) ? resolve(path, '..') : path);
    return { name, res };
  });
  const regret = loaded.every((l) => !isLiveTask(l.res.benchmark));
  const algos = [...new Set(loaded.flatMap((l) => Object.keys(l.res.summary)))];
  const series: BandSeries[] = loaded.flatMap((l, fi) => bestSoFarSeries(l.res, regret ? 'regret' : 'metric', (a) => `${l.name} · ${a}`)
    .map((s, k) => ({ ...s, colour: algos.indexOf(Object.keys(l.res.summary)[k]!), ...(DASHES[fi % DASHES.length] !== undefined ? { dash: DASHES[fi % DASHES.length]! } : {}) })));
  const seeds = [...new Set(loaded.map((l) => l.res.seeds.length))].join('/');
  const optima = [...new Set(loaded.map((l) => l.res.optimum.value.toFixed(3)))];
  return linePlotSvg({
    title: title ?? `${regret ? 'Regret' : 'Best so far'} vs queries — ${loaded.map((l) => l.name).join(', ')}`,
    xLabel: 'queries',
    yLabel: regret ? `regret: optimum${optima.length === 1 ? ` ${optima[0]}` : ' (per folder)'} − reported (log)` : 'reported metric',
    series,
    ...(regret ? { yScale: 'log' as const } : { yFitFromX: zoomFrom(Math.max(...loaded.map((l) => l.res.budget))) }),
    note: `mean, 95 % CI (t); ${seeds} seeds${regret ? '; regret ≤ 0 at the bottom' : ''}`,
  });
}

export function plot(ctx: Ctx): void {
  const { v } = ctx;
  const dirs = (v[POSITIONALS] as string[] | undefined) ?? [];
  if (dirs.length === 0) throw new UsageError('expected at least one results folder (prednas plot DIR... --out FILE.svg)');
  const out = resolve(need(v, 'out', 'the SVG file to write'));
  if (!out.endsWith('.svg')) throw new UsageError(`--out: expected a file name ending in .svg, got '${out}'`);
  writeFileAtomic(out, plotFolders(dirs, str(v, 'title')));
  ctx.note(`wrote ${out}`);
}
