/** `prednas predictor-eval`: predictor quality vs training-set size, with a scatter plot per size. */
import { resolve } from 'node:path';
import { PREDICTOR_DEFAULTS } from '../../nas/predictors/neural.js';
import { loadBenchmark } from '../../io/benchmarks.js';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { RESULTS_FILE, writeResultsFile } from '../../io/results-file.js';
import { packageVersion } from './version.js';
import { evaluatePredictor, predictorEvalTable } from '../../nas/report/predictor-eval.js';
import { scatterSvg } from '../../nas/report/plots.js';
import { parseIntFlag, parseIntList, parseSeeds } from '../args.js';
import { need, str, type Ctx } from '../context.js';
import { benchmarkRequest, BENCH_FLAGS, kernelBackend, predictorOptions } from './bench-common.js';

export const PREDICTOR_EVAL_FLAGS = {
  ...BENCH_FLAGS, predictor: { type: 'string' }, 'train-sizes': { type: 'string' }, seeds: { type: 'string' },
  'test-size': { type: 'string' }, epochs: { type: 'string' }, ensemble: { type: 'string' }, backend: { type: 'string' },
  out: { type: 'string' },
} as const;

export const PREDICTOR_EVAL_HELP = `prednas predictor-eval — how well a predictor ranks unseen architectures

Usage: prednas predictor-eval --space nb201|nb101|nbmacro|tnb101-macro|SPEC.json --out DIR [options]

  --predictor P        mlp (default) or gcn
  --train-sizes LIST   training-set sizes (default 10,20,50,100,200)
  --seeds SEEDS        LO..HI or a comma list (default 0..2)
  --test-size N        held-out architectures, disjoint from every training set (default 500)
  --epochs N           full-batch Adam steps per fit (default: the predictor's, ${PREDICTOR_DEFAULTS.epochs})
  --ensemble M         ensemble members (default: the predictor's, ${PREDICTOR_DEFAULTS.ensemble})
  --backend B          kernels: js (default), wasm or auto (SIMD; rounds differently from js, so
                       the metrics may move in their last digits; the fit-time column shrinks)
  --dataset D, --fidelity F, --encoding E, --data DIR   as for search
  --out DIR            writes results.json.gz (gzipped JSON, schema prednas.predictor-eval/1), table.md and
                       scatter-n<SIZE>.svg (predicted vs true on the test set, with Kendall τ)
  --json               print a JSON summary on stdout instead of the table
`;

export function predictorEval(ctx: Ctx): void {
  const { v } = ctx;
  const out = resolve(need(v, 'out', 'a directory for the table and plots'));
  const predictor = predictorOptions(v);
  const backend = kernelBackend(v); // before the tables load: a typo costs no load time
  const b = loadBenchmark(benchmarkRequest(v));
  const kind = predictor.kind;
  const trainSizes = parseIntList('train-sizes', str(v, 'train-sizes') ?? '10,20,50,100,200', 2);
  const seeds = parseSeeds(str(v, 'seeds') ?? '0..2');
  const bar = ctx.progress(`predictor-eval ${kind}`);
  const res = evaluatePredictor({
    oracle: b.oracle, space: b.space, dataset: b.dataset, trainSizes, seeds,
    testSize: parseIntFlag('test-size', str(v, 'test-size'), 500, 2), predictor,
    onFit: (done, total) => bar.update(done, total, 'fits'),
  });
  bar.done();
  const version = packageVersion();
  const table = predictorEvalTable(res) + `\nProduced by \`prednas ${process.argv.slice(2).join(' ')}\` (prednas ${version}, kernels ${backend}).\n`;
  writeResultsFile(out, { ...res, prednas: version, kernelBackend: backend });
  writeFileAtomic(resolve(out, 'table.md'), table);
  const files = [RESULTS_FILE, 'table.md'];
  for (const s of res.scatter) {
    const name = `scatter-n${s.trainSize}.svg`;
    writeFileAtomic(resolve(out, name), scatterSvg({
      title: `${kind} predictor, ${s.trainSize} training architectures — ${res.benchmark} · ${res.dataset}`,
      xLabel: 'true validation metric', yLabel: 'predicted', x: s.truth, y: s.predicted,
      annotations: [`Kendall τ = ${s.kendall.toFixed(3)}`, `${s.truth.length} test architectures, seed ${s.seed}`],
    }));
    files.push(name);
  }
  if (ctx.json) {
    ctx.out(JSON.stringify({ schema: res.schema, out, files, summary: res.summary }));
    return;
  }
  ctx.out(table);
  ctx.note(`wrote ${files.map((f) => resolve(out, f)).join(', ')}`);
}
