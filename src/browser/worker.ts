/**
 * Web Worker entry (bundled to web/build/worker.js): runs one search job per message, off the
 * page's main thread, and posts its events back. The kernel backend is chosen by the job
 * ('auto' by default): where the page's Content-Security-Policy forbids WebAssembly, the wasm
 * backend fails to build, the registry records why, and every matmul runs on the JS kernels.
 */
import { runJob, type JobEvent, type JobRequest } from './job.js';

interface WorkerScope {
  onmessage: ((e: MessageEvent<JobRequest>) => void) | null;
  postMessage(message: JobEvent): void;
}

const scope = globalThis as unknown as WorkerScope;
let busy = false;

scope.onmessage = (e) => {
  if (busy) {
    scope.postMessage({ type: 'error', message: 'a search is already running in this worker' });
    return;
  }
  busy = true;
  // The error is already posted as an 'error' event by runJob.
  runJob(e.data, (ev) => scope.postMessage(ev)).catch(() => undefined).finally(() => {
    busy = false;
  });
};
