/** Flags shared by suggest and run: which search a new journal starts, checked against an existing one. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { readJournalHeader } from '../../io/journal.js';
import { JOURNAL_SCHEMA, type JournalHeader } from '../../io/journal-format.js';
import { checkHeaderAgrees } from '../../io/journal-state.js';
import { resolveSpace } from '../../io/run-space.js';
import { ALGORITHMS } from '../../nas/search/registry.js';
import { parseChoice, parseIntFlag } from '../args.js';
import { list, need, str, UsageError, type Values } from '../context.js';
import { constraintFlags } from './bench-common.js';
import { packageVersion } from './version.js';

export const SEARCH_SETUP_FLAGS = {
  space: { type: 'string' }, journal: { type: 'string' }, algo: { type: 'string' }, seed: { type: 'string' },
  predictor: { type: 'string' }, constraint: { type: 'string', multiple: true }, minimize: { type: 'boolean' },
} as const;

export const SEARCH_SETUP_HELP = `  --journal FILE     the JSON-lines journal (created if missing; the single source of truth)
  --space S          nb201, nb101 or a JSON space spec (needed to start a journal; must agree after)
  --algo A           ${ALGORITHMS.join(', ')} (default prednas)
  --seed S           (default 0)
  --predictor P      mlp (default) or gcn
  --constraint C     flops<=…/params<=… on the space's analytic costs (repeatable)
  --minimize         lower metrics are better (default: higher is better)`;

/**
 * The header for this journal: from the flags when it is new; the journal's own when it exists,
 * after checking that any flags given agree with it.
 */
export function journalHeader(v: Values): { path: string; header: JournalHeader; isNew: boolean } {
  const path = resolve(need(v, 'journal', 'e.g. --journal run.jsonl'));
  const spaceArg = str(v, 'space');
  const requested = {
    ...(spaceArg !== undefined ? { space: resolveSpace(spaceArg).journalSpace } : {}),
    ...(str(v, 'algo') !== undefined ? { algo: parseChoice('algo', str(v, 'algo'), ALGORITHMS, 'prednas') } : {}),
    ...(str(v, 'seed') !== undefined ? { seed: parseIntFlag('seed', str(v, 'seed'), 0, 0) } : {}),
    ...(str(v, 'predictor') !== undefined ? { predictor: parseChoice('predictor', str(v, 'predictor'), ['mlp', 'gcn'] as const, 'mlp') } : {}),
    ...(v['minimize'] === true ? { direction: 'min' as const } : {}),
    ...(list(v, 'constraint').length > 0 ? { constraints: constraintFlags(v) } : {}),
  };
  if (existsSync(path)) {
    // The header only: reading every event here would make each suggest O(journal) again.
    return { path, header: checkHeaderAgrees(readJournalHeader(path), requested, path), isNew: false };
  }
  if (requested.space === undefined) throw new UsageError(`--space is required to start the new journal ${path} (nb201, nb101 or a JSON space spec)`);
  const header: JournalHeader = {
    type: 'header', schema: JOURNAL_SCHEMA, space: requested.space, algo: requested.algo ?? 'prednas', seed: requested.seed ?? 0,
    direction: requested.direction ?? 'max', predictor: requested.predictor ?? 'mlp', constraints: requested.constraints ?? [],
    created: new Date().toISOString(), prednas: packageVersion(),
  };
  return { path, header, isNew: true };
}
