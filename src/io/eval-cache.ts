/**
 * A persistent, content-addressed cache of live-task evaluations (Node only): one file of JSON
 * lines that any number of searches, seeds, worker threads, processes or Slurm shards read and
 * append to. A live task's training is seeded by the network, so a network's result under fixed
 * settings is one number wherever it is computed; the cache stores it once and every later query
 * anywhere reads it instead of training again.
 *
 * Key: sha256 of (a) the context, everything besides the network that determines a result: the
 * cache format, the prednas version, the task name, the task's settings (epochs, batch, split
 * sizes and seed, downsampling, learning rate, training seed), a sha256 of the training /
 * validation / test tensors themselves (covers the `mnist` package's data and the resolution),
 * the kernel backend, and an *engine canary*: the exact final losses and accuracies of a few tiny
 * fixed trainings run through the task's own trainer, so that a change of the engine's numerics
 * (initialisation, kernels, optimiser) between versions that keep the version number misses the
 * cache instead of serving stale numbers; and (b) the network's canonical hash in its space.
 *
 * File format (schema prednas.evalcache/1): one JSON object per line, always starting with
 * `{"schema":"prednas.evalcache/1","key":"` (so a fragment can be recognised), then the task,
 * the network in words, val, test (percent), the network's cost and the training time (seconds,
 * as measured when it was trained). Concurrency: every record is appended with one write(2) on
 * an O_APPEND descriptor, whole line and newline together, so concurrent writers on one local
 * file system never interleave within a line. Readers take only complete lines (a last line
 * without its newline may be a write in progress, or a crash's leftover: it is skipped, and a
 * writer that finds the file ending without a newline starts its record on a new line). The same
 * network trained twice by two writers at once gives two identical lines; the first one counts.
 * A file ending in `.gz` is read (gunzipped) and never written.
 */
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, statSync, writeSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { dirname, resolve } from 'node:path';
import type { EvalStore, LiveEvaluation } from '../nas/tasks/live-oracle.js';
import type { ArchCost } from '../nas/space.js';
import { sha256 } from './sha256.js';

export const EVAL_CACHE_SCHEMA = 'prednas.evalcache/1';
/** Every record starts with exactly this (the writer's field order), so a torn fragment is recognisable. */
const PREFIX = `{"schema":"${EVAL_CACHE_SCHEMA}","key":"`;

/** What a command passes down to the task loader (plain data: it crosses into worker threads). */
export interface EvalCacheRequest {
  readonly file: string;
  /** The prednas version, part of the key (results may change across versions). */
  readonly prednas: string;
}

/** The environment variable that names a cache file when --cache is not given. */
export const EVAL_CACHE_ENV = 'PREDNAS_EVAL_CACHE';

export interface EvalCacheOptions<A> {
  readonly task: string;
  /**
   * Everything besides the network that determines a result, as plain JSON (computed on first
   * use, when the kernel backend of the run is in force: the engine canary trains with it).
   */
  readonly context: () => Record<string, unknown>;
  readonly describe: (arch: A) => string;
  readonly cost?: (arch: A) => ArchCost;
  /** Where warnings go (default: one line on stderr). */
  readonly warn?: (message: string) => void;
}

/** Counts for reports: lookups answered from the file, lookups that found nothing, records written. */
export interface EvalCacheStats {
  readonly file: string;
  readonly entries: number;
  readonly hits: number;
  readonly misses: number;
  readonly written: number;
  readonly readOnly: boolean;
}

/** JSON with sorted keys, so the context's digest does not depend on property order. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * A record, or what a torn write leaves of one (a record cut short). Shorter fragments than a
 * dozen characters are not given the benefit of the doubt: a file starting `{` is some other JSON.
 */
function looksLikeRecord(text: string): boolean {
  return text.startsWith(PREFIX) || (text.length >= 12 && PREFIX.startsWith(text));
}

/** Why a line is not a record, or the record. */
function parseRecord(line: string): { key: string; r: LiveEvaluation } | string {
  if (!line.startsWith(PREFIX)) return `expected a line starting ${PREFIX}…`;
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return 'not valid JSON';
  }
  const { key, val, test, trainTime } = o;
  if (typeof key !== 'string' || !/^[0-9a-f]{64}$/.test(key)) return 'key is not 64 hex digits';
  for (const [k, x] of [['val', val], ['test', test], ['trainTime', trainTime]] as const) {
    if (typeof x !== 'number' || !Number.isFinite(x)) return `${k} is not a finite number`;
  }
  if ((trainTime as number) < 0) return 'trainTime is negative';
  return { key, r: { val: val as number, test: test as number, trainTime: trainTime as number } };
}

