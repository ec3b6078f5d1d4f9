/**
 * Lock files that know their holder (Node only): host, pid, the process's start time and what it
 * is doing. A journal may live on a file system shared by several machines (a cluster's home or
 * scratch), so a pid alone says nothing: pid 4242 may be dead here and alive on the login node.
 * Staleness is therefore decided only on the holder's own host, where the pid can be checked and
 * its start time compared (a reused pid has another start time). A lock held from another host is
 * never broken automatically: the error names the holder and how to break it by hand.
 */
import { closeSync, constants, fstatSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

export interface LockHolder {
  readonly host: string;
  readonly pid: number;
  /** Process start time as this host reports it (see processStart); null where unknown. */
  readonly start: string | null;
  readonly purpose: string;
  readonly since: string;
}

export interface LockOptions {
  /** Milliseconds to wait for a live holder to release the lock (default 10 s). */
  readonly waitMs?: number;
  /** What the holder is doing, recorded in the lock for a helpful "locked by" message. */
  readonly purpose?: string;
  /** Remove the lock whoever holds it (the user has checked that the holder is gone). */
  readonly breakLock?: boolean;
  /** How the user breaks the lock with this command (for the message), e.g. "pass --break-lock". */
  readonly breakHint?: string;
}

export function thisHost(): string {
  return hostname();
}

/**
 * A process's start time: on Linux the boot id plus /proc/PID/stat's starttime (clock ticks since
 * boot), which together identify one process for the life of the machine; null where /proc is
 * unavailable (then a live pid is trusted as the holder).
 */
export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) may contain spaces and parentheses: count fields after its closing ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = fields[19];
    if (ticks === undefined) return null;
    return `${bootId()}:${ticks}`;
  } catch {
    return null;
  }
}

let boot: string | undefined;
function bootId(): string {
  if (boot === undefined) {
    try { boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(); } catch { boot = 'unknown-boot'; }
  }
  return boot;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Is this holder (recorded on this host) still running? Same pid and, where known, same start time. */
export function holderAlive(h: Pick<LockHolder, 'pid' | 'start'>): boolean {
  if (!pidAlive(h.pid)) return false;
  if (h.start === null) return true;
  const now = processStart(h.pid);
  return now === null || now === h.start;
}

const sleepBuf = new Int32Array(new SharedArrayBuffer(4));
function sleepMs(ms: number): void {
  Atomics.wait(sleepBuf, 0, 0, ms);
}

function parseHolder(text: string): LockHolder | null {
  let v: unknown;
  try { v = JSON.parse(text); } catch { return null; }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (typeof o['pid'] !== 'number') return null;
  return {
    // A lock written by an older prednas has no host: it can only be judged like a foreign one.
    host: typeof o['host'] === 'string' ? o['host'] : '(unknown host)',
    pid: o['pid'],
    start: typeof o['start'] === 'string' ? o['start'] : null,
    purpose: typeof o['purpose'] === 'string' ? o['purpose'] : 'unknown',
    since: typeof o['since'] === 'string' ? o['since'] : '?',
  };
}

export class LockHeldError extends Error {
  constructor(readonly lockPath: string, readonly holder: LockHolder | null, hint: string) {
    const who = holder === null ? 'an unreadable holder' : `process ${holder.pid} on host ${holder.host} (${holder.purpose}, since ${holder.since})`;
    super(`${lockPath} is held by ${who}; ${hint}`);
    this.name = 'LockHeldError';
  }
}

/**
 * Take `path` (created with O_EXCL, holder written into it). Returns the release function.
 * A holder on this host that is gone (or whose pid now belongs to another process) is stale and
 * is removed; a live one is waited for up to waitMs; one on another host is never judged.
 */
export function acquireLock(path: string, opts: LockOptions = {}): () => void {
  const deadline = Date.now() + (opts.waitMs ?? 10_000);
  const host = thisHost();
  const me: LockHolder = { host, pid: process.pid, start: processStart(process.pid), purpose: opts.purpose ?? 'prednas', since: new Date().toISOString() };
  mkdirSync(dirname(path), { recursive: true });
  let broke = opts.breakLock === true;
  for (;;) {
    if (broke) {
      try { unlinkSync(path); } catch { /* not there */ }
      broke = false;
    }
    try {
      const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
      try { writeSync(fd, JSON.stringify(me)); } finally { closeSync(fd); }
      let released = false;
      return () => {
        if (released) return;
        released = true;
        // Only remove it if it is still ours (someone may have broken it and taken it since).
        try {
          const h = parseHolder(readFileSync(path, 'utf8'));
          if (h !== null && h.host === me.host && h.pid === me.pid && h.since === me.since) unlinkSync(path);
        } catch { /* already gone */ }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let text = '';
    try { text = readFileSync(path, 'utf8'); } catch { continue; /* released meanwhile */ }
    const holder = parseHolder(text);
    if (holder === null) {
      // Being written right now, or left empty by a crash between create and write: a lock
      // that stays unreadable for 2 s is such a leftover.
      try {
        const fd = openSync(path, 'r');
        const age = Date.now() - fstatSync(fd).mtimeMs;
        closeSync(fd);
        if (age > 2000) { try { unlinkSync(path); } catch { /* gone */ } continue; }
      } catch { continue; }
    } else if (holder.host === host && !holderAlive(holder)) {
      try { unlinkSync(path); } catch { /* someone else broke it first */ }
      continue;
    }
    if (Date.now() > deadline) {
      const breakHint = opts.breakHint ?? `delete ${path}`;
      // A holder on another host may be alive or not: only someone who can look there can say.
      if (holder !== null && holder.host !== host) {
        throw new LockHeldError(path, holder, `this is host ${host}, so prednas cannot tell whether that process is alive and leaves the lock alone; if it is gone (check on ${holder.host}), ${breakHint}`);
      }
      throw new LockHeldError(path, holder, `wait for it to finish; if it is gone, ${breakHint}`);
    }
    sleepMs(50);
  }
}
