import type { Tensor } from '../tensor/index.js';
import { LossInputError, formatShape, sameShape } from '../tensor/index.js';

/** A metric: a number from predictions and targets (higher or lower is better by its own nature). */
export type MetricFn = (prediction: Tensor, target: Tensor) => number;

/** Metrics `fit` knows by name. */
export type BuiltinMetric = 'accuracy' | 'binaryAccuracy' | 'mae' | 'rmse';

/** Options of the accuracy metrics. */
export interface AccuracyOptions {
  /**
   * Decision threshold of a binary output: a prediction above it counts as class 1. Use 0 for
   * logits and 0.5 for probabilities. `fit` and `evaluate` take it from the loss when the loss
   * says which of the two the model outputs (see `decisionThreshold`); without it, a binary
   * accuracy is an error rather than a guess.
   */
  readonly threshold?: number;
  /**
   * An integer label that marks positions to skip (padding), as the loss's `ignoreIndex`: such
   * rows count neither as right nor as wrong. `fit` and `evaluate` take it from the loss.
   */
  readonly ignoreIndex?: number;
}

/** Builds a built-in metric for a run: the options hold what the objective tells about outputs. */
export type MetricFactory = (options?: AccuracyOptions) => MetricFn;

/** `shape` without a trailing axis of 1 (`[N, 1]` → `[N]`), so that `[N]` and `[N, 1]` pair up. */
function squeezeLast(shape: readonly number[]): readonly number[] {
  return shape.length > 0 && shape[shape.length - 1] === 1 ? shape.slice(0, -1) : shape;
}

/** Throws unless prediction and target hold the same elements, up to a trailing axis of 1. */
function checkSameShape(metric: string, prediction: Tensor, target: Tensor): void {
  if (!sameShape(squeezeLast(prediction.shape), squeezeLast(target.shape))) {
    throw new LossInputError(
      metric,
      'target',
      `shape ${formatShape(target.shape)} does not match the prediction's shape ${formatShape(prediction.shape)}`,
    );
  }
}

function checkThreshold(metric: string, threshold: number | undefined): number {
  if (threshold === undefined) {
    throw new LossInputError(
      metric,
      'threshold',
      'a single output column is a binary decision, and the loss does not say whether the model outputs logits (threshold 0) or probabilities (threshold 0.5); pass the metric as { name: binaryAccuracyMetric({ threshold }) }',
    );
  }
  if (typeof threshold !== 'number' || !Number.isFinite(threshold))
    throw new LossInputError(
      metric,
      'options.threshold',
      `must be a finite number, got ${String(threshold)}`,
    );
  return threshold;
}

/** Share of elements where (prediction > threshold) agrees with (target > 0.5). */
function thresholdAccuracy(prediction: Tensor, target: Tensor, threshold: number): number {
  const p = prediction.data;
  const t = target.data;
  let correct = 0;
  for (let i = 0; i < p.length; i++) if (p[i] > threshold === t[i] > 0.5) correct++;
  return p.length === 0 ? 0 : correct / p.length;
}

/** Index of the largest of `data[offset .. offset + c)`, the first one on ties (NaN never wins). */
function argmax(data: ArrayLike<number>, offset: number, c: number): number {
  let best = 0;
  for (let k = 1; k < c; k++) if (data[offset + k] > data[offset + best]) best = k;
  return best;
}

/**
 * Share of rows whose arg-max over the last axis equals the target's class: integer labels
 * (the prediction's shape without its last axis, or with a last axis of 1) or one-hot /
 * probability rows (the prediction's shape).
 */
function categoricalAccuracy(
  metric: string,
  prediction: Tensor,
  target: Tensor,
  ignoreIndex: number | undefined,
): number {
  const c = prediction.shape[prediction.rank - 1];
  const rows = prediction.size / c;
  const labelShape = prediction.shape.slice(0, -1);
  if (sameShape(target.shape, prediction.shape)) {
    let correct = 0;
    for (let r = 0; r < rows; r++)
      if (argmax(prediction.data, r * c, c) === argmax(target.data, r * c, c)) correct++;
    return rows === 0 ? 0 : correct / rows;
  }
  if (!sameShape(squeezeLast(target.shape), labelShape)) {
    throw new LossInputError(
      metric,
      'target',
      `shape ${formatShape(target.shape)} is neither one-hot rows ${formatShape(prediction.shape)} nor integer labels ${formatShape(labelShape)} for a prediction of shape ${formatShape(prediction.shape)}`,
    );
  }
  let correct = 0;
  let counted = 0;
  for (let r = 0; r < rows; r++) {
    const label = target.data[r];
    if (label === ignoreIndex) continue;
    if (!Number.isInteger(label) || label < 0 || label >= c)
      throw new LossInputError(metric, `target[${r}]`, `label ${label} is not an integer class in [0, ${c})`);
    counted++;
    if (argmax(prediction.data, r * c, c) === label) correct++;
  }
  return counted === 0 ? 0 : correct / counted;
}

