/**
 * Time and peak memory of ranking a large pool with the default predictor: fit on 100 random
 * NB-201 cells (ensemble of 5, default settings), then predict() every cell of the space,
 * `--repeat` times over in one pool (15,625 × repeat cells), three times; one JSON line with the
 * median milliseconds and the process's peak resident memory. Uses only APIs older than sliced
 * predictions, so that it also runs in a checkout of an earlier commit (before/after).
 * Run: npx tsx bench/predict-pool.ts [--repeat 1] [--backend auto]
 */
import { parseArgs } from 'node:util';
import { Rng } from '../src/autograd/random.js';
import { setBackend } from '../src/kernels/index.js';
import { NeuralPredictor } from '../src/nas/predictors/neural.js';
import { nb201Space } from '../src/nas/spaces/nb201.js';

const { values } = parseArgs({ options: { repeat: { type: 'string' }, backend: { type: 'string' } } });
setBackend(values.backend ?? 'auto');
const repeat = Number(values.repeat ?? 1);
const space = nb201Space();
const cells = [...space.enumerate()];
const train = new Rng(3).shuffle([...cells]).slice(0, 100);
const predictor = new NeuralPredictor(space, { seed: 0 });
predictor.fit(train, train.map((a) => a.reduce((s, op, e) => s + Math.sin(op * 1.3 + e), 0)));
const pool = Array.from({ length: repeat }, () => cells).flat();
const ms: number[] = [];
let checksum = 0;
for (let r = 0; r < 3; r++) {
  const t0 = performance.now();
  const { mean } = predictor.predict(pool);
  ms.push(performance.now() - t0);
  checksum = mean.reduce((s, v, i) => s + v * ((i % 7) + 1), 0);
}
ms.sort((a, b) => a - b);
console.log(JSON.stringify({ cells: pool.length, median_ms: Math.round(ms[1]!), peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024), checksum }));
