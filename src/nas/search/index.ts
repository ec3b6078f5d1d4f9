export { BaseSearch, type SearchAlgorithm, type SearchContext, type Observation } from './algorithm.js';
export { RandomSearch } from './random-search.js';
export { RegularizedEvolution, type ReaOptions } from './rea.js';
export { LocalSearch, type LocalSearchOptions } from './local-search.js';
export { PredictorGuidedSearch, type PredictorGuidedOptions, type PhaseTimes } from './predictor-guided.js';
export { WenSearch, type WenOptions } from './wen.js';
export { PredNas, PREDNAS_DEFAULTS, type PredNasOptions, type CostPenalty } from './prednas.js';
export { ALGORITHMS, makeAlgorithm, isAlgorithmName, type AlgorithmName, type AlgorithmOptions } from './registry.js';
