/**
 * Why does the ascent not beat the Wen control on NB-201? For each round of PredNAS and of Wen,
 * rank the round's K chosen candidates against the *whole* space under the same predictor: if
 * both already pick from the predictor's top handful of cells, the proposal mechanism cannot
 * matter — only the predictor can. Also reports how good the chosen cells really are (their
 * validation rank in the full table).
 *
 *   npx tsx bench/ascent-vs-pool.ts --dataset cifar100 --seeds 0..4 [--algos prednas,wen] [--prednas '{"pool":200,"poolStarts":20}']
 */
import { parseArgs } from 'node:util';
import { parseSeeds } from '../src/cli/args.js';
import { resolveDataDir } from '../src/io/data-dir.js';
import { loadBenchmark } from '../src/io/benchmarks.js';
import type { SearchContext } from '../src/nas/search/algorithm.js';
import { PredNas } from '../src/nas/search/prednas.js';
import { WenSearch } from '../src/nas/search/wen.js';
import { Rng } from '../src/autograd/random.js';
import type { PredictorGuidedSearch } from '../src/nas/search/predictor-guided.js';

const { values } = parseArgs({ options: { dataset: { type: 'string' }, seeds: { type: 'string' }, budget: { type: 'string' }, prednas: { type: 'string' }, algos: { type: 'string' } } });
const prednasOpts = JSON.parse(values.prednas ?? '{}') as import('../src/nas/search/prednas.js').PredNasOptions;
const b = loadBenchmark({ space: 'nb201', dataset: values.dataset ?? 'cifar100', dataDir: resolveDataDir(undefined) });
const space = b.space as unknown as import('../src/nas/space.js').SearchSpace<unknown>;
const all = [...space.enumerate!()];
const trueVal = all.map((a) => b.oracle.peek(a, { dataset: b.dataset }).val);
const trueRank = new Map<string, number>();
all.map((_, i) => i).sort((x, y) => trueVal[y]! - trueVal[x]!).forEach((i, r) => trueRank.set(space.hash(all[i]!), r + 1));
const budget = Number(values.budget ?? 100);

interface RoundStat { predRankBest: number; predRankMedian: number; trueRankBest: number; candidates: number }

function instrument(search: PredictorGuidedSearch<unknown>, stats: RoundStat[]): void {
  const s = search as unknown as { candidates: () => unknown[] };
  const orig = s.candidates.bind(search);
  s.candidates = () => {
    const cands = orig();
    const p = search.predictor.predict(all).mean;
    const predRank = new Map<string, number>();
    all.map((_, i) => i).sort((x, y) => p[y]! - p[x]!).forEach((i, r) => predRank.set(space.hash(all[i]!), r + 1));
    // The K the round will evaluate: the candidates' best by predicted mean (as topUp does).
    const picked = cands.map((a) => space.hash(a)).sort((x, y) => predRank.get(x)! - predRank.get(y)!).slice(0, search.perRound);
    if (picked.length > 0) {
      const chosen = picked.map((h) => predRank.get(h)!);
      stats.push({ predRankBest: chosen[0]!, predRankMedian: chosen[Math.floor(chosen.length / 2)]!, trueRankBest: Math.min(...picked.map((h) => trueRank.get(h)!)), candidates: cands.length });
    }
    return cands;
  };
}

const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const algo of (values.algos ?? 'prednas,wen').split(',')) {
  const stats: RoundStat[] = [];
  for (const seed of parseSeeds(values.seeds ?? '0..4')) {
    const ctx: SearchContext<unknown> = { space, seed };
    const search: PredictorGuidedSearch<unknown> = algo === 'prednas' ? new PredNas(ctx, prednasOpts) : new WenSearch(ctx);
    instrument(search, stats);
    const q = new Rng(seed * 7919 + 17);
    for (let n = 0; n < budget; n++) {
      const [a] = search.ask(1);
      if (a === undefined) break;
      search.tell(a, b.oracle.query(a, { dataset: b.dataset, rng: q }).val);
    }
  }
  console.log(`${algo.padEnd(8)} rounds ${stats.length}: candidates/round (median) ${med(stats.map((s) => s.candidates))}; ` +
    `predicted rank in all ${all.length} cells of the round's best pick (median) ${med(stats.map((s) => s.predRankBest))}, of its median pick ${med(stats.map((s) => s.predRankMedian))}; ` +
    `true validation rank of the round's best pick (median) ${med(stats.map((s) => s.trueRankBest))}`);
}
