/**
 * Worker thread body for runExperimentParallel: load the benchmark once, then run the jobs the
 * main thread hands out one at a time (a pull queue), answering each with its RunResult; a null
 * job means the queue is empty, and closing the port lets the thread exit.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runOne } from '../nas/experiment/runner.js';
import { configFromSpec, type ExperimentSpec, type WorkerMessage } from './parallel.js';
import { setBackend } from '../kernels/registry.js';

const { spec } = workerData as { spec: ExperimentSpec };
if (spec.backend !== undefined) setBackend(spec.backend);
const cfg = configFromSpec(spec);
const port = parentPort!;
port.on('message', (job: WorkerMessage) => {
  if (job === null) port.close();
  else port.postMessage(runOne(cfg, job.algo, job.seed));
});
