/**
 * Rebuild a search from its journal. Searches are seeded and deterministic (same seed + same
 * sequence of asks and tells ⇒ same proposals), so replaying the journal's events in order
 * through a fresh algorithm restores it exactly; every replayed ask is checked against what the
 * journal recorded, so a journal written by different options fails loudly instead of drifting.
 */
import { makeAlgorithm, type AlgorithmOptions } from '../nas/search/registry.js';
import type { SearchAlgorithm } from '../nas/search/algorithm.js';
import type { SearchSpace } from '../nas/space.js';
import { feasibility, parseConstraint } from '../nas/experiment/constraint.js';
import { JournalError, type AskEvent, type JobEvent, type JournalEvent, type JournalHeader, type LaunchEvent, type ResultEvent } from './journal-format.js';
import { spaceFromJournalSpace } from './run-space.js';

/** One evaluation of a trial by `prednas run`: its launch, and its process or job once it existed. */
export interface Attempt {
  readonly launch: LaunchEvent;
  job: JobEvent | null;
}

export interface Trial {
  readonly trial: number;
  readonly arch: string;
  readonly hash: string;
  result: ResultEvent | null;
  /** Evaluations launched by `prednas run`, in order (empty for ask/tell trials). */
  readonly attempts: Attempt[];
}

export interface SearchState {
  readonly header: JournalHeader;
  readonly space: SearchSpace<unknown>;
  readonly search: SearchAlgorithm<unknown>;
  readonly trials: Trial[];
  /** Ask the search for one more proposal and return it as a trial (not yet journaled). */
  next(): { trial: number; arch: string; value: unknown } | null;
  /** Apply an event to the in-memory state (after it was appended to the journal). */
  apply(e: JournalEvent): void;
  pending(): Trial[];
  best(): Trial | null;
}

export function algorithmOptionsFor(h: JournalHeader): AlgorithmOptions {
  return { prednas: { predictor: { kind: h.predictor } }, wen: { predictor: { kind: h.predictor } } };
}

export function replay(header: JournalHeader, events: readonly JournalEvent[], name: string): SearchState {
  const space = spaceFromJournalSpace(header.space);
  const feasible = feasibility(header.constraints.map(parseConstraint), space, null, null);
  const ctx = feasible === undefined ? { space, seed: header.seed } : { space, seed: header.seed, feasible };
  const search = makeAlgorithm(header.algo, ctx, algorithmOptionsFor(header));
  const trials: Trial[] = [];
  const sign = header.direction === 'min' ? -1 : 1;
  const values = new Map<number, unknown>();

  const applyAsk = (e: AskEvent, where: string, proposed?: unknown) => {
    let value = proposed;
    if (value === undefined) {
      const [got] = search.ask(1);
      if (got === undefined) throw new JournalError(where, `the search has nothing left to propose, but the journal asked trial ${e.trial} (${e.arch})`);
      value = got;
    }
    const hash = space.hash(value);
    let recorded: unknown;
    try {
      recorded = space.parse(e.arch);
    } catch (err) {
      throw new JournalError(where, `architecture ${JSON.stringify(e.arch)} does not parse in space ${space.name}: ${(err as Error).message}`);
    }
    if (space.hash(recorded) !== hash) {
      throw new JournalError(where, `replaying the search proposed ${space.toString(value)} for trial ${e.trial}, but the journal recorded ${e.arch}; the journal was written with different settings or another prednas version (start a new journal)`);
    }
    values.set(e.trial, value);
    trials.push({ trial: e.trial, arch: e.arch, hash, result: null, attempts: [] });
  };
  // Kept as results arrive: best() is called after every tell, and a scan made it O(trials).
  let bestTrial: Trial | null = null;
  const applyResult = (e: ResultEvent) => {
    const t = trials[e.trial - 1]!;
    t.result = e;
    if (e.status === 'ok') {
      const v = sign * e.metric!, b = bestTrial === null ? -Infinity : sign * bestTrial.result!.metric!;
      // Ties go to the lower trial number, as the scan in trial order did.
      if (bestTrial === null || v > b || (v === b && t.trial < bestTrial.trial)) bestTrial = t;
    }
    // Failed and timed-out trials are never told: they stay "taken", so they are not proposed again.
    if (e.status === 'ok') search.tell(values.get(e.trial), sign * e.metric!);
  };
  // Launches and jobs are bookkeeping for `run`'s resume; the search never sees them.
  const applyLaunch = (e: LaunchEvent | JobEvent) => {
    const t = trials[e.trial - 1]!;
    if (e.type === 'launch') t.attempts.push({ launch: e, job: null });
    else t.attempts[t.attempts.length - 1]!.job = e;
  };
  events.forEach((e, i) => {
    const where = `${name}: event ${i + 1} (line ${i + 2})`;
    if (e.type === 'ask') applyAsk(e, where);
    else if (e.type === 'result') applyResult(e);
    else applyLaunch(e);
  });

  let proposed: { trial: number; value: unknown } | null = null;
  const state: SearchState = {
    header, space, search, trials,
    next() {
      const [value] = search.ask(1);
      if (value === undefined) return null;
      proposed = { trial: trials.length + 1, value };
      return { trial: proposed.trial, arch: space.toString(value), value };
    },
    apply(e) {
      if (e.type === 'ask') {
        if (proposed === null || proposed.trial !== e.trial) throw new Error(`internal: ask for trial ${e.trial} applied without next()`);
        applyAsk(e, name, proposed.value);
        proposed = null;
      } else if (e.type === 'result') {
        applyResult(e);
      } else {
        applyLaunch(e);
      }
    },
    pending: () => trials.filter((t) => t.result === null),
    best: () => bestTrial,
  };
  return state;
}

/** Architecture object of a trial (for writing its JSON description). */
export function trialValue(state: SearchState, arch: string): unknown {
  return state.space.parse(arch);
}

/**
 * An existing journal keeps its settings; flags given again must agree with them (a different
 * seed or algorithm would silently start a different search). Returns the journal's header.
 */
export function checkHeaderAgrees(existing: JournalHeader, requested: Partial<Omit<JournalHeader, 'type' | 'schema' | 'created'>>, path: string): JournalHeader {
  const diffs: string[] = [];
  const cmp = (flag: string, a: unknown, b: unknown) => {
    if (b !== undefined && JSON.stringify(a) !== JSON.stringify(b)) diffs.push(`--${flag}: journal has ${JSON.stringify(a)}, command line says ${JSON.stringify(b)}`);
  };
  if (requested.space !== undefined) {
    const a = existing.space, b = requested.space;
    const same = a.kind === b.kind && JSON.stringify(a) === JSON.stringify(b);
    if (!same) diffs.push(`--space: the journal was started with ${a.kind === 'builtin' ? a.name : `the spec of space '${(a.spec as { name?: string }).name}'`}, which differs from the space given now`);
  }
  cmp('algo', existing.algo, requested.algo);
  cmp('seed', existing.seed, requested.seed);
  cmp('predictor', existing.predictor, requested.predictor);
  cmp('direction', existing.direction, requested.direction);
  cmp('constraint', existing.constraints, requested.constraints);
  if (diffs.length > 0) throw new Error(`journal ${path} was started with other settings (${diffs.join('; ')}); omit these flags to continue it, or use a new --journal`);
  return existing;
}
