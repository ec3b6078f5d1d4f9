/** Worker thread body for runExperimentParallel: load the benchmark once, run the assigned jobs. */
import { parentPort, workerData } from 'node:worker_threads';
import { runOne } from '../nas/experiment/runner.js';
import { configFromSpec, type ExperimentSpec } from './parallel.js';
import { setBackend } from '../kernels/registry.js';

const { spec, jobs } = workerData as { spec: ExperimentSpec; jobs: { algo: string; seed: number }[] };
if (spec.backend !== undefined) setBackend(spec.backend);
const cfg = configFromSpec(spec);
for (const j of jobs) parentPort!.postMessage(runOne(cfg, j.algo, j.seed));