export class EvalCacheFile<A> implements EvalStore<A> {
  readonly file: string;
  readonly readOnly: boolean;
  private readonly map = new Map<string, LiveEvaluation>();
  /** Bytes of the file consumed so far (up to and including the last newline read). */
  private offset = 0;
  private lines = 0;
  private digest: string | null = null;
  private fd: number | null = null;
  private ino = -1;
  private writeFailed = false;
  private warnedReadOnly = false;
  private hits = 0;
  private misses = 0;
  private written = 0;
  private readonly warn: (m: string) => void;

  constructor(file: string, private readonly opts: EvalCacheOptions<A>) {
    this.file = resolve(file);
    this.readOnly = this.file.endsWith('.gz');
    this.warn = opts.warn ?? ((m) => process.stderr.write(`prednas: warning: ${m}\n`));
    if (this.readOnly) {
      if (!existsSync(this.file)) throw new Error(`--cache ${file}: no such file (a .gz cache is read only, so it must exist; give a plain file name to start a new cache)`);
      let bytes: Buffer;
      try {
        bytes = gunzipSync(readFileSync(this.file));
      } catch (e) {
        throw new Error(`--cache ${file}: not a gzipped file (${(e as Error).message}); a name ending in .gz means a gzipped, read-only cache`);
      }
      this.consume(bytes, true);
    } else {
      if (existsSync(this.file) && statSync(this.file).isDirectory()) throw new Error(`--cache ${file}: is a directory, expected a cache file (JSON lines, schema ${EVAL_CACHE_SCHEMA})`);
      this.refresh();
    }
  }

  stats(): EvalCacheStats {
    return { file: this.file, entries: this.map.size, hits: this.hits, misses: this.misses, written: this.written, readOnly: this.readOnly };
  }

  /** The record key of a network: sha256 of the context's digest and the network's canonical hash. */
  keyOf(hash: string): string {
    if (this.digest === null) this.digest = sha256(canonicalJson({ format: EVAL_CACHE_SCHEMA, task: this.opts.task, ...this.opts.context() }));
    return sha256(`${this.digest}\n${hash}`);
  }

  get(hash: string): LiveEvaluation | undefined {
    const key = this.keyOf(hash);
    let e = this.map.get(key);
    // Another process or thread may have trained it since we last looked: read what was appended.
    if (e === undefined && !this.readOnly) {
      this.refresh();
      e = this.map.get(key);
    }
    if (e === undefined) this.misses++;
    else this.hits++;
    return e;
  }

  put(hash: string, arch: A, r: LiveEvaluation): void {
    const key = this.keyOf(hash);
    const rec = { ...r, trainTime: r.trainTime ?? 0 };
    if (!this.map.has(key)) this.map.set(key, rec);
    if (this.readOnly) {
      if (!this.warnedReadOnly) this.warn(`cache ${this.file} is gzipped, so read only: new results are not saved (gunzip it to extend it)`);
      this.warnedReadOnly = true;
      return;
    }
    if (this.writeFailed) return;
    const cost = this.opts.cost?.(arch);
    // Field order matters: PREFIX is how a reader recognises a record or a fragment of one.
    const line = JSON.stringify({ schema: EVAL_CACHE_SCHEMA, key, task: this.opts.task, arch: this.opts.describe(arch), val: rec.val, test: rec.test, trainTime: rec.trainTime, ...(cost !== undefined ? { cost } : {}) });
    try {
      this.append(line);
      this.written++;
    } catch (e) {
      // The search's results do not depend on the cache: say so once and go on without saving.
      this.writeFailed = true;
      this.warn(`cache ${this.file}: cannot append (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); going on without saving new results`);
    }
  }

