// The metrics of one set of predictions on the held-out rows, the same for every loss and baseline.
import {
  averagePrecision,
  binaryScores,
  calibration,
  meanAbsoluteError,
  rootMeanSquaredError,
} from '../metrics.js';
import type { CompareTask } from './dataset.js';

/**
 * Held-out metrics by `MetricSpec.id` (see `compareMetrics`). `predictions` are, for regression,
 * values in standard units (multiplied by `targetScale` to give errors in the data's units: the
 * errors are computed before scaling, so targets near 1e300 do not overflow); for a binary task,
 * the probability of class 1; for multiclass, `rows × classes` probabilities.
 */
export function heldOutMetrics(
  task: CompareTask,
  predictions: Float64Array,
  y: Float64Array,
  classes: number,
  targetScale: number,
): Record<string, number> {
  if (task === 'regression') {
    return {
      mae: targetScale * meanAbsoluteError(predictions, y),
      rmse: targetScale * rootMeanSquaredError(predictions, y),
    };
  }
  if (task === 'binary') {
    let correct = 0;
    for (let i = 0; i < y.length; i++) correct += (predictions[i] >= 0.5 ? 1 : 0) === y[i] ? 1 : 0;
    const atHalf = binaryScores(predictions, y, 0.5);
    return {
      prAuc: averagePrecision(predictions, y),
      f1: atHalf.f1,
      recall: atHalf.recall,
      accuracy: correct / y.length,
    };
  }
  const c = calibration(predictions, y, classes);
  return { accuracy: c.accuracy, ece: c.ece };
}
