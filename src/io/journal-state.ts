/**
 * Rebuild a search from its journal. Searches are seeded and deterministic (same seed + same
 * sequence of asks and tells ⇒ same proposals), so replaying the journal's events in order
 * through a fresh algorithm restores it exactly; every replayed ask is checked against what the
 * journal recorded, so a journal written by different options fails loudly instead of drifting.
 */
import { makeAlgorithm, type AlgorithmOptions } from '../nas/search/registry.js';
import { BaseSearch, type SearchAlgorithm, type SearchCheckpoint } from '../nas/search/algorithm.js';
import type { SearchSpace } from '../nas/space.js';
import { feasibility, parseConstraint } from '../nas/experiment/constraint.js';
import { JournalError, type AskEvent, type JobEvent, type JournalEvent, type JournalHeader, type LaunchEvent, type ResultEvent, type ResultStatus } from './journal-format.js';
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

/**
 * A trial restored from a ReplayStart. Its result and attempts are objects made on first read: a
 * call that resumes a journal of 10^4 trials reads a few of them, and three objects per trial were
 * a visible part of its time.
 */
class StartTrial implements Trial {
  private made: ResultEvent | null | undefined = undefined;
  private tries: Attempt[] | null = null;

  constructor(readonly trial: number, readonly arch: string, readonly hash: string, private readonly status: ResultStatus | null, private readonly metric: number | null | undefined) {}

  get result(): ResultEvent | null {
    if (this.made === undefined) {
      const { trial, arch, status, metric } = this;
      this.made = status === null ? null : typeof metric === 'number' ? { type: 'result', trial, arch, status, metric, time: '' } : { type: 'result', trial, arch, status, time: '' };
    }
    return this.made;
  }

  set result(r: ResultEvent | null) {
    this.made = r;
  }

  get attempts(): Attempt[] {
    return (this.tries ??= []);
  }
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
  /** Everything a later replay needs to start here instead of at the first event (a snapshot). */
  compact(): ReplayStart;
}

/**
 * A search's state after some prefix of its journal, as journal-snapshot.ts stores it: replay()
 * continues from it with the events after that prefix. Columns (trial k at index k - 1), because a
 * call that resumes from it pays for every object made per trial. Results keep only status and
 * metric, and the trials' attempts (launches by `prednas run`) are not kept: suggest and tell
 * never read them.
 */
export interface ReplayStart {
  readonly archs: readonly string[];
  /** Hashes that differ from the arch string (NB-101's isomorphism hash), by trial index. */
  readonly hashes: ReadonlyMap<number, string>;
  /** One STATUS_CHAR per trial, '-' for no result yet. */
  readonly status: string;
  /** The metric of each ok trial, null for the others. */
  readonly metrics: readonly (number | null)[];
  /** [trial, trials asked then, ...] for each ok result, in the order the search was told them. */
  readonly told: readonly number[];
  /**
   * BaseSearch.checkpoint() after the prefix, restored without replaying anything; null for
   * searches that need more (REA, local search, the predictor-guided ones), which are fed the
   * prefix's asks and tells again, from this record instead of the journal's lines.
   */
  readonly checkpoint: SearchCheckpoint | null;
  readonly best: number | null;
}

export const STATUS_CHAR: Readonly<Record<ResultStatus, string>> = { ok: 'o', failed: 'f', timeout: 't' };
export const CHAR_STATUS: Readonly<Record<string, ResultStatus | null>> = { '-': null, o: 'ok', f: 'failed', t: 'timeout' };

export function algorithmOptionsFor(h: JournalHeader): AlgorithmOptions {
  return { prednas: { predictor: { kind: h.predictor } }, wen: { predictor: { kind: h.predictor } } };
}

/**
 * The search after `events`; with `start`, after start's prefix and then `events` (the journal's
 * lines after a snapshot). A start that does not fit the search (another algorithm's checkpoint, a
 * recorded proposal the search does not make again) throws: the caller then replays the journal.
 */
