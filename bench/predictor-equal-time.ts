/**
 * MLP against GCN predictor at equal fit time (issue 23 §5). Reads `prednas predictor-eval`
 * folders (one predictor and step count each, same seeds and test sets), times one fit of each
 * of their settings per train size in this process — settings interleaved, `--rounds` times, CPU
 * ms, median — so that the times are measured side by side rather than taken from runs made at
 * different moments, and writes a markdown table: every setting's ranking quality (from its
 * folder) against its fit time, then, per train size, the best Kendall τ each predictor reaches
 * within the time of the MLP's and of the GCN's default fit. The fits timed here learn a smooth
 * synthetic target on random NB-201 cells: their cost depends on the cells' number, not on values.
 * Run: npx tsx bench/predictor-equal-time.ts [--rounds 3] --out FILE.md DIR...
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Rng } from '../src/autograd/random.js';
import { readResultsFile } from '../src/io/results-file.js';
import { setBackend } from '../src/kernels/index.js';
import { PREDICTOR_DEFAULTS, NeuralPredictor } from '../src/nas/predictors/neural.js';
import { nb201Space, type Nb201Arch } from '../src/nas/spaces/nb201.js';

type Stat = { mean: number; std: number };
interface Setting {
  readonly dir: string;
  readonly kind: 'mlp' | 'gcn';
  readonly epochs: number;
  readonly backend: string;
  readonly seeds: number[];
  readonly summary: Record<string, Record<string, Stat>>;
}

const { values, positionals } = parseArgs({ options: { rounds: { type: 'string' }, out: { type: 'string' } }, allowPositionals: true });
if (values.out === undefined || positionals.length === 0) throw new Error('usage: predictor-equal-time.ts [--rounds 3] --out FILE.md DIR...');
const rounds = Number(values.rounds ?? 3);

const settings: Setting[] = positionals.map((dir) => {
  const r = readResultsFile(dir) as { benchmark: string; predictor: { kind?: 'mlp' | 'gcn'; epochs?: number }; kernelBackend?: string; seeds: number[]; trainSizes: number[]; summary: Setting['summary'] };
  if (r.benchmark !== 'nb201') throw new Error(`${dir}: an nb201 predictor-eval folder expected, got benchmark '${r.benchmark}'`);
  return { dir, kind: r.predictor.kind ?? 'mlp', epochs: r.predictor.epochs ?? PREDICTOR_DEFAULTS.epochs, backend: r.kernelBackend ?? 'js', seeds: r.seeds, summary: r.summary };
});
const sizes = Object.keys(settings[0]!.summary).map(Number).sort((a, b) => a - b);
for (const s of settings) {
  if (Object.keys(s.summary).map(Number).sort((a, b) => a - b).join() !== sizes.join()) throw new Error(`${s.dir}: train sizes differ from ${settings[0]!.dir}'s (${sizes.join(', ')})`);
  if (s.seeds.join() !== settings[0]!.seeds.join()) throw new Error(`${s.dir}: seeds differ from ${settings[0]!.dir}'s`);
}

const space = nb201Space();
const cells = new Rng(23).shuffle([...space.enumerate()]).slice(0, sizes[sizes.length - 1]);
const target = (a: Nb201Arch) => a.reduce((s, op, e) => s + Math.sin(op * 1.3 + e), 0);
const cpuMs = (f: () => void) => { const t0 = process.cpuUsage(); f(); const d = process.cpuUsage(t0); return (d.user + d.system) / 1000; };
const fit = (s: Setting, n: number) => {
  setBackend(s.backend);
  const train = cells.slice(0, n);
  return cpuMs(() => new NeuralPredictor(space, { kind: s.kind, epochs: s.epochs, seed: 0 }).fit(train, train.map(target)));
};
for (const s of settings) fit(s, sizes[0]!); // warm-up: every code path compiled before timing
const times = settings.map(() => sizes.map(() => [] as number[]));
for (let r = 0; r < rounds; r++) sizes.forEach((n, j) => settings.forEach((s, i) => times[i]![j]!.push(fit(s, n))));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const ms = times.map((row) => row.map(median));

const name = (s: Setting) => `${s.kind.toUpperCase()}, ${s.epochs} steps`;
const f3 = (x: Stat | undefined) => (x === undefined ? '–' : `${x.mean.toFixed(3)} ± ${x.std.toFixed(3)}`);
const f2 = (x: Stat | undefined) => (x === undefined ? '–' : x.mean.toFixed(2));
const lines = [
  `### MLP vs GCN predictor at equal fit time · nb201 · ${settings[0]!.seeds.length} seeds (${settings[0]!.seeds[0]}..${settings[0]!.seeds[settings[0]!.seeds.length - 1]})`,
  '',
  `Ranking quality from each setting's \`predictor-eval\` folder (mean ± std over its seeds; 1,000 held-out cells); fit time: CPU ms of one fit of five members on that many cells, median of ${rounds} interleaved rounds in one process (this machine, backends as the folders record).`,
  '',
  '| train size | setting | fit ms | Kendall τ | P@10 | P@50 | P@100 |',
  '|---|---|---:|---|---:|---:|---:|',
];
sizes.forEach((n, j) => {
  const order = settings.map((_, i) => i).sort((a, b) => ms[a]![j]! - ms[b]![j]!);
  for (const i of order) {
    const q = settings[i]!.summary[String(n)]!;
    lines.push(`| ${n} | ${name(settings[i]!)} | ${Math.round(ms[i]![j]!)} | ${f3(q['kendall'])} | ${f2(q['precisionAt10'])} | ${f2(q['precisionAt50'])} | ${f2(q['precisionAt100'])} |`);
  }
});
// Best τ per predictor within a budget: the time of each predictor's default fit at that size.
const best = (kind: 'mlp' | 'gcn', j: number, budget: number) => {
  let at = -1;
  settings.forEach((s, i) => {
    if (s.kind !== kind || ms[i]![j]! > budget) return;
    if (at < 0 || s.summary[String(sizes[j])]!['kendall']!.mean > settings[at]!.summary[String(sizes[j])]!['kendall']!.mean) at = i;
  });
  return at < 0 ? '– (none this fast)' : `${settings[at]!.summary[String(sizes[j])]!['kendall']!.mean.toFixed(3)} (${settings[at]!.epochs} steps)`;
};
lines.push('', '| train size | budget | best MLP τ within it | best GCN τ within it |', '|---|---|---|---|');
sizes.forEach((n, j) => {
  for (const kind of ['mlp', 'gcn'] as const) {
    const d = settings.findIndex((s) => s.kind === kind && s.epochs === PREDICTOR_DEFAULTS.epochs);
    if (d < 0) continue;
    const budget = ms[d]![j]!;
    lines.push(`| ${n} | ${Math.round(budget)} ms (${name(settings[d]!)}) | ${best('mlp', j, budget)} | ${best('gcn', j, budget)} |`);
  }
});
lines.push('', `Produced by \`npx tsx bench/predictor-equal-time.ts ${process.argv.slice(2).join(' ')}\`.`, '');
writeFileSync(values.out, lines.join('\n'));
console.log(lines.join('\n'));
