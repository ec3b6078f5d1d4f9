/**
 * writeFileAtomic under failure: whichever step fails, the target keeps its old content and no
 * temporary file is left behind; after a successful rename the directory is fsync'd. Failures are
 * injected at each step through the fs seam, and, where this machine lets us mount, produced for
 * real on a 64 KiB tmpfs (full disk) and on a read-only remount of it. Tests run as root, and
 * chmod does not stop root, so a read-only directory needs a read-only mount.
 */
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atomicTempTarget, writeFileAtomic, type AtomicWriteFs } from '../src/io/atomic-write.js';

const leftovers = (dir: string) => fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'));

type Step = 'mkdir' | 'open' | 'write' | 'fsync' | 'close' | 'rename' | 'opendir' | 'fsyncdir';

/** Real fs that records its calls and can fail one step (or write only part of each buffer). */
function faultyFs(failAt: Step | null, opts: { shortWrites?: boolean } = {}): AtomicWriteFs & { log: string[] } {
  const log: string[] = [];
  const dirFds = new Set<number>();
  const fail = (step: Step) => {
    log.push(step);
    if (step === failAt) throw Object.assign(new Error(`EIO: injected failure, ${step}`), { code: 'EIO' });
  };
  return {
    log,
    mkdirSync: (p, o) => (fail('mkdir'), fs.mkdirSync(p, o)),
    openSync: (p, flags) => {
      const isDir = flags === 'r';
      fail(isDir ? 'opendir' : 'open');
      const fd = fs.openSync(p, flags);
      if (isDir) dirFds.add(fd);
      return fd;
    },
    writeSync: (fd, buf, off, len) => (fail('write'), fs.writeSync(fd, buf, off, opts.shortWrites ? Math.min(len, 7) : len)),
    fsyncSync: (fd) => (fail(dirFds.has(fd) ? 'fsyncdir' : 'fsync'), fs.fsyncSync(fd)),
    closeSync: (fd) => {
      if (!dirFds.has(fd)) fail('close');
      dirFds.delete(fd);
      fs.closeSync(fd);
    },
    renameSync: (a, b) => (fail('rename'), fs.renameSync(a, b)),
    unlinkSync: (p) => fs.unlinkSync(p),
  };
}

describe('writeFileAtomic with injected failures', () => {
  const dir = fs.mkdtempSync(join(tmpdir(), 'prednas-atomic-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes text and bytes, fsyncs the file before the rename and the directory after it', () => {
    const target = join(dir, 'ok.json');
    const io = faultyFs(null);
    writeFileAtomic(target, '{"a":1}\n', io);
    expect(fs.readFileSync(target, 'utf8')).toBe('{"a":1}\n');
    expect(io.log.join(' ')).toBe('mkdir open write fsync close rename opendir fsyncdir');
    writeFileAtomic(target, new Uint8Array([1, 2, 3]));
    expect([...fs.readFileSync(target)]).toEqual([1, 2, 3]);
    expect(leftovers(dir)).toEqual([]);
  });

  it('short writes are continued until every byte is out', () => {
    const target = join(dir, 'short.txt');
    const text = 'é'.repeat(100) + '\n'; // multi-byte characters split across short writes
    const io = faultyFs(null, { shortWrites: true });
    writeFileAtomic(target, text, io);
    expect(fs.readFileSync(target, 'utf8')).toBe(text);
    expect(io.log.filter((s) => s === 'write').length).toBe(Math.ceil(Buffer.byteLength(text) / 7));
  });

  for (const step of ['mkdir', 'open', 'write', 'fsync', 'close', 'rename'] as const) {
    it(`a failure at '${step}' keeps the old content, leaves no temporary file, and says so in one line`, () => {
      const target = join(dir, `fail-${step}.json`);
      fs.writeFileSync(target, 'old\n');
      let msg = '';
      try {
        writeFileAtomic(target, 'new content\n'.repeat(50), faultyFs(step));
      } catch (e) {
        msg = (e as Error).message;
        expect((e as NodeJS.ErrnoException).code).toBe('EIO');
      }
      expect(msg).toBe(`writeFileAtomic: cannot write '${target}': EIO: injected failure, ${step}`);
      expect(fs.readFileSync(target, 'utf8')).toBe('old\n');
      expect(leftovers(dir)).toEqual([]);
    });
  }

  it('a failing directory fsync is reported (the file itself is complete)', () => {
    const target = join(dir, 'dirsync.json');
    expect(() => writeFileAtomic(target, 'x\n', faultyFs('fsyncdir'))).toThrow(/^writeFileAtomic: wrote '.*dirsync\.json' but could not fsync its directory.*EIO/);
    expect(fs.readFileSync(target, 'utf8')).toBe('x\n');
    expect(leftovers(dir)).toEqual([]);
  });

  it('two writes of one target in one process use different temporary names', () => {
    const target = join(dir, 'twice.json');
    const names: string[] = [];
    const io: AtomicWriteFs = { ...faultyFs(null), openSync: (p, f) => (names.push(p), fs.openSync(p, f)) };
    writeFileAtomic(target, 'a', io);
    writeFileAtomic(target, 'b', io);
    const tmps = names.filter((n) => n.endsWith('.tmp'));
    expect(new Set(tmps).size).toBe(2);
    // atomicTempTarget recognises its own temporary names (a killed write's leftovers are cleaned by them).
    expect(tmps.map((n) => atomicTempTarget(basename(n)))).toEqual(['twice.json', 'twice.json']);
    expect(atomicTempTarget('twice.json')).toBe(null);
    expect(fs.readFileSync(target, 'utf8')).toBe('b');
  });
});

// Real failures on a tiny tmpfs, where this machine permits mounting (root in CI containers).
const mnt = fs.mkdtempSync(join(tmpdir(), 'prednas-tmpfs-'));
const mounted = process.platform === 'linux' && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]).status === 0;

