/**
 * The browser demo in a real browser: Debian's Chromium driven by playwright-core, the page served
 * by `prednas serve`'s server with the strict CSP (no eval, no WebAssembly compilation). A short
 * search must run to completion in the Web Worker, on the JS kernels (the wasm backend must step
 * aside under this CSP, with its reason recorded), and the downloaded results must match the page.
 * Screenshots go to test-artifacts/ (git-ignored).
 *
 * Skipped only when /usr/bin/chromium is absent outside CI; in CI (.ci/run installs it) a missing
 * browser fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildWeb, CORE_TARGET_BYTES, WEB_DIR } from '../../scripts/build-web.js';
import { GPU_PAGE_CSP, startServer, STRICT_CSP, type StaticServer } from '../../src/cli/commands/serve.js';
import { resolveDataDir } from '../../src/io/data-dir.js';
import { loadMnistDigits } from '../../src/io/mnist.js';
import { runJob } from '../../src/browser/job.js';
import { encodeDigits } from '../../src/nas/tasks/digits.js';
import { MNIST_REGNET_DEFAULTS, mnistRegNetTask } from '../../src/nas/tasks/mnist-regnet.js';
import { setBackend } from '../../src/kernels/index.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = resolve(import.meta.dirname, '..', '..', 'test-artifacts');
const NB201 = join(resolveDataDir(), 'nasbench201', 'nb201.csv.gz');
const inCi = process.env['CI'] !== undefined && process.env['CI'] !== '' && process.env['CI'] !== 'false';

interface PageResult {
  task: string;
  queries: number;
  best: { arch: string; val: number; test: number | null; network?: string };
  kernels: { selection: string; matmuls: Record<string, number>; unavailable: Record<string, string> };
}

async function runSearch(page: Page, url: string, setup: (p: Page) => Promise<void>, timeout = 90_000): Promise<PageResult> {
  const response = await page.goto(url);
  expect(response?.headers()['content-security-policy']).toBe(STRICT_CSP);
  await setup(page);
  await page.click('#start');
  await page.waitForSelector('#status[data-state="done"], #status[data-state="error"]', { timeout });
  const status = await page.textContent('#status');
  expect(status, status ?? '').toMatch(/^done: /);
  return JSON.parse((await page.getAttribute('#summary', 'data-result'))!) as PageResult;
}

describe.skipIf(!existsSync(CHROMIUM) && !inCi)('browser demo under a strict CSP (Chromium)', () => {
  let browser: Browser;
  let server: StaticServer;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it with \`apt-get install -y chromium\` (.ci/run does this in CI)`);
    const sizes = await buildWeb({ quiet: true });
    const core = sizes.find((s) => s.file === 'prednas-core.js')!;
    expect(core.bytes, `web/build/prednas-core.js minified bytes (target < ${CORE_TARGET_BYTES}; see README "Live demo and browser")`).toBeLessThan(CORE_TARGET_BYTES);
    server = await startServer({ root: WEB_DIR });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('runs a live MNIST search in the worker on the JS kernels (wasm refused by the CSP) and offers the results', async () => {
    const page = await browser.newPage({ acceptDownloads: true });
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
    const r = await runSearch(page, server.url, async (p) => {
      await p.fill('#budget', '8');
      await p.fill('#epochs', '1');
      await p.fill('#train-images', '1500');
      await p.fill('#seed', '3');
    });
    expect(r.task).toBe('mnist-mlp');
    expect(r.queries).toBe(8);
    expect(r.best.val).toBeGreaterThan(50);
    expect(r.best.network).toMatch(/^196-(\d+-)+10 (relu|tanh|silu) lr=/);
    expect(r.kernels.selection).toBe('auto');
    expect(r.kernels.matmuls['js']).toBeGreaterThan(100);
    expect(r.kernels.matmuls['wasm']).toBeUndefined();
    expect(r.kernels.unavailable['wasm']).toMatch(/WebAssembly compilation was refused or failed/);
    expect(await page.locator('#plot svg').count()).toBe(1);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    const saved = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    expect(saved.schema).toBe('prednas.browser-run/1');
    expect(saved.trajectory).toHaveLength(8);
    expect(saved.best).toEqual(r.best);
    // The browser's worker and Node compute the same search, number for number (JS kernels in both).
    const node = await runJob({ task: 'mnist-mlp', digits: encodeDigits(loadMnistDigits()), epochs: 1, trainImages: 1500, algo: 'prednas', budget: 8, seed: 3, constraint: 'params<=50000', backend: 'js' }, () => undefined);
    expect(saved.trajectory).toEqual(node.trajectory);
    await page.screenshot({ path: join(ARTIFACTS, 'browser-mnist.png'), fullPage: true });
    // The only console errors allowed are the CSP refusing WebAssembly (that is the point).
    expect(consoleErrors.filter((e) => !/WebAssembly|wasm-unsafe-eval/.test(e))).toEqual([]);
    await page.close();
  }, 120_000);

  it('runs a short live RegNet-style CNN search in the worker under the FLOPs budget', async () => {
    const page = await browser.newPage({ acceptDownloads: true });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
    // Tiny on purpose (4 candidates, 200 training images, 1 epoch): it proves the CNN path runs in
    // the worker under the strict CSP, not that it learns well.
    const r = await runSearch(page, server.url, async (p) => {
      await p.check('input[name="task"][value="mnist-regnet"]');
      // Untouched fields follow the task's defaults.
      expect([await p.inputValue('#epochs'), await p.inputValue('#train-images')]).toEqual([String(MNIST_REGNET_DEFAULTS.epochs), String(MNIST_REGNET_DEFAULTS.split.train)]);
      await p.fill('#budget', '4');
      await p.fill('#epochs', '1');
      await p.fill('#train-images', '200');
      await p.fill('#seed', '2');
    }, 240_000);
    expect(r.task).toBe('mnist-regnet');
    expect(r.queries).toBe(4);
    expect(await page.inputValue('#constraint')).toBe('flops<=300000');
    expect(r.best.network).toMatch(/^stem16( \| [123]×\d+ g\d+ b\d){3}$/);
    expect(r.kernels.matmuls['js']).toBeGreaterThan(100);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    const saved = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { trajectory: { arch: string }[]; settings: { epochs: number; split: { train: number } } };
    expect(saved.trajectory).toHaveLength(4);
    expect([saved.settings.epochs, saved.settings.split.train]).toEqual([1, 200]);
    const task = mnistRegNetTask(loadMnistDigits(), { epochs: 1, split: { train: 200, val: 2500, test: 2500 } });
    for (const p of saved.trajectory) expect(task.space.cost(task.space.parse(p.arch)).flops, p.arch).toBeLessThanOrEqual(300_000);
    // Node retrains the best network to the same accuracies (seeded by the network; JS kernels).
    setBackend('js');
    const again = task.oracle.peek(task.space.parse(r.best.arch), { dataset: 'mnist' });
    expect([again.val, again.test]).toEqual([r.best.val, r.best.test]);
    await page.screenshot({ path: join(ARTIFACTS, 'browser-mnist-regnet.png'), fullPage: true });
    await page.close();
  }, 300_000);

  it.skipIf(!existsSync(NB201) && !inCi)('searches NB-201 from the table file the user picks (gzip decompressed in the browser)', async () => {
    const page = await browser.newPage();
    const r = await runSearch(page, server.url, async (p) => {
      await p.check('input[name="task"][value="nb201"]');
      await p.setInputFiles('#table', NB201);
      await p.selectOption('#dataset', 'cifar100');
      await p.fill('#budget', '20');
    });
    expect(r.task).toBe('nb201');
    expect(r.queries).toBe(20);
    expect(r.best.arch).toMatch(/^\|[a-z_0-9]+~0\|\+/);
    // Validation accuracy of a decent CIFAR-100 cell among 20 queried; chance is 1 %.
    expect(r.best.val).toBeGreaterThan(50);
    await page.screenshot({ path: join(ARTIFACTS, 'browser-nb201.png'), fullPage: true });
    await page.close();
  }, 120_000);

  it.skipIf(!existsSync(NB201) && !inCi)('the gpu.js page runs the NB-201 search on WebGL2 (SwiftShader) under its own CSP, on the js backend\'s trajectory', async () => {
    // WebGL needs the GPU process: this browser keeps it (the one above runs with --disable-gpu);
    // SwiftShader is Chromium's software WebGL2.
    const gl = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist', '--disable-background-networking'] });
    try {
      const page = await gl.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      const response = await page.goto(`${server.url}gpu.html`);
      expect(response?.headers()['content-security-policy']).toBe(GPU_PAGE_CSP);
      await page.setInputFiles('#table', NB201);
      await page.selectOption('#dataset', 'cifar100');
      await page.fill('#budget', '20');
      await page.fill('#seed', '1');
      await page.click('#start');
      await page.waitForSelector('#status[data-state="done"], #status[data-state="error"]', { timeout: 200_000 });
      const status = await page.textContent('#status');
      expect(status, status ?? '').toMatch(/^done: 20 queries on gpu\.js/);
      const r = JSON.parse((await page.getAttribute('#summary', 'data-result'))!) as PageResult & { gpu: Record<string, string>; trajectory: { arch: string; val: number }[] };
      // The backend that really ran: gpu.js's WebGL2 kernel, every matmul of the search on it.
      expect([r.gpu['mode'], r.gpu['kernel'], r.gpu['engine']]).toEqual(['webgl2', 'WebGL2Kernel', 'webgl2']);
      expect(Object.keys(r.kernels.matmuls)).toEqual(['gpujs']);
      expect(r.kernels.matmuls['gpujs']).toBeGreaterThan(100);
      // The same search with the js kernels (in Node): float32 products summed in another order
      // move the predictor's scores by ~1e-6, which must not change what the search queries.
      const node = await runJob({ task: 'nb201', table: new Blob([readFileSync(NB201)]), dataset: 'cifar100', algo: 'prednas', budget: 20, seed: 1, constraint: null, backend: 'js' }, () => undefined);
      expect(r.trajectory.map((p) => p.arch)).toEqual(node.trajectory.map((p) => p.arch));
      expect(r.trajectory.map((p) => p.val)).toEqual(node.trajectory.map((p) => p.val));
      expect(errors).toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, 'browser-gpujs-webgl2.png'), fullPage: true });
      await page.close();
    } finally {
      await gl.close();
    }
  }, 300_000);

  it.skipIf(!existsSync(NB201) && !inCi)("under the strict CSP the gpu.js page still runs WebGL2 (GLSL, no eval), and its cpu engine says in one line that it needs 'unsafe-eval'", async () => {
    const strict = await startServer({ root: WEB_DIR, csp: STRICT_CSP });
    try {
      const run = async (mode: string): Promise<string> => {
        const page = await browser.newPage();
        await page.goto(`${strict.url}gpu.html`);
        await page.setInputFiles('#table', NB201);
        await page.selectOption('#mode', mode);
        await page.fill('#budget', '11');
        await page.click('#start');
        await page.waitForSelector('#status[data-state="error"], #status[data-state="done"]', { timeout: 90_000 });
        const status = (await page.textContent('#status')) ?? '';
        await page.close();
        return status;
      };
      expect(await run('webgl2')).toBe('done: 11 queries on gpu.js');
      expect(await run('cpu')).toMatch(/^error: loadGpuJs: gpu\.js mode 'cpu' cannot build a kernel here \(.*\); this page's Content-Security-Policy blocked the JavaScript gpu\.js generates \(it needs 'unsafe-eval'\)$/);
    } finally {
      await strict.close();
    }
  }, 200_000);

  it('uses the wasm kernels when the CSP allows WebAssembly (so the fallback above is the CSP\'s doing)', async () => {
    const relaxed = await startServer({ root: WEB_DIR, csp: STRICT_CSP.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'") });
    try {
      const page = await browser.newPage();
      await page.goto(relaxed.url);
      await page.fill('#budget', '3');
      await page.fill('#epochs', '1');
      await page.fill('#train-images', '500');
      await page.click('#start');
      await page.waitForSelector('#status[data-state="done"], #status[data-state="error"]', { timeout: 60_000 });
      const r = JSON.parse((await page.getAttribute('#summary', 'data-result'))!) as PageResult;
      expect(r.kernels.matmuls['wasm']).toBeGreaterThan(0);
      expect(r.kernels.unavailable).toEqual({});
      await page.close();
    } finally {
      await relaxed.close();
    }
  }, 90_000);
});
