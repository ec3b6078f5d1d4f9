/**
 * Journal locks know their holder's host: a lock held from another host (a shared file system)
 * is never broken, whatever its pid looks like here; a stale lock on this host (dead pid, or a
 * pid now used by another process) is.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { acquireLock, holderAlive, processStart, thisHost } from '../src/io/lock.js';
import { tempDir } from './fixtures/cli.js';

/** The pid of a process that has exited (as after a SIGKILL). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

function holder(host: string, pid: number, start: string | null) {
  return JSON.stringify({ host, pid, start, purpose: 'prednas run', since: '2026-01-01T00:00:00.000Z' });
}

describe('lock files', () => {
  it('records host, pid and start time; a live holder on this host blocks with a message naming it', () => {
    const p = join(tempDir(), 'j.lock');
    const release = acquireLock(p, { purpose: 'test holder' });
    const rec = JSON.parse(readFileSync(p, 'utf8'));
    expect(rec).toMatchObject({ host: thisHost(), pid: process.pid, purpose: 'test holder' });
    if (process.platform === 'linux') expect(rec.start).toMatch(/^[0-9a-f-]+:\d+$/);
    expect(() => acquireLock(p, { waitMs: 100, breakHint: 'pass --break-lock' }))
      .toThrow(new RegExp(`held by process ${process.pid} on host ${thisHost()} \\(test holder, since .*\\); wait for it to finish; if it is gone, pass --break-lock`));
    release();
    expect(existsSync(p)).toBe(false);
  });

  it('breaks a stale lock on this host: dead pid, or a live pid with another start time (pid reuse)', () => {
    const p = join(tempDir(), 'j.lock');
    writeFileSync(p, holder(thisHost(), deadPid(), null));
    acquireLock(p, { waitMs: 100 })();
    if (process.platform === 'linux') {
      // Our own pid, but a start time it never had: the recorded process is gone, the pid reused.
      expect(holderAlive({ pid: process.pid, start: processStart(process.pid) })).toBe(true);
      writeFileSync(p, holder(thisHost(), process.pid, 'other-boot:12345'));
      expect(holderAlive({ pid: process.pid, start: 'other-boot:12345' })).toBe(false);
      const r = acquireLock(p, { waitMs: 100 });
      expect(JSON.parse(readFileSync(p, 'utf8')).start).toBe(processStart(process.pid));
      r();
    }
  });

  it('never breaks a lock held from another host, even when its pid is dead here; --break-lock does', () => {
    const p = join(tempDir(), 'j.lock');
    const pid = deadPid();
    writeFileSync(p, holder('login-node-7', pid, 'b:1'));
    const t0 = Date.now();
    expect(() => acquireLock(p, { waitMs: 200, breakHint: 'pass --break-lock' }))
      .toThrow(new RegExp(`held by process ${pid} on host login-node-7 .*this is host ${thisHost()}, so prednas cannot tell whether that process is alive .*check on login-node-7.*pass --break-lock`));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200); // waited for a release first
    expect(JSON.parse(readFileSync(p, 'utf8')).host).toBe('login-node-7'); // untouched
    // A lock from an older prednas has no host: it cannot be judged either.
    writeFileSync(p, JSON.stringify({ pid, purpose: 'prednas run', since: 'x' }));
    expect(() => acquireLock(p, { waitMs: 50 })).toThrow(/on host \(unknown host\)/);
    const r = acquireLock(p, { waitMs: 50, breakLock: true });
    expect(JSON.parse(readFileSync(p, 'utf8'))).toMatchObject({ host: thisHost(), pid: process.pid });
    r();
    expect(existsSync(p)).toBe(false);
  });

  it('release does not remove a lock someone else took after breaking ours', () => {
    const p = join(tempDir(), 'j.lock');
    const release = acquireLock(p);
    writeFileSync(p, holder('other', 1, null));
    release();
    expect(JSON.parse(readFileSync(p, 'utf8')).host).toBe('other');
  });
});
