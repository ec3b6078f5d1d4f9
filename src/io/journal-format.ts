/**
 * The ask/tell journal's format: JSON lines, one event per line, append-only. Line 1 is a header
 * naming the space, algorithm and seed; then `ask` events (a trial was proposed) and `result`
 * events (its evaluation finished: ok with a metric, failed, or timed out).
 *
 * Crash safety rests on one rule: a line is written with a single write() ending in '\n', then
 * fsync'd. A crash can therefore only leave an incomplete *last* line (no newline, possibly
 * followed by NUL bytes a file system exposes after a power loss): that tail is "torn" and is
 * ignored (and cut off by the next writer). Anything invalid before the last newline was not
 * written by us and is reported as corruption with its line number, never skipped silently.
 */

export const JOURNAL_SCHEMA = 'prednas.journal/1';

/** A built-in space by name, or a user's JSON spec embedded so the journal is self-contained. */
export type JournalSpace = { readonly kind: 'builtin'; readonly name: string } | { readonly kind: 'spec'; readonly spec: unknown };

export interface JournalHeader {
  readonly type: 'header';
  readonly schema: typeof JOURNAL_SCHEMA;
  readonly space: JournalSpace;
  readonly algo: string;
  readonly seed: number;
  /** 'max' (default) or 'min': metrics are negated before the search sees them when minimising. */
  readonly direction: 'max' | 'min';
  readonly predictor: 'mlp' | 'gcn';
  readonly constraints: readonly string[];
  readonly created: string;
  /** Version of prednas that created the journal (absent in journals written before 0.1.0 recorded it). */
  readonly prednas?: string;
}

export interface AskEvent {
  readonly type: 'ask';
  readonly trial: number;
  readonly arch: string;
  readonly time: string;
}

export type ResultStatus = 'ok' | 'failed' | 'timeout';

export interface ResultEvent {
  readonly type: 'result';
  readonly trial: number;
  readonly arch: string;
  readonly status: ResultStatus;
  /** Present (finite) when status is 'ok'. */
  readonly metric?: number;
  readonly cost?: number;
  readonly seconds?: number;
  readonly error?: string;
  /** Whatever else the evaluator printed in its result line (kept for the user, unused by the search). */
  readonly extra?: Readonly<Record<string, unknown>>;
  readonly time: string;
}

/**
 * `prednas run` is about to start an evaluation of a trial (written and fsync'd *before* the
 * process or Slurm job exists). `token` is put in the evaluation's environment (local) or is the
 * Slurm job's name, so a resumed run can find it even if it died before the `job` event below.
 */
export interface LaunchEvent {
  readonly type: 'launch';
  readonly trial: number;
  /** 1 for the first evaluation of the trial, 2 after a relaunch, ... */
  readonly attempt: number;
  readonly launcher: 'local' | 'slurm';
  /** Host of the coordinator that launched it (local processes can only be seen from there). */
  readonly host: string;
  readonly token: string;
  readonly time: string;
}

/** The evaluation of the trial's latest attempt exists: its process group, or its Slurm job id. */
export interface JobEvent {
  readonly type: 'job';
  readonly trial: number;
  readonly attempt: number;
  readonly pid?: number;
  readonly pgid?: number;
  /** The process's start time (lock.ts processStart), to tell it from a later process with its pid. */
  readonly start?: string | null;
  readonly jobId?: string;
  readonly time: string;
}

export type JournalEvent = AskEvent | ResultEvent | LaunchEvent | JobEvent;

export interface ParsedJournal {
  readonly header: JournalHeader;
  readonly events: readonly JournalEvent[];
  /** Byte length of the valid prefix (every complete line); the rest is a torn tail. */
  readonly validBytes: number;
  /** Bytes of torn tail after the valid prefix (0 when the file ends cleanly). */
  readonly tornBytes: number;
}

