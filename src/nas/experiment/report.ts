/** Markdown tables of experiment results, labelled with protocol, semantics, seeds and budget. */
import type { ExperimentResults } from './runner.js';

function fmt(x: number, digits = 2): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '–';
}

export function resultsTable(res: ExperimentResults): string {
  const algos = Object.keys(res.summary);
  const cps = [...new Set(algos.flatMap((a) => Object.keys(res.summary[a]!)))].sort((a, b) => Number(a) - Number(b));
  const lines: string[] = [];
  const seeds = res.seeds.length;
  lines.push(`### ${res.benchmark}${res.pool ? ' (pool)' : ''} · ${res.dataset} · protocol ${res.protocol} · semantics ${res.semantics}`);
  lines.push('');
  lines.push(`${res.metricNote}; mean ± std over ${seeds} seed${seeds === 1 ? '' : 's'} (median [IQR] below); budget ${res.budget} queries` +
    (res.constraints.length > 0 ? `; constraints ${res.constraints.join(', ')} (hard filter on every query)` : '') + '.');
  lines.push(`Optimum ${res.pool ? 'of the pool' : 'of the table'}${res.constraints.length > 0 ? ' within the constraints' : ''}: **${fmt(res.optimum.value, 3)}** (\`${res.optimum.arch}\`). "Found optimum": share of runs that queried this architecture within the budget.`);
  lines.push('');
  lines.push(`| algorithm | ${cps.map((n) => `n=${n}`).join(' | ')} | found optimum | queries to optimum | time / run |`);
  lines.push(`|---|${cps.map(() => '---').join('|')}|---|---|---|`);
  for (const a of algos) {
    const d = res.details[a]!;
    const cells = cps.map((n) => {
      const s = res.summary[a]![n];
      return s ? `${fmt(s.mean)} ± ${fmt(s.std)}` : '–';
    });
    const last = res.summary[a]![cps[cps.length - 1]!];
    lines.push(`| ${a} | ${cells.join(' | ')} | ${last ? `${(last.foundOptimum * 100).toFixed(0)} %` : '–'} | ${d.meanQueriesToOptimum === null ? '–' : fmt(d.meanQueriesToOptimum, 1)} | ${(d.meanTimeMs / 1000).toFixed(2)} s |`);
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
