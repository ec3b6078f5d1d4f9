export type { Predictor, Prediction, PredictorKind, PredictorOptions } from './predictor.js';
export { NeuralPredictor, PREDICTOR_DEFAULTS } from './neural.js';
export { EnsembleGcn, EnsembleMlp, type EnsembleNet } from './nets.js';
export { encodeBatch } from './encode-batch.js';
export { PRECISION_KS, predictorMetrics, pearson, spearman, kendallTau, precisionAtK, ranks, type PredictorMetrics } from './metrics.js';
