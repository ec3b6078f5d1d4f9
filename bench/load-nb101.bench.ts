/**
 * NAS-Bench-101 load times (target from issue 4: < 5 s), pool nearest-neighbour speed (target:
 * well under 1 ms per query in batch) and, with --verify-hashes, the full check that our hash
 * reproduces every one of the 423,624 stored hashes (≈15 s, too slow for the test suite, which
 * checks a seeded 20k sample).
 * Usage: npx tsx bench/load-nb101.bench.ts [--runs N] [--verify-hashes]   (data: PREDNAS_DATA or ../shared/data)
 */
import { performance } from 'node:perf_hooks';
import { Rng } from '../src/autograd/random.js';
import { loadNb101Oracle, loadNb101SpaceTable, loadNb101Subset } from '../src/io/load-nb101.js';
import { NB101_EPOCHS } from '../src/nas/benchmarks/nb101.js';
import type { PoolIndex } from '../src/nas/benchmarks/pool.js';
import type { Nb101Arch } from '../src/nas/spaces/nb101.js';

const runsArg = process.argv.indexOf('--runs');
const runs = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 3;

/** Wall and CPU time per run; on a shared machine the wall clock also counts other processes. */
function time(label: string, fn: () => void, n = runs): void {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < n; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const med = (xs: number[]): number => {
    const rest = xs.slice(1).sort((a, b) => a - b);
    return rest.length > 0 ? rest[Math.floor(rest.length / 2)]! : xs[0]!;
  };
  console.log(
    `${label}: first ${wall[0]!.toFixed(0)} ms wall (${cpu[0]!.toFixed(0)} ms CPU), ` +
      `median of the next ${n - 1} ${med(wall).toFixed(0)} ms wall (${med(cpu).toFixed(0)} ms CPU, GC threads included)`,
  );
}

time('nb101_subset20k.csv.gz (read + gunzip + parse + verify, all 20,001 hashes recomputed)', () => loadNb101Subset());
time('nb101-pool oracle (subset + pool index)', () => loadNb101Oracle());
time('nb101_space.csv.gz (read + gunzip + parse + verify specs, 423,624 rows)', () => loadNb101SpaceTable());

const oracle = loadNb101Oracle();
for (const fidelity of NB101_EPOCHS) {
  const o = fidelity === 108 ? oracle : loadNb101Oracle({ fidelity });
  const a = o.optimum('cifar10', 'A');
  console.log(`optimum (val_acc_${fidelity}ep, best cell of the pool; A = B without test): ${a.value} [${o.space.toString(a.arch)}]`);
}

// Pool nearest neighbour: projections of random logit vectors (binary encodings → Hamming path)
// and relaxed points (non-binary → float path), with ~150 excluded members as in a search.
const pool = oracle.pool!;
const index: PoolIndex<Nb101Arch> = pool.index;
const rng = new Rng(7);
const full = oracle.fullSpace;
const binary: Float32Array[] = [];
const fuzzy: Float32Array[] = [];
for (let q = 0; q < 1000; q++) {
  const z = Float64Array.from({ length: full.logitDim }, () => 2 * rng.normal());
  const p = full.project(z);
  if (p.ok) binary.push(full.encode(p.arch).flat);
  fuzzy.push(Float32Array.from(z, (v) => 1 / (1 + Math.exp(-v))));
}
const excluded = new Set(index.hashes.filter((_, i) => i % 133 === 0));
for (const [label, pts] of [['binary', binary], ['non-binary (relaxed)', fuzzy]] as const) {
  index.nearestUnqueried(pts, excluded); // warm-up
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let reps = 0;
  while (performance.now() - t0 < 2000) {
    index.nearestUnqueried(pts, excluded);
    reps++;
  }
  const cpu = process.cpuUsage(c0);
  const n = reps * pts.length;
  // CPU time as well as wall time: on a shared machine the wall clock also counts other processes.
  console.log(
    `pool NN ${label}: ${((1000 * (performance.now() - t0)) / n).toFixed(1)} µs wall, ${((cpu.user + cpu.system) / n).toFixed(1)} µs CPU per query ` +
      `(${index.size} × ${index.dim}, batches of ${pts.length}, ${excluded.size} excluded)`,
  );
}
time('pool project (base projection + repair + NN), 1000 random logit vectors', () => {
  const r = new Rng(3);
  for (let q = 0; q < 1000; q++) pool.project(Float64Array.from({ length: full.logitDim }, () => 2 * r.normal()));
});

if (process.argv.includes('--verify-hashes')) {
  const t0 = performance.now();
  const table = loadNb101SpaceTable({ verifyHashes: true });
  console.log(`all ${table.size} stored hashes reproduced by nb101Hash in ${((performance.now() - t0) / 1000).toFixed(1)} s (load + verify)`);
}