export class JournalError extends Error {
  constructor(where: string, what: string) {
    super(`${where}: ${what}`);
    this.name = 'JournalError';
  }
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkHeader(v: unknown, where: string): JournalHeader {
  if (!isObj(v) || v['type'] !== 'header') throw new JournalError(where, `expected the journal header ({"type":"header",...}), got ${JSON.stringify(v)?.slice(0, 80)}`);
  if (v['schema'] !== JOURNAL_SCHEMA) throw new JournalError(where, `unsupported journal schema ${JSON.stringify(v['schema'])} (this prednas reads ${JOURNAL_SCHEMA})`);
  const sp = v['space'];
  if (!isObj(sp) || !((sp['kind'] === 'builtin' && typeof sp['name'] === 'string') || (sp['kind'] === 'spec' && isObj(sp['spec'])))) {
    throw new JournalError(where, 'header.space must be {"kind":"builtin","name":...} or {"kind":"spec","spec":{...}}');
  }
  if (typeof v['algo'] !== 'string') throw new JournalError(where, 'header.algo must be a string');
  if (!Number.isInteger(v['seed'])) throw new JournalError(where, 'header.seed must be an integer');
  if (v['direction'] !== 'max' && v['direction'] !== 'min') throw new JournalError(where, "header.direction must be 'max' or 'min'");
  if (v['predictor'] !== 'mlp' && v['predictor'] !== 'gcn') throw new JournalError(where, "header.predictor must be 'mlp' or 'gcn'");
  if (!Array.isArray(v['constraints']) || !v['constraints'].every((c) => typeof c === 'string')) throw new JournalError(where, 'header.constraints must be an array of strings');
  if (v['prednas'] !== undefined && typeof v['prednas'] !== 'string') throw new JournalError(where, `header.prednas must be a version string, got ${JSON.stringify(v['prednas'])}`);
  return v as unknown as JournalHeader;
}

function checkEvent(v: unknown, where: string): JournalEvent {
  if (!isObj(v)) throw new JournalError(where, 'expected a JSON object');
  if (!Number.isInteger(v['trial']) || (v['trial'] as number) < 1) throw new JournalError(where, `trial must be a positive integer, got ${JSON.stringify(v['trial'])}`);
  if (v['type'] === 'launch' || v['type'] === 'job') {
    if (!Number.isInteger(v['attempt']) || (v['attempt'] as number) < 1) throw new JournalError(where, `attempt must be a positive integer, got ${JSON.stringify(v['attempt'])}`);
    if (v['type'] === 'launch') {
      if (v['launcher'] !== 'local' && v['launcher'] !== 'slurm') throw new JournalError(where, `launcher must be 'local' or 'slurm', got ${JSON.stringify(v['launcher'])}`);
      if (typeof v['host'] !== 'string' || typeof v['token'] !== 'string' || v['token'] === '') throw new JournalError(where, 'a launch needs string host and token');
      return v as unknown as LaunchEvent;
    }
    const isPid = (k: string) => v[k] === undefined || (Number.isInteger(v[k]) && (v[k] as number) > 0);
    if (!isPid('pid') || !isPid('pgid')) throw new JournalError(where, 'pid and pgid must be positive integers');
    if (v['jobId'] !== undefined && (typeof v['jobId'] !== 'string' || !/^[0-9_]+$/.test(v['jobId']))) throw new JournalError(where, `jobId must be a Slurm job id, got ${JSON.stringify(v['jobId'])}`);
    if (v['pid'] === undefined && v['jobId'] === undefined) throw new JournalError(where, 'a job event needs a pid or a jobId');
    return v as unknown as JobEvent;
  }
  if (typeof v['arch'] !== 'string' || v['arch'] === '') throw new JournalError(where, 'arch must be a non-empty string');
  if (v['type'] === 'ask') return v as unknown as AskEvent;
  if (v['type'] !== 'result') throw new JournalError(where, `unknown event type ${JSON.stringify(v['type'])} (expected 'ask' or 'result')`);
  const st = v['status'];
  if (st !== 'ok' && st !== 'failed' && st !== 'timeout') throw new JournalError(where, `status must be ok, failed or timeout, got ${JSON.stringify(st)}`);
  if (st === 'ok' && (typeof v['metric'] !== 'number' || !Number.isFinite(v['metric']))) throw new JournalError(where, 'an ok result needs a finite numeric metric');
  return v as unknown as ResultEvent;
}

/**
 * The sequence rules of a journal: asks numbered 1, 2, 3, ...; each result answers an earlier ask
 * of the same architecture, at most once; launches of a trial are numbered 1, 2, ... and come
 * between its ask and its result, each job event naming the latest launch. Kept as a state so that
 * the lines after a snapshot (journal-snapshot.ts) are checked exactly as a full read checks them.
 */
/** A set of trial numbers: a Set, or journal-snapshot.ts's bitmap (cheaper to build for 10^4 trials). */
export interface TrialSet {
  has(trial: number): boolean;
  add(trial: number): unknown;
}

export class JournalSequence {
  /**
   * @param asked     the architecture of each trial asked so far (trial k at index k - 1)
   * @param answered  trials that have a result
   * @param attempts  the latest launch's attempt number of trials launched by `prednas run`
   */
  constructor(readonly asked: string[] = [], readonly answered: TrialSet = new Set<number>(), readonly attempts = new Map<number, number>()) {}

