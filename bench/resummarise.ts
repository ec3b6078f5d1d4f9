/**
 * Recompute the summary of stored `prednas compare` results with the current summarise() (the
 * runs themselves are kept as they are), and rewrite the results file (as results.json.gz) and table.md in place, keeping
 * table.md's "Produced by" line. Used when the definition of a summary statistic changes (e.g.
 * "found the optimum" became "queried the optimum's architecture").
 *
 *   npx tsx bench/resummarise.ts results/nb201-cifar10 [more dirs]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../src/io/atomic-write.js';
import { readResultsFile, writeResultsFile } from '../src/io/results-file.js';
import { resultsTable } from '../src/nas/experiment/report.js';
import { summarise, type AlgoSummary, type CheckpointSummary, type ExperimentResults } from '../src/nas/experiment/runner.js';
import { validateResults } from '../src/nas/report/results-schema.js';

for (const dir of process.argv.slice(2)) {
  const res = readResultsFile(dir) as ExperimentResults;
  const algos = Object.keys(res.summary);
  const checkpoints = Object.keys(res.summary[algos[0]!]!).map(Number);
  const details: Record<string, AlgoSummary> = {};
  const summary: Record<string, Record<string, CheckpointSummary>> = {};
  for (const a of algos) {
    details[a] = summarise(res.runs, a, res.protocol, res.optimum, checkpoints, res.budget);
    summary[a] = details[a]!.checkpoints;
  }
  const next = { ...res, summary, details };
  validateResults(next);
  const old = readFileSync(join(dir, 'table.md'), 'utf8');
  const produced = old.slice(old.indexOf('\nProduced by '));
  if (!produced.startsWith('\nProduced by ')) throw new Error(`${dir}/table.md: no "Produced by" line to keep`);
  writeResultsFile(dir, next);
  writeFileAtomic(join(dir, 'table.md'), resultsTable(next) + produced);
  for (const a of algos) console.log(`${dir} ${a}: found optimum ${details[a]!.foundOptimumRuns} runs (was ${res.details[a]!.foundOptimumRuns})`);
}
