/** Live tasks: spaces whose architectures are trained on the spot by our own engine (core). */
export { checkDigits, encodeDigits, parseDigits, splitDigits, toExamples, type Digits, type DigitSplit, type Examples, type SplitSizes } from './digits.js';
export { trainMlp, accuracy, type MlpConfig, type TrainOptions, type TrainResult } from './train-mlp.js';
export { MlpSpace, mlpSpace, mlpParams, MLP_ACTIVATIONS, MLP_LRS, MLP_DROPOUTS, MLP_MAX_DEPTH, type MlpSpaceOptions } from './mlp-space.js';
export { LiveOracle, type LiveEvaluation } from './live-oracle.js';
export { mnistMlpTask, stringSeed, MNIST_MLP_DEFAULTS, type LiveTask, type MnistMlpOptions } from './mnist-mlp.js';
export { bestSoFar, bestPoint, liveCurveSvg, type BestSoFar } from './live-report.js';
export { RegNetDigitsSpace, regnetDigitsSpace, regnetDigitsCost, REGNET_DIGITS_DEFAULTS, REGNET_DIGITS_STAGES, type RegNetDigitsConfig, type RegNetDigitsOptions, type RegNetStage } from './regnet-space.js';
export { RegNetDigitsNet, countMacs, trainRegNetDigits, cnnAccuracy, type CnnTrainOptions, type CnnTrainResult, type LayerTrace } from './regnet-train.js';
export { mnistRegNetTask, MNIST_REGNET_DEFAULTS, type MnistRegNetOptions, type RegNetTask } from './mnist-regnet.js';