/**
 * Accuracy that follows the output's shape, as Keras' `'accuracy'` does: a flat output `[N]`
 * or one output column `[..., 1]` is a binary decision (prediction > threshold against
 * target > 0.5, target of the same shape up to a trailing 1); several columns `[..., C]` are
 * classes, compared by arg-max against one-hot / probability rows `[..., C]` or integer labels
 * `[...]` (or `[..., 1]`), skipping labels equal to `ignoreIndex`. Any other target shape, or a
 * label outside [0, C), is an error.
 *
 * @example
 * accuracyMetric({ threshold: 0 })(tensor([[2], [-1]]), tensor([[1], [1]])) // 0.5
 */
export function accuracyMetric(options: AccuracyOptions = {}): MetricFn {
  const { threshold, ignoreIndex } = options;
  if (threshold !== undefined) checkThreshold('accuracy', threshold);
  return (prediction, target) => {
    if (prediction.rank === 0)
      throw new LossInputError('accuracy', 'prediction', 'needs a sample axis, got a 0-d tensor');
    if (prediction.rank === 1 || prediction.shape[prediction.rank - 1] === 1) {
      checkSameShape('accuracy', prediction, target);
      return thresholdAccuracy(prediction, target, checkThreshold('accuracy', threshold));
    }
    return categoricalAccuracy('accuracy', prediction, target, ignoreIndex);
  };
}

/**
 * Share of elements where (prediction > threshold) agrees with (target > 0.5): binary and
 * multi-label outputs, the target of the prediction's shape (up to a trailing axis of 1).
 *
 * @example
 * binaryAccuracyMetric({ threshold: 0.5 })(tensor([0.9, 0.2, 0.6]), tensor([1, 0, 0])) // 2/3
 */
export function binaryAccuracyMetric(options: AccuracyOptions = {}): MetricFn {
  const { threshold } = options;
  if (threshold !== undefined) checkThreshold('binaryAccuracy', threshold);
  return (prediction, target) => {
    checkSameShape('binaryAccuracy', prediction, target);
    return thresholdAccuracy(prediction, target, checkThreshold('binaryAccuracy', threshold));
  };
}

/** Mean absolute error; the target has the prediction's shape (up to a trailing axis of 1). */
function mae(prediction: Tensor, target: Tensor): number {
  checkSameShape('mae', prediction, target);
  let s = 0;
  for (let i = 0; i < prediction.size; i++) s += Math.abs(prediction.data[i] - target.data[i]);
  return prediction.size === 0 ? 0 : s / prediction.size;
}

/** Root mean squared error; the target has the prediction's shape (up to a trailing axis of 1). */
function rmse(prediction: Tensor, target: Tensor): number {
  checkSameShape('rmse', prediction, target);
  let s = 0;
  for (let i = 0; i < prediction.size; i++) s += (prediction.data[i] - target.data[i]) ** 2;
  return prediction.size === 0 ? 0 : Math.sqrt(s / prediction.size);
}

/**
 * The built-in metrics by name, each built for a run from what the objective says about the
 * outputs: 'accuracy' (binary or arg-max by the output's shape), 'binaryAccuracy' (threshold
 * per element), 'mae', 'rmse'.
 */
export const builtinMetrics: Readonly<Record<BuiltinMetric, MetricFactory>> = {
  accuracy: accuracyMetric,
  binaryAccuracy: binaryAccuracyMetric,
  mae: () => mae,
  rmse: () => rmse,
};

/**
 * `fit`'s metrics option as named functions; built-in names get `options` (what the loss says
 * about outputs and labels, see `metricOptionsFor`).
 */
export function resolveMetrics(
  spec: Readonly<Record<string, MetricFn>> | readonly BuiltinMetric[] | undefined,
  options: AccuracyOptions = {},
  where = 'fit',
): [string, MetricFn][] {
  if (spec === undefined) return [];
  if (Array.isArray(spec)) {
    return spec.map((name: BuiltinMetric) => {
      const factory = Object.hasOwn(builtinMetrics, name) ? builtinMetrics[name] : undefined;
      if (factory === undefined)
        throw new LossInputError(
          where,
          'options.metrics',
          `'${String(name)}' is not one of ${Object.keys(builtinMetrics).join(', ')}`,
        );
      return [name, factory(options)];
    });
  }
  return Object.entries(spec as Readonly<Record<string, MetricFn>>);
}
