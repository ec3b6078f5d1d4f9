/** Live tasks: spaces whose architectures are trained on the spot by our own engine (core). */
export { checkDigits, encodeDigits, parseDigits, splitDigits, toExamples, type Digits, type DigitSplit, type Examples, type SplitSizes } from './digits.js';
export { trainMlp, accuracy, type MlpConfig, type TrainOptions, type TrainResult } from './train-mlp.js';
export { MlpSpace, mlpSpace, mlpParams, MLP_ACTIVATIONS, MLP_LRS, MLP_DROPOUTS, MLP_MAX_DEPTH, type MlpSpaceOptions } from './mlp-space.js';
export { LiveOracle, type LiveEvaluation } from './live-oracle.js';
export { mnistMlpTask, stringSeed, MNIST_MLP_DEFAULTS, type LiveTask, type MnistMlpOptions } from './mnist-mlp.js';
export { bestSoFar, bestPoint, liveCurveSvg, type BestSoFar } from './live-report.js';
