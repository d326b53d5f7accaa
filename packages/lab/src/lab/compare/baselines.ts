// Simple baselines `compare` reports next to the losses, so a user sees when the neural network
// is not worth it: a constant predictor and a linear model fitted on the same split.
import type { CompareTask } from './dataset.js';
import type { HeldOutSplit } from './held-out-split.js';
import { fitLeastSquares, predictLinear } from './least-squares.js';
import { fitSoftmaxRegression, softmaxProbabilities } from './softmax-regression.js';

/** A model that involves no loss choice. */
export interface Baseline {
  readonly id: 'constant' | 'linear';
  readonly label: string;
  /** How it predicts, in a sentence. */
  readonly description: string;
}

/** The two baselines of `task`: a constant predictor, then a linear (or logistic/softmax) model. */
export function baselinesFor(task: CompareTask): readonly Baseline[] {
  if (task === 'regression') {
    return [
      {
        id: 'constant',
        label: 'Constant (median)',
        description: "predicts the training rows' median everywhere (the best constant for MAE)",
      },
      {
        id: 'linear',
        label: 'Linear (least squares)',
        description: 'ordinary least squares on the standardised features, closed form with a tiny ridge',
      },
    ];
  }
  return [
    {
      id: 'constant',
      label: 'Constant (class prior)',
      description: "predicts the training rows' class frequencies everywhere (so always the majority class)",
    },
    {
      id: 'linear',
      label: task === 'binary' ? 'Logistic regression' : 'Softmax regression',
      description: `${task === 'binary' ? 'logistic' : 'softmax'} regression on the standardised features with a small ridge, fitted by L-BFGS (deterministic)`,
    },
  ];
}

/**
 * The baseline's predictions on the held-out rows, in the form `heldOutMetrics` takes (standard
 * units for regression, probabilities of class 1 for binary, probability rows for multiclass).
 */
export function baselinePredictions(
  baseline: Baseline,
  task: CompareTask,
  split: HeldOutSplit,
  classes: number,
): Float64Array {
  const testRows = split.yTest.length;
  if (task === 'regression') {
    if (baseline.id === 'constant') return new Float64Array(testRows).fill(median(split.yTrain));
    return predictLinear(fitLeastSquares(split.xTrain, split.yTrain, split.width), split.xTest);
  }
  let probabilities: Float64Array;
  if (baseline.id === 'constant') {
    const prior = new Float64Array(classes);
    for (const y of split.yTrain) prior[y] += 1 / split.yTrain.length;
    probabilities = new Float64Array(testRows * classes);
    for (let r = 0; r < testRows; r++) probabilities.set(prior, r * classes);
  } else {
    const fit = fitSoftmaxRegression(split.xTrain, split.yTrain, split.width, classes);
    probabilities = softmaxProbabilities(fit, split.xTest);
  }
  return task === 'binary'
    ? Float64Array.from({ length: testRows }, (_, r) => probabilities[r * 2 + 1])
    : probabilities;
}

function median(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
