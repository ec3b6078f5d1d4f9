/**
 * Load time of the NAS-Bench-201 tables (target from issue 4: < 300 ms for nb201.csv.gz).
 * Usage: npx tsx bench/load-nb201.bench.ts [--runs N]   (data dir: PREDNAS_DATA or ../shared/data)
 * Each run reads, gunzips, parses and verifies the file from scratch; the first run includes JIT
 * warm-up and is reported separately, as a CLI pays it once.
 */
import { performance } from 'node:perf_hooks';
import { loadNb201Oracle, loadNb201Tables } from '../src/io/load-nb201.js';

const runsArg = process.argv.indexOf('--runs');
const runs = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 10;

function time(label: string, fn: () => void): void {
  const ms: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  const rest = ms.slice(1).sort((a, b) => a - b);
  const median = rest.length > 0 ? rest[Math.floor(rest.length / 2)]! : ms[0]!;
  console.log(`${label}: first ${ms[0]!.toFixed(1)} ms, median of the next ${rest.length} ${median.toFixed(1)} ms`);
}

time('nb201.csv.gz (read + gunzip + parse + verify)', () => loadNb201Tables({ latency: false }));
time('nb201.csv.gz + nb201_latency_help.csv.gz', () => loadNb201Tables({ latency: true }));

const oracle = loadNb201Oracle();
for (const ds of oracle.datasets) {
  const a = oracle.optimum(ds, 'A');
  const b = oracle.optimum(ds, 'B');
  console.log(`${ds}: optimum A (test of best-by-${oracle.metricColumns(ds).val}) ${a.value} ` +
    `[index ${oracle.indexOf(a.arch)}], B (best test) ${b.value} [index ${oracle.indexOf(b.arch)}]`);
}

const low = loadNb201Oracle({ fidelity: '12ep', latency: false });
for (const ds of low.datasets) {
  const a = low.optimum(ds, 'A');
  console.log(`${ds}: optimum A with 12-epoch val (${low.metricColumns(ds).val}) ${a.value} [index ${low.indexOf(a.arch)}]`);
}
