/**
 * The gpu.js page (web/gpu.html, bundled to web/build/gpu-page.js): the main page's NB-201 search
 * with every matmul on gpu.js's kernels (WebGL2, or its cpu engine). gpu.js's WebGL2 kernels are
 * GLSL it translates itself, but its cpu engine generates JavaScript with `new Function`, so this
 * page alone is served with 'unsafe-eval' (`GPU_PAGE_CSP`; the main page stays strict),
 * and it loads gpu.js's own browser build (web/build/gpu-browser.min.js, copied from the gpu.js
 * package by the web build), which defines `GPU`. The search runs on the page's thread, where
 * gpu.js finds its WebGL2 context; the page does not repaint until it ends.
 */
import { loadGpuJs } from '../kernels/gpujs/index.js';
import { runJob, type JobEvent, type JobResult } from './job.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`gpu.html: element #${id} is missing`);
  return el as T;
};

function setStatus(text: string, state: 'idle' | 'running' | 'done' | 'error'): void {
  const s = $('status');
  s.textContent = text;
  s.dataset['state'] = state;
}

function onEvent(e: JobEvent): void {
  if (e.type === 'status') setStatus(e.text, 'running');
  else if (e.type === 'progress') setStatus(`query ${e.query}/${e.budget} · best validation ${e.best.val.toFixed(2)}`, 'running');
}

function finish(r: JobResult, gpu: Record<string, string>): void {
  const b = r.best;
  $('best').textContent = `Best by validation after ${r.queries} queries (${r.seconds.toFixed(1)} s): ${b.arch} — validation ${b.val.toFixed(2)}, test ${b.test === null ? 'n/a' : b.test.toFixed(2)} (query ${b.query}).`;
  $('kernels').textContent = `Kernels: matmuls ${JSON.stringify(r.kernels.matmuls)}; gpu.js ran ${gpu['kernel'] ?? '?'} (engine ${gpu['engine'] ?? '?'}, mode ${gpu['mode'] ?? '?'}).`;
  const summary = $('summary');
  summary.hidden = false;
  summary.dataset['result'] = JSON.stringify({ ...r, gpu });
}

async function start(): Promise<void> {
  const GPU = (globalThis as { GPU?: unknown }).GPU;
  if (GPU === undefined) throw new Error('gpu.js did not load (web/build/gpu-browser.min.js): build the page with `npm run build:web` in a checkout where gpu.js is installed');
  const file = $<HTMLInputElement>('table').files?.[0];
  if (file === undefined) throw new Error('pick the NB-201 table file (nb201.csv.gz) first');
  const mode = $<HTMLSelectElement>('mode').value;
  setStatus(`compiling gpu.js kernels (${mode})…`, 'running');
  const be = await loadGpuJs({ mode, GPU });
  const num = (id: string) => Number($<HTMLInputElement>(id).value);
  const r = await runJob({ task: 'nb201', table: file, dataset: $<HTMLSelectElement>('dataset').value, algo: $<HTMLSelectElement>('algo').value, budget: num('budget'), seed: num('seed'), constraint: null, backend: 'gpujs' }, onEvent);
  finish(r, be.describe!());
  setStatus(`done: ${r.queries} queries on gpu.js`, 'done');
  await be.destroy();
}

// gpu.js swallows the EvalError of a blocked `new Function` (its cpu kernel then has no "run"):
// the browser's violation report is what tells that the page's policy was the cause.
let evalBlocked = false;
document.addEventListener('securitypolicyviolation', (e) => {
  if (e.blockedURI === 'eval') evalBlocked = true;
});

async function failed(e: unknown): Promise<void> {
  await new Promise((r) => setTimeout(r, 0)); // violation events arrive as tasks
  const msg = e instanceof Error ? e.message : String(e);
  const why = evalBlocked && !msg.includes('unsafe-eval') ? "; this page's Content-Security-Policy blocked the JavaScript gpu.js generates (it needs 'unsafe-eval')" : '';
  setStatus(`error: ${msg}${why}`, 'error');
}

$<HTMLFormElement>('form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  $<HTMLButtonElement>('start').disabled = true;
  evalBlocked = false;
  start().catch(failed).finally(() => {
    $<HTMLButtonElement>('start').disabled = false;
  });
});
