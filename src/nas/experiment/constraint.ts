/**
 * Compute constraints: `flops<=40`, `params<=1.5e6`, `latency:pixel3<=10.68` (optionally with a
 * lower bound `>=` for matched-compute comparisons). FLOPs and params use the space's analytic
 * count where it has one; latency uses the benchmark table's measured values.
 */
import type { Oracle } from '../oracle.js';
import type { ArchCost, SearchSpace } from '../space.js';

export interface Constraint {
  /** 'flops', 'params', 'latency' or 'latency:<device>'. */
  readonly metric: string;
  readonly op: '<=' | '>=';
  readonly value: number;
}

const PATTERN = /^\s*(flops|params|latency(?::[A-Za-z0-9_]+)?)\s*(<=|>=)\s*([-+0-9.eE]+)\s*$/;

export function parseConstraint(text: string): Constraint {
  const m = PATTERN.exec(text);
  if (m === null) {
    throw new Error(`invalid constraint '${text}': expected METRIC<=VALUE or METRIC>=VALUE with METRIC one of flops, params, latency, latency:<device> (e.g. 'flops<=40', 'latency:pixel3<=10.68')`);
  }
  const value = Number(m[3]);
  if (!Number.isFinite(value)) throw new Error(`invalid constraint '${text}': '${m[3]}' is not a number`);
  return { metric: m[1]!, op: m[2] as '<=' | '>=', value };
}

export function formatConstraint(c: Constraint): string {
  return `${c.metric}${c.op}${c.value}`;
}

function pick(cost: ArchCost, metric: string): number | undefined {
  if (metric === 'flops') return cost.flops;
  if (metric === 'params') return cost.params;
  if (metric === 'latency') return cost.latency;
  if (metric.startsWith('latency:')) return cost.latencies?.[metric.slice('latency:'.length)];
  return undefined;
}

/** The cost function a constraint is checked with: analytic where the space has it, else the table. */
export function costFunction<A>(metric: string, space: SearchSpace<A>, oracle: Oracle<A> | null, dataset: string | null): (arch: A) => number {
  const analytic = (metric === 'flops' || metric === 'params') && space.cost !== undefined;
  return (arch) => {
    let v: number | undefined;
    if (analytic) v = pick(space.cost!(arch), metric);
    // Constraint checks run on every candidate (Wen ranks 1,000 per round): use the table's direct
    // column lookup where the oracle has one instead of building a full QueryResult.
    if (v === undefined && oracle !== null && dataset !== null) v = oracle.costOf && metric !== 'latency' ? oracle.costOf(arch, metric, dataset) : pick(oracle.peek(arch, { dataset }).cost, metric);
    if (v === undefined || !Number.isFinite(v)) {
      throw new Error(`constraint: no '${metric}' cost for ${space.toString(arch)} (space ${space.name}${oracle ? `, benchmark ${oracle.benchmark}` : ''})`);
    }
    return v;
  };
}

export function feasibility<A>(constraints: readonly Constraint[], space: SearchSpace<A>, oracle: Oracle<A> | null, dataset: string | null): ((arch: A) => boolean) | undefined {
  if (constraints.length === 0) return undefined;
  const checks = constraints.map((c) => {
    const f = costFunction(c.metric, space, oracle, dataset);
    return c.op === '<=' ? (a: A) => f(a) <= c.value : (a: A) => f(a) >= c.value;
  });
  return (a) => checks.every((chk) => chk(a));
}