  /** Check one event against what came before it and record it; throws a JournalError at `where`. */
  accept(e: JournalEvent, where: string): void {
    if (e.type === 'launch' || e.type === 'job') {
      if (e.trial > this.asked.length) throw new JournalError(where, `${e.type} for trial ${e.trial}, which was never asked`);
      if (this.answered.has(e.trial)) throw new JournalError(where, `${e.type} for trial ${e.trial}, which already has a result`);
      const n = this.attempts.get(e.trial) ?? 0;
      if (e.type === 'launch' && e.attempt !== n + 1) throw new JournalError(where, `launch of trial ${e.trial} attempt ${e.attempt} out of sequence (expected attempt ${n + 1})`);
      if (e.type === 'job' && e.attempt !== n) throw new JournalError(where, `job for trial ${e.trial} attempt ${e.attempt}, but its latest launch is attempt ${n}`);
      this.attempts.set(e.trial, e.attempt);
    } else if (e.type === 'ask') {
      if (e.trial !== this.asked.length + 1) throw new JournalError(where, `ask for trial ${e.trial} out of sequence (expected trial ${this.asked.length + 1})`);
      this.asked.push(e.arch);
    } else {
      const a = this.asked[e.trial - 1];
      if (a === undefined) throw new JournalError(where, `result for trial ${e.trial}, which was never asked`);
      if (a !== e.arch) throw new JournalError(where, `result for trial ${e.trial} names ${e.arch} but the trial asked ${a}`);
      if (this.answered.has(e.trial)) throw new JournalError(where, `second result for trial ${e.trial}`);
      this.answered.add(e.trial);
    }
  }
}

/** The complete lines of `text` and the torn tail after them (see the file comment). */
function splitComplete(text: string): { lines: string[]; complete: string; tail: string } {
  const end = text.lastIndexOf('\n') + 1;
  // A torn tail: an incomplete line and/or NULs. Anything else after the last newline can't
  // come from a crash of our writer, but is also harmless to drop: it was never acknowledged.
  const complete = text.slice(0, end);
  const lines = complete.split('\n');
  lines.pop();
  return { lines, complete, tail: text.slice(end) };
}

function parseLine(line: string, where: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new JournalError(where, `corrupt line (not JSON): ${JSON.stringify(line.slice(0, 80))}; a journal is only ever appended to by prednas, so this line was edited or damaged by something else`);
  }
}

/**
 * Parse journal text. `name` is used in messages (the file path). Beyond per-line validity it
 * checks the sequence (JournalSequence).
 */
export function parseJournal(text: string, name: string): ParsedJournal {
  return parseJournalSequence(text, name).parsed;
}

/** parseJournal, and the sequence state after its last line (to check lines appended later). */
export function parseJournalSequence(text: string, name: string): { parsed: ParsedJournal; seq: JournalSequence } {
  const { lines, complete, tail } = splitComplete(text);
  if (lines.length === 0) throw new JournalError(name, 'empty journal (no complete header line); delete it and start again');
  const header = checkHeader(parseLine(lines[0]!, `${name}:1`), `${name}:1`);
  const seq = new JournalSequence();
  const { events } = parseEventLines(lines.slice(1), name, 2, seq);
  return { parsed: { header, events, validBytes: Buffer.byteLength(complete), tornBytes: Buffer.byteLength(tail) }, seq };
}

/** The header from the journal's first line (with its newline), checked as parseJournal checks it. */
export function parseHeaderLine(line: string, name: string): JournalHeader {
  return checkHeader(parseLine(line.replace(/\n$/, ''), `${name}:1`), `${name}:1`);
}

/**
 * Parse the events after a point already read (a snapshot's offset): `text` starts at a line
 * boundary, `firstLine` is its line number in the file, `seq` the state of the lines before it
 * (updated). Same checks and messages as parseJournal; validBytes/tornBytes count from `text`.
 */
export function parseJournalTail(text: string, name: string, firstLine: number, seq: JournalSequence): { events: JournalEvent[]; lines: number; validBytes: number; tornBytes: number } {
  const { lines, complete, tail } = splitComplete(text);
  const { events } = parseEventLines(lines, name, firstLine, seq);
  return { events, lines: lines.length, validBytes: Buffer.byteLength(complete), tornBytes: Buffer.byteLength(tail) };
}

function parseEventLines(lines: readonly string[], name: string, firstLine: number, seq: JournalSequence): { events: JournalEvent[] } {
  const events: JournalEvent[] = [];
  lines.forEach((line, i) => {
    const where = `${name}:${firstLine + i}`;
    const e = checkEvent(parseLine(line, where), where);
    seq.accept(e, where);
    events.push(e);
  });
  return { events };
}

/** One event as a journal line (with its newline). */
export function journalLine(v: JournalHeader | JournalEvent): string {
  const s = JSON.stringify(v);
  if (s.includes('\n')) throw new Error('journal: a serialised event contains a newline'); // JSON.stringify escapes them; defensive
  return s + '\n';
}
