/** The NAS core: spaces, oracles, predictors, searches, experiments (no Node built-ins). */
export type { SearchSpace, ArchEncoding, RelaxedBatch, ArchCost, Projection } from './space.js';
export type { Oracle, QueryResult, QueryOptions, QuerySemantics, Protocol, Optimum } from './oracle.js';
export { Nb201Space, nb201Space, nb201Parse, nb201ToString, NB201_OPS, type Nb201Arch } from './spaces/nb201.js';
export { Nb101Space, nb101Space, nb101Hash, nb101Parse, nb101ToString, nb101Prune, type Nb101Arch } from './spaces/nb101.js';
export { ChoiceSpace, choiceSpace, type ChoiceArch, type ChoiceSpaceOptions } from './spaces/choices.js';
export { spaceFromSpec, parseSpaceSpec, validateSpaceSpec, SpecError, type SpaceSpec } from './spaces/spec.js';
export { RegNetSpace, regnetSpace, regnetCost, REGNET_MODELS } from './spaces/regnet.js';
export { YoloxSpace, yoloxSpace, yoloxCost, YOLOX_MODELS } from './spaces/yolox.js';
export { Nb201Oracle, nb201Oracle, parseNb201Table, parseNb201Latency } from './benchmarks/nb201.js';
export { Nb101Oracle, nb101Oracle, parseNb101Space, parseNb101Subset } from './benchmarks/nb101.js';
export { PoolIndex, PoolSpace, poolSpace } from './benchmarks/pool.js';
export { FunctionOracle, type ScoredArch } from './benchmarks/synthetic.js';
export * from './predictors/index.js';
export * from './search/index.js';
export { runExperiment, runOne, assembleResults, reportedMetric, summarise, RESULTS_SCHEMA, DEFAULT_CHECKPOINTS, type ExperimentConfig, type ExperimentResults, type RunResult, type TrajectoryPoint } from './experiment/runner.js';
export { parseConstraint, formatConstraint, feasibility, type Constraint } from './experiment/constraint.js';
export { resultsTable } from './experiment/report.js';
