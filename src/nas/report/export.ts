/**
 * Experiment results as a tidy long-format table (one row per query), the shape that pandas, R
 * and spreadsheets read directly. Core code: returns text; the CLI writes it.
 */
import type { ExperimentResults } from '../experiment/runner.js';

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break; null/undefined → empty. */
export function csvField(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(fields: readonly (string | number | boolean | null | undefined)[]): string {
  return fields.map(csvField).join(',') + '\n';
}

export const RESULTS_CSV_COLUMNS = ['algorithm', 'seed', 'query', 'budget', 'fidelity', 'architecture', 'val', 'test'] as const;

/**
 * Every query of every run: `query` is its position in the run (1, 2, ...), `budget` the budget
 * spent once it was done (full-fidelity queries' worth: a screened run's screening queries cost a
 * fraction each), `fidelity` 'full' or the screening fidelity. `cost(arch)`, when given, adds one
 * `cost_<name>` column per cost it returns (e.g. a space's analytic FLOPs and parameters).
 */
export function resultsCsv(res: ExperimentResults, cost?: (arch: string) => Readonly<Record<string, number>> | undefined): string {
  const first = res.runs.find((r) => r.trajectory.length > 0)?.trajectory[0];
  const costKeys = cost && first ? Object.keys(cost(first.arch) ?? {}).sort() : [];
  let out = csvLine([...RESULTS_CSV_COLUMNS, ...costKeys.map((k) => `cost_${k}`)]);
  const costs = (arch: string) => {
    const c = costKeys.length > 0 ? cost!(arch) : undefined;
    return costKeys.map((k) => c?.[k]);
  };
  for (const r of res.runs) {
    let q = 0;
    (r.screening ?? []).forEach((p, i) => {
      q++;
      // Rounded: 3 × 0.06 is 0.18, not 0.18000000000000002.
      out += csvLine([r.algo, r.seed, q, Number(((i + 1) * (res.screening?.costPerQuery ?? 0)).toPrecision(12)), res.screening?.fidelity ?? 'screening', p.arch, p.val, null, ...costs(p.arch)]);
    });
    for (const p of r.trajectory) {
      q++;
      out += csvLine([r.algo, r.seed, q, p.query, 'full', p.arch, p.val, p.test, ...costs(p.arch)]);
    }
  }
  return out;
}
