/**
 * The core (src/autograd, src/kernels without its gpu.js folder, src/nas without cli/ and io/)
 * must run in browsers, CSP pages and edge runtimes: no Node built-ins, no packages, no code
 * generation from strings, no Node-only globals. The scanner is tested on synthetic sources
 * first, so that a clean result on the real tree means something.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scanSource } from './helpers/purity-scan.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CORE = ['src/autograd', 'src/kernels', 'src/nas'];
const EXCLUDED = ['src/kernels/gpujs', 'src/nas/cli', 'src/nas/io'];

function sources(dir: string): string[] {
  const rel = relative(ROOT, dir).split(sep).join('/');
  if (EXCLUDED.includes(rel)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.(ts|mts|js|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [relative(ROOT, p).split(sep).join('/')] : [];
  });
}

const lines = (text: string) => scanSource('x.ts', text).map((f) => `${f.line}: ${f.what}`);

describe('the scanner', () => {
  it('flags every way of loading a Node built-in or a package', () => {
    expect(lines(`import { readFileSync } from 'node:fs';`)).toEqual([`1: imports Node built-in 'node:fs'`]);
    expect(lines(`import * as path from "path";`)).toEqual([`1: imports Node built-in 'path'`]);
    expect(lines(`import type { Worker } from 'worker_threads';`)).toEqual([`1: imports Node built-in 'worker_threads'`]);
    expect(lines(`export { gzipSync } from 'zlib';`)).toEqual([`1: imports Node built-in 'zlib'`]);
    expect(lines(`import 'fs/promises';`)).toEqual([`1: imports Node built-in 'fs/promises'`]);
    expect(lines(`const c = await import('crypto');`)).toEqual([`1: imports Node built-in 'crypto'`]);
    expect(lines(`const m = await import(name);`)).toEqual([`1: loads a module whose name is computed at run time`]);
    expect(lines(`let t: import('node:os').CpuInfo;`)).toEqual([`1: imports Node built-in 'node:os'`]);
    expect(lines(`import cp = require('child_process');`)).toEqual([`1: imports Node built-in 'child_process'`]);
    expect(lines(`\nconst os = require('os');`)).toEqual([`2: imports Node built-in 'os'`, `2: uses the Node global 'require'`]);
    expect(lines(`import ndarray from 'ndarray';`)).toEqual([`1: imports package 'ndarray' (core modules have no runtime dependencies)`]);
  });

  it('flags eval, the Function constructor and Node-only globals', () => {
    expect(lines(`eval('1 + 1');`)).toEqual(['1: uses eval']);
    expect(lines(`const e = eval; e('x');`)).toEqual(['1: uses eval']);
    expect(lines(`const f = new Function('a', 'return a');`)).toEqual(['1: uses the Function constructor']);
    expect(lines(`Function('return this')();`)).toEqual(['1: uses the Function constructor']);
    expect(lines(`globalThis.eval('x');`)).toEqual(['1: uses globalThis.eval']);
    expect(lines(`window['Function']('x');`)).toEqual([`1: uses window['Function']`]);
    expect(lines(`const home = process.env.HOME;`)).toEqual([`1: uses the Node global 'process'`]);
    expect(lines(`const b = Buffer.from('x');`)).toEqual([`1: uses the Node global 'Buffer'`]);
    expect(lines(`const o = { __dirname };`)).toEqual([`1: uses the Node global '__dirname'`]);
  });

  it('ignores comments, strings, member names, types, relative imports and local bindings', () => {
    const clean = [
      `// import { readFileSync } from 'node:fs'; eval('x'); new Function('y')`,
      `/* require('fs') */ const s = "import fs from 'fs'; eval(1)";`,
      'const t = `new Function(${1}) process.env`;',
      `class M { eval(): this { return this; } train(): void { this.eval(); } }`,
      `model.eval(); const o = { eval: 1, Function: 2 }; o.eval;`,
      `type F = Function; let g: Function | null = null; let h: typeof process;`,
      `import { x } from './fs.js'; import type { Y } from '../path/index.js';`,
      `const process = (v: number) => v; process(1); function f(Buffer: number) { return Buffer; }`,
      `const evaluate = 1; const Functional = 2; const requireGrad = true;`,
    ];
    for (const src of clean) expect(lines(src), src).toEqual([]);
  });
});

describe('core sources', () => {
  const files = CORE.flatMap((d) => sources(join(ROOT, d)));

  it('are found (the scan is not vacuous)', () => {
    expect(files).toContain('src/autograd/engine.ts');
    expect(files).toContain('src/kernels/registry.ts');
    expect(files.some((f) => f.startsWith('src/nas/'))).toBe(true);
    expect(files.some((f) => EXCLUDED.some((x) => f.startsWith(`${x}/`)))).toBe(false);
  });

  it('import no Node built-ins or packages and use no eval, Function constructor or Node globals', () => {
    const findings = files.flatMap((f) => scanSource(f, readFileSync(join(ROOT, f), 'utf8')).map((x) => `${f}:${x.line}: ${x.what}`));
    expect(findings).toEqual([]);
  });
});
