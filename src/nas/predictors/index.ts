export type { Predictor, Prediction, PredictorKind, PredictorOptions, ScoreNet } from './predictor.js';
export { NeuralPredictor, PREDICTOR_DEFAULTS } from './neural.js';
export { GcnNet, MlpNet } from './nets.js';
export { encodeBatch } from './encode-batch.js';
export { PRECISION_KS, predictorMetrics, pearson, spearman, kendallTau, precisionAtK, ranks, type PredictorMetrics } from './metrics.js';
