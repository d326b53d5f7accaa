import type { Tensor } from '../tensor/index.js';
import { LossInputError } from '../tensor/index.js';

/** A metric: a number from predictions and targets (higher or lower is better by its own nature). */
export type MetricFn = (prediction: Tensor, target: Tensor) => number;

/** Metrics `fit` knows by name. */
export type BuiltinMetric = 'accuracy' | 'binaryAccuracy' | 'mae' | 'rmse';

/**
 * Share of rows whose arg-max over the last axis equals the target: integer labels [...]
 * (one axis fewer than the prediction) or one-hot / probability rows (same shape).
 */
function accuracy(prediction: Tensor, target: Tensor): number {
  const c = prediction.shape[prediction.rank - 1];
  const rows = prediction.size / c;
  const oneHot = target.rank === prediction.rank;
  if (!oneHot && target.size !== rows)
    throw new LossInputError('accuracy', 'target', `needs ${rows} labels or one-hot rows`);
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bestTarget = 0;
    for (let k = 1; k < c; k++) {
      if (prediction.data[r * c + k] > prediction.data[r * c + best]) best = k;
      if (oneHot && target.data[r * c + k] > target.data[r * c + bestTarget]) bestTarget = k;
    }
    if (best === (oneHot ? bestTarget : target.data[r])) correct++;
  }
  return rows === 0 ? 0 : correct / rows;
}

/** Share of elements where (logit > 0) agrees with (target > 0.5). */
function binaryAccuracy(prediction: Tensor, target: Tensor): number {
  if (prediction.size !== target.size)
    throw new LossInputError(
      'binaryAccuracy',
      'target',
      `has ${target.size} elements, the prediction ${prediction.size}`,
    );
  let correct = 0;
  for (let i = 0; i < prediction.size; i++) if (prediction.data[i] > 0 === target.data[i] > 0.5) correct++;
  return prediction.size === 0 ? 0 : correct / prediction.size;
}

function mae(prediction: Tensor, target: Tensor): number {
  let s = 0;
  for (let i = 0; i < prediction.size; i++) s += Math.abs(prediction.data[i] - target.data[i]);
  return prediction.size === 0 ? 0 : s / prediction.size;
}

function rmse(prediction: Tensor, target: Tensor): number {
  let s = 0;
  for (let i = 0; i < prediction.size; i++) s += (prediction.data[i] - target.data[i]) ** 2;
  return prediction.size === 0 ? 0 : Math.sqrt(s / prediction.size);
}

/** The built-in metrics: 'accuracy' (arg-max), 'binaryAccuracy' (logits, threshold 0), 'mae', 'rmse'. */
export const builtinMetrics: Readonly<Record<BuiltinMetric, MetricFn>> = {
  accuracy,
  binaryAccuracy,
  mae,
  rmse,
};

/** `fit`'s metrics option as named functions. */
export function resolveMetrics(
  spec: Readonly<Record<string, MetricFn>> | readonly BuiltinMetric[] | undefined,
): [string, MetricFn][] {
  if (spec === undefined) return [];
  if (Array.isArray(spec)) {
    return spec.map((name: BuiltinMetric) => {
      const fn = builtinMetrics[name];
      if (fn === undefined)
        throw new LossInputError(
          'fit',
          'options.metrics',
          `'${name}' is not one of ${Object.keys(builtinMetrics).join(', ')}`,
        );
      return [name, fn];
    });
  }
  return Object.entries(spec as Readonly<Record<string, MetricFn>>);
}
