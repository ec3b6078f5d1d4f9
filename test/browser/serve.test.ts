/**
 * The demo's static server (`prednas serve`): the strict CSP on every response, content types,
 * and that nothing outside the root can be read (raw request paths, not a browser's normalised ones).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { startServer, STRICT_CSP, type StaticServer } from '../../src/cli/commands/serve.js';
import { runCli, tempDir } from '../fixtures/cli.js';

function get(base: string, path: string, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('prednas serve (static server)', () => {
  let server: StaticServer;
  const dir = tempDir('prednas-serve-');
  const root = join(dir, 'web');

  beforeAll(async () => {
    mkdirSync(join(root, 'build'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(join(root, 'build', 'page.js'), 'console.log(1);');
    writeFileSync(join(dir, 'secret.txt'), 'do not serve');
    server = await startServer({ root });
  });
  afterAll(async () => { await server?.close(); });

  it('serves files with the strict CSP and their content type', async () => {
    const index = await get(server.url, '/');
    expect(index.status).toBe(200);
    expect(index.headers['content-security-policy']).toBe(STRICT_CSP);
    expect(STRICT_CSP).toContain("script-src 'self'");
    expect(STRICT_CSP).not.toMatch(/unsafe-eval|wasm-unsafe-eval|unsafe-inline/);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    const js = await get(server.url, '/build/page.js');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body).toBe('console.log(1);');
    const missing = await get(server.url, '/nope.js');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-security-policy']).toBe(STRICT_CSP);
  });

  it('never leaves the root and only answers GET/HEAD', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/build/..%2f..%2fsecret.txt']) {
      const r = await get(server.url, p);
      expect(r.status, p).not.toBe(200);
      expect(r.body, p).not.toContain('do not serve');
    }
    expect((await get(server.url, '/', 'POST')).status).toBe(405);
    expect((await get(server.url, '/', 'HEAD')).status).toBe(200);
  });

  it('refuses to start without a built page, saying how to build it', () => {
    const r = runCli(['serve', '--root', join(dir, 'nowhere'), '--port', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/index.html is missing: build the page first with `npm run build:web`/);
  });
});