export function replay(header: JournalHeader, events: readonly JournalEvent[], name: string, start?: ReplayStart): SearchState {
  const space = spaceFromJournalSpace(header.space);
  const feasible = feasibility(header.constraints.map(parseConstraint), space, null, null);
  const ctx = feasible === undefined ? { space, seed: header.seed } : { space, seed: header.seed, feasible };
  const search = makeAlgorithm(header.algo, ctx, algorithmOptionsFor(header));
  const trials: Trial[] = [];
  const sign = header.direction === 'min' ? -1 : 1;
  const values = new Map<number, unknown>();
  // Trials restored from a checkpoint were never proposed in this process: parse on demand.
  const valueOf = (trial: number) => values.get(trial) ?? space.parse(trials[trial - 1]!.arch);
  const told: number[] = []; // as ReplayStart.told

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
    if (e.status === 'ok') {
      search.tell(valueOf(e.trial), sign * e.metric!);
      told.push(e.trial, trials.length);
    }
  };
  // Launches and jobs are bookkeeping for `run`'s resume; the search never sees them.
  const applyLaunch = (e: LaunchEvent | JobEvent) => {
    const t = trials[e.trial - 1]!;
    if (e.type === 'launch') t.attempts.push({ launch: e, job: null });
    else {
      // After a start, the launch may lie before it (attempts are not kept there; see ReplayStart).
      const a = t.attempts[t.attempts.length - 1];
      if (a !== undefined) a.job = e;
    }
  };
  if (start !== undefined) {
    const n = start.archs.length;
    const okMetric = (trial: number) => {
      const m = start.metrics[trial - 1];
      if (start.status[trial - 1] !== STATUS_CHAR.ok || typeof m !== 'number') throw new Error(`replay start: trial ${trial} has no ok result`);
      return m;
    };
    for (let i = 0; i < n; i++) {
      const trial = i + 1, arch = start.archs[i]!, hash = start.hashes.get(i) ?? arch, status = CHAR_STATUS[start.status[i]!];
      if (status === undefined) throw new Error(`replay start: trial ${trial} has an unknown status`);
      trials.push(new StartTrial(trial, arch, hash, status, start.metrics[i]));
    }
    if (start.checkpoint !== null) {
      if (!(search instanceof BaseSearch) || search.checkpoint() === null) throw new Error(`replay start: a checkpoint, but ${header.algo} is not restored from one`);
      const toldHashes: string[] = [];
      for (let j = 0; j < start.told.length; j += 2) toldHashes.push(trials[start.told[j]! - 1]!.hash);
      const pending: string[] = [];
      for (let i = 0; i < n; i++) if (start.status[i] !== STATUS_CHAR.ok) pending.push(trials[i]!.hash);
      search.restore(start.checkpoint, pending, toldHashes, () => {
        const obs = [];
        for (let j = 0; j < start.told.length; j += 2) {
          const t = trials[start.told[j]! - 1]!;
          obs.push({ arch: space.parse(t.arch), hash: t.hash, val: sign * okMetric(t.trial) });
        }
        return obs;
      });
    } else {
      // Feed the search the prefix's asks and tells in their journal order, checking each
      // proposal against the record as a replay of the journal checks it against the ask line.
      let k = 0;
      const tellUpTo = (asked: number) => {
        for (; k < start.told.length && start.told[k + 1]! <= asked; k += 2) search.tell(values.get(start.told[k]!), sign * okMetric(start.told[k]!));
      };
      for (const t of trials) {
        tellUpTo(t.trial - 1);
        const [value] = search.ask(1);
        if (value === undefined || space.hash(value) !== t.hash) throw new Error(`replay start: the search does not propose trial ${t.trial} again`);
        values.set(t.trial, value);
      }
      tellUpTo(n);
      if (k < start.told.length) throw new Error('replay start: results told before their trials were asked');
    }
    for (const x of start.told) told.push(x);
    if (start.best !== null) {
      okMetric(start.best);
      bestTrial = trials[start.best - 1]!;
    }
  }
  events.forEach((e, i) => {
    const where = `${name}: event ${i + 1} (line ${i + 2})`;
    if (e.type === 'ask') applyAsk(e, where);
    else if (e.type === 'result') applyResult(e);
    else applyLaunch(e);
  });

  let proposed: { trial: number; value: unknown } | null = null;
  // An ask that found nothing may still have drawn from the RNG, which no replay repeats: from then
  // on the RNG is not the journal's, so compact() records no checkpoint (the trials are fed again).
  let drewUnjournaled = false;
  const state: SearchState = {
    header, space, search, trials,
    next() {
      const [value] = search.ask(1);
      if (value === undefined) {
        drewUnjournaled = true;
        return null;
      }
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
    compact() {
      // An unapplied proposal has moved the RNG past what the journal holds.
      if (proposed !== null) throw new Error('internal: compact() with a proposal not applied');
      const hashes = new Map<number, string>();
      let status = '';
      trials.forEach((t, i) => {
        if (t.hash !== t.arch) hashes.set(i, t.hash);
        status += t.result === null ? '-' : STATUS_CHAR[t.result.status];
      });
      return {
        archs: trials.map((t) => t.arch), hashes, status, metrics: trials.map((t) => (t.result?.status === 'ok' ? t.result.metric! : null)),
        told: told.slice(), checkpoint: search instanceof BaseSearch && !drewUnjournaled ? search.checkpoint() : null, best: bestTrial?.trial ?? null,
      };
    },
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