describe.skipIf(!mounted)('writeFileAtomic on a real 64 KiB tmpfs', () => {
  beforeAll(() => fs.writeFileSync(join(mnt, 'results.json'), 'old\n'));
  afterAll(() => {
    spawnSync('umount', [mnt]);
    fs.rmSync(mnt, { recursive: true, force: true });
  });

  it('disk full: ENOSPC, the old file intact, no temporary file left', () => {
    const target = join(mnt, 'results.json');
    expect(() => writeFileAtomic(target, 'x'.repeat(200 * 1024))).toThrow(/^writeFileAtomic: cannot write '.*results\.json': ENOSPC/);
    expect(fs.readFileSync(target, 'utf8')).toBe('old\n');
    expect(leftovers(mnt)).toEqual([]);
    // The space came back: a write that fits still succeeds.
    writeFileAtomic(target, 'new\n');
    expect(fs.readFileSync(target, 'utf8')).toBe('new\n');
  });

  it('read-only directory (a read-only remount; chmod does not stop root): EROFS, nothing changed', () => {
    expect(spawnSync('mount', ['-o', 'remount,ro', mnt]).status).toBe(0);
    try {
      const target = join(mnt, 'results.json');
      const before = fs.readFileSync(target, 'utf8');
      expect(() => writeFileAtomic(target, 'newer\n')).toThrow(/^writeFileAtomic: cannot write '.*results\.json': EROFS/);
      expect(fs.readFileSync(target, 'utf8')).toBe(before);
      expect(leftovers(mnt)).toEqual([]);
    } finally {
      spawnSync('mount', ['-o', 'remount,rw', mnt]);
    }
  });
});
if (!mounted) fs.rmSync(mnt, { recursive: true, force: true });

describe('writeFileAtomic refuses to replace what is not a regular file', () => {
  it('a FIFO, a directory, and a symlink to either are left as they are, with a one-line error', () => {
    const dir = fs.mkdtempSync(join(tmpdir(), 'prednas-atomic-kind-'));
    try {
      const fifo = join(dir, 'pipe');
      expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
      const sub = join(dir, 'sub');
      fs.mkdirSync(sub);
      const link = join(dir, 'link');
      fs.symlinkSync(fifo, link);
      expect(() => writeFileAtomic(fifo, 'x')).toThrow(/^writeFileAtomic: cannot write '.*pipe': it exists and is not a regular file \(a device, FIFO or socket\); give the path of a file$/);
      expect(() => writeFileAtomic(sub, 'x')).toThrow(/not a regular file \(a directory\)/);
      expect(() => writeFileAtomic(link, 'x')).toThrow(/not a regular file/);
      expect(fs.statSync(fifo).isFIFO()).toBe(true);
      expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
      expect(fs.readdirSync(dir).sort()).toEqual(['link', 'pipe', 'sub']);
      // A regular file, and a link to one, are still written.
      const file = join(dir, 'f.txt');
      writeFileAtomic(file, 'a');
      writeFileAtomic(file, 'b');
      expect(fs.readFileSync(file, 'utf8')).toBe('b');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
