/**
 * The predictor seam: fit on evaluated architectures, predict unseen ones, and a differentiable
 * score of relaxed encodings for the gradient ascent. An interface, not a class hierarchy.
 */
import type { Tensor } from '../../autograd/tensor.js';
import type { RelaxedBatch, SearchSpace } from '../space.js';

export interface Prediction {
  /** Ensemble mean, in the units of the fitted targets. */
  readonly mean: Float64Array;
  /** Ensemble standard deviation (0 for a single model). */
  readonly std: Float64Array;
}

export interface Predictor<A> {
  fit(archs: readonly A[], ys: readonly number[]): void;
  predict(archs: readonly A[]): Prediction;
  /**
   * Differentiable score of a batch of relaxed (or discrete) encodings → [B], in standardised
   * target units (higher = better). Gradients flow to whatever the encoding was computed from.
   */
  score(batch: RelaxedBatch): Tensor;
}

export type PredictorKind = 'gcn' | 'mlp';

export interface PredictorOptions {
  readonly kind?: PredictorKind;
  /** Ensemble size M (members differ by seed). */
  readonly ensemble?: number;
  readonly loss?: 'mse' | 'ranking';
  readonly hidden?: number;
  readonly layers?: number;
  readonly dropout?: number;
  readonly lr?: number;
  /** Full-batch Adam steps for a cold fit. */
  readonly epochs?: number;
  /** Map each member onto the targets' scale after training (calibration.ts; default true). */
  readonly calibrate?: boolean;
  readonly weightDecay?: number;
  readonly seed?: number;
  /** Float32 (default) or Float64 (for gradient checks). */
  readonly dtype?: 'float32' | 'float64';
}

export type SpaceForPredictor<A> = Pick<SearchSpace<A>, 'encode' | 'flatDim' | 'graphDims' | 'name'>;
