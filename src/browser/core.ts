/**
 * The browser build of the core (bundled to web/build/prednas-core.js, an ES module): the
 * autograd engine, CPU kernels (js, and wasm where the runtime allows WebAssembly), the generic
 * spaces (choice vectors, JSON specs, DAG cells), NB-201 (space, table parser, oracle), the live
 * MNIST task, predictors, every search algorithm and the experiment runner. No Node built-ins,
 * no eval. The other benchmark spaces and table parsers (NB-101, macro benchmarks, RegNet, YOLOX)
 * stay out of this bundle to keep it small; `import 'prednas'` (src/index.ts) has everything.
 * The worker's job glue (./job.ts) is bundled into worker.js only.
 */
export * from '../autograd/index.js';
export * as kernels from '../kernels/index.js';
export type { SearchSpace, ArchEncoding, RelaxedBatch, ArchCost, Projection } from '../nas/space.js';
export type { Oracle, QueryResult, QueryOptions, QuerySemantics, Protocol, Optimum } from '../nas/oracle.js';
export { ChoiceSpace, choiceSpace, type ChoiceArch, type ChoiceSpaceOptions } from '../nas/spaces/choices.js';
export { specSpace, spaceFromSpec, parseSpaceSpec, validateSpaceSpec, type SpaceSpec } from '../nas/spaces/spec.js';
export { CellSpace, cellSpace } from '../nas/spaces/cell.js';
export { Nb201Space, nb201Space, NB201_OPS, type Nb201Arch } from '../nas/spaces/nb201.js';
export { Nb201Oracle, nb201Oracle, parseNb201Table } from '../nas/benchmarks/nb201.js';
export { FunctionOracle } from '../nas/benchmarks/synthetic.js';
export * from '../nas/predictors/index.js';
export * from '../nas/search/index.js';
export { runExperiment, runOne, assembleResults, reportedMetric, type ExperimentConfig, type ExperimentResults, type RunResult, type TrajectoryPoint } from '../nas/experiment/runner.js';
export { parseConstraint, formatConstraint, feasibility, type Constraint } from '../nas/experiment/constraint.js';
export * as tasks from '../nas/tasks/index.js';
