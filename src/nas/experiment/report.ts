/** Markdown tables of experiment results, labelled with protocol, semantics, seeds and budget. */
import type { CheckpointSummary, ExperimentResults, ScreeningLabel } from './runner.js';
import { studentTQuantile } from './stats.js';

function fmt(x: number, digits = 2): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '–';
}

/** The 95 % confidence interval of a checkpoint's mean, Student's t with runs − 1 degrees of freedom. */
export function meanInterval(s: CheckpointSummary): [number, number] {
  const half = s.runs > 1 ? (studentTQuantile(0.975, s.runs - 1) * s.std) / Math.sqrt(s.runs) : 0;
  return [s.mean - half, s.mean + half];
}

/** Says how a screened (multi-fidelity) experiment counts its budget. */
export function screeningCaption(s: ScreeningLabel): string {
  return `**Multi-fidelity screening**: every run first made ${s.queries} queries at ${s.fidelity}, each counted as ${+s.costPerQuery.toFixed(4)} of a full-fidelity query ` +
    `(the ratio of training epochs), ${s.offset} in all, then trained its ${s.promote} best screened cells in full; n counts full-fidelity queries' worth of budget, so a run's first full query is n=${s.offset + 1}. ` +
    'Only full-fidelity results are reported or count as finding the optimum.';
}

/** `res.prednas`, when present, is the version that made the results (the CLI records it). */
export function resultsTable(res: ExperimentResults & { readonly prednas?: string }): string {
  const algos = Object.keys(res.summary);
  const cps = [...new Set(algos.flatMap((a) => Object.keys(res.summary[a]!)))].sort((a, b) => Number(a) - Number(b));
  const lines: string[] = [];
  const seeds = res.seeds.length;
  lines.push(`### ${res.benchmark}${res.pool ? ' (pool)' : ''} · ${res.dataset} · protocol ${res.protocol} · semantics ${res.semantics}`);
  lines.push('');
  lines.push(`${res.metricNote}; mean ± std over ${seeds} seed${seeds === 1 ? '' : 's'} (median [IQR] below)` +
    (seeds > 1 ? `, and the 95 % confidence interval of the mean at the last checkpoint (Student's t, ${seeds - 1} degrees of freedom)` : '') + `; budget ${res.budget} queries` +
    (res.constraints.length > 0 ? `; constraints ${res.constraints.join(', ')} (hard filter on every query)` : '') +
    (res.prednas !== undefined ? `; prednas ${res.prednas}` : '') + '.');
  if (res.screening !== undefined) lines.push(screeningCaption(res.screening));
  lines.push(`Optimum ${res.pool ? 'of the pool' : 'of the table'}${res.constraints.length > 0 ? ' within the constraints' : ''}: **${fmt(res.optimum.value, 3)}** (\`${res.optimum.arch}\`). "Found optimum": share of runs that queried this architecture within the budget.`);
  lines.push('');
  const lastCp = cps[cps.length - 1];
  lines.push(`| algorithm | ${cps.map((n) => `n=${n}`).join(' | ')} | 95 % CI n=${lastCp ?? '–'} | found optimum | queries to optimum | time / run |`);
  lines.push(`|---|${cps.map(() => '---').join('|')}|---|---|---|---|`);
  for (const a of algos) {
    const d = res.details[a]!;
    const cells = cps.map((n) => {
      const s = res.summary[a]![n];
      return s ? `${fmt(s.mean)} ± ${fmt(s.std)}` : '–';
    });
    const last = res.summary[a]![cps[cps.length - 1]!];
    const ci = last ? meanInterval(last) : null;
    lines.push(`| ${a} | ${cells.join(' | ')} | ${ci ? `[${fmt(ci[0])}, ${fmt(ci[1])}]` : '–'} | ${last ? `${(last.foundOptimum * 100).toFixed(0)} %` : '–'} | ${d.meanQueriesToOptimum === null ? '–' : fmt(d.meanQueriesToOptimum, 1)} | ${(d.meanTimeMs / 1000).toFixed(2)} s |`);
  }
  lines.push('');
  lines.push(`| algorithm | ${cps.map((n) => `median [IQR] n=${n}`).join(' | ')} |`);
  lines.push(`|---|${cps.map(() => '---').join('|')}|`);
  for (const a of algos) {
    lines.push(`| ${a} | ${cps.map((n) => {
      const s = res.summary[a]![n];
      return s ? `${fmt(s.median)} [${fmt(s.q25)}, ${fmt(s.q75)}]` : '–';
    }).join(' | ')} |`);
  }
  return lines.join('\n') + '\n';
}
