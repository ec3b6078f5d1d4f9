/**
 * An oracle that reports every counted query. The search loops are synchronous core code without
 * hooks, and the oracle is the one place every query passes through, so progress bars (CLI) and
 * live plots (browser worker) observe it here. Everything else is delegated unchanged.
 */
import type { Oracle, QueryResult } from './oracle.js';

export function observeOracle<A>(o: Oracle<A>, onQuery: (arch: A, result: QueryResult) => void): Oracle<A> {
  return {
    get benchmark() { return o.benchmark; },
    get space() { return o.space; },
    get datasets() { return o.datasets; },
    get semantics() { return o.semantics; },
    get isPool() { return o.isPool; },
    get queryCount() { return o.queryCount; },
    dataset: (name) => o.dataset(name),
    has: (a) => o.has(a),
    query: (a, q) => {
      const r = o.query(a, q);
      onQuery(a, r);
      return r;
    },
    peek: (a, q) => o.peek(a, q),
    archs: () => o.archs(),
    optimum: (ds, p, f) => o.optimum(ds, p, f),
    // Constraint checks use the table's direct cost lookup where there is one (much cheaper than peek).
    ...(o.costOf ? { costOf: (a: A, name: string, ds: string) => o.costOf!(a, name, ds) } : {}),
  };
}