  /** Close the append descriptor (tests; a process's exit closes it anyway). */
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private append(line: string): void {
    // Reopen if the file was deleted or replaced meanwhile (the user may delete the cache).
    let st: ReturnType<typeof statSync> | null = null;
    try {
      st = statSync(this.file);
    } catch {
      st = null;
    }
    if (this.fd !== null && (st === null || st.ino !== this.ino)) this.close();
    if (this.fd === null) {
      mkdirSync(dirname(this.file), { recursive: true });
      this.fd = openSync(this.file, 'a');
      this.ino = fstatSync(this.fd).ino;
    }
    // A file that does not end in a newline holds a torn record (a writer died mid-line): start
    // ours on a fresh line so it stays whole; the fragment becomes a skipped line.
    const size = fstatSync(this.fd).size;
    let lead = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      const rfd = openSync(this.file, 'r');
      try {
        readSync(rfd, last, 0, 1, size - 1);
      } finally {
        closeSync(rfd);
      }
      if (last[0] !== 0x0a) lead = '\n';
    }
    const buf = Buffer.from(`${lead}${line}\n`, 'utf8');
    // One write(2) of the whole line on an O_APPEND descriptor: concurrent writers never interleave.
    const n = writeSync(this.fd, buf);
    if (n !== buf.length) throw new Error(`short write (${n} of ${buf.length} bytes)`);
  }

  /** Read complete lines appended since the last read (from the start if the file shrank or was replaced). */
  private refresh(): void {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        this.offset = 0;
        this.lines = 0;
        return;
      }
      throw new Error(`--cache ${this.file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    try {
      const size = fstatSync(fd).size;
      if (size < this.offset) {
        this.offset = 0;
        this.lines = 0;
      }
      if (size === this.offset) return;
      const buf = Buffer.alloc(size - this.offset);
      let got = 0;
      while (got < buf.length) {
        const n = readSync(fd, buf, got, buf.length - got, this.offset + got);
        if (n === 0) break;
        got += n;
      }
      this.consume(buf.subarray(0, got), false);
    } finally {
      closeSync(fd);
    }
  }

  /** Parse the complete lines of `buf` (the bytes after `offset`); `whole`: there is no more to come. */
  private consume(buf: Buffer, whole: boolean): void {
    if (this.offset === 0 && buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
      throw new Error(`--cache ${this.file}: the file is gzipped; name it *.gz to read it (read only), or gunzip it to extend it`);
    }
    const end = buf.lastIndexOf(0x0a);
    const complete = end < 0 ? '' : buf.subarray(0, end + 1).toString('utf8');
    const tail = buf.subarray(end + 1).toString('utf8');
    const bad: number[] = [];
    let conflicts = 0;
    const lines = complete.split('\n');
    lines.pop();
    for (const text of lines) {
      const no = ++this.lines;
      if (text.trim() === '') continue;
      const p = parseRecord(text);
      if (typeof p === 'string') {
        // The first line decides whether this is a cache at all: a wrong file is an error.
        if (no === 1 && !looksLikeRecord(text)) throw new Error(`--cache ${this.file}: not a prednas evaluation cache (line 1: ${p}; got ${JSON.stringify(text.slice(0, 40))}); point --cache at a new file, or delete this one`);
        bad.push(no);
        continue;
      }
      const old = this.map.get(p.key);
      if (old === undefined) this.map.set(p.key, p.r);
      else if (old.val !== p.r.val || old.test !== p.r.test) conflicts++;
    }
    this.offset += end + 1;
    if (tail !== '' && this.lines === 0 && !looksLikeRecord(tail)) {
      throw new Error(`--cache ${this.file}: not a prednas evaluation cache (it starts ${JSON.stringify(tail.slice(0, 40))}, expected JSON lines with schema ${EVAL_CACHE_SCHEMA}); point --cache at a new file, or delete this one`);
    }
    if (whole && tail !== '') bad.push(this.lines + 1);
    if (bad.length > 0) this.warn(`cache ${this.file}: ${bad.length} line${bad.length === 1 ? '' : 's'} (line ${bad[0]}${bad.length > 1 ? ', …' : ''}) ${bad.length === 1 ? 'is' : 'are'} not a cache record (a write cut short?), skipped`);
    if (conflicts > 0) this.warn(`cache ${this.file}: ${conflicts} record${conflicts === 1 ? '' : 's'} disagree with an earlier record of the same key; the first is used (was the file edited?)`);
  }
}
