// The losses `compare` tries for each task, and the metrics it judges them by.
import type { LossName } from 'losskit';
import type { MetricSpec } from '../experiment.js';
import type { CompareTask } from './dataset.js';

/** One loss tried on the data. */
export interface Candidate {
  readonly id: string;
  readonly label: string;
  /** Registry name (a misspelt one does not compile). */
  readonly loss: LossName;
  readonly options: Readonly<Record<string, unknown>>;
}

/** The held-out metrics of each task; the first decides which loss did best. */
export const compareMetrics: Readonly<Record<CompareTask, readonly MetricSpec[]>> = {
  regression: [
    { id: 'mae', label: 'MAE', better: 'lower' },
    { id: 'rmse', label: 'RMSE', better: 'lower' },
  ],
  binary: [
    { id: 'prAuc', label: 'PR-AUC', better: 'higher' },
    { id: 'f1', label: 'F1', better: 'higher' },
    { id: 'recall', label: 'recall', better: 'higher' },
    { id: 'accuracy', label: 'accuracy', better: 'higher' },
  ],
  multiclass: [
    { id: 'accuracy', label: 'accuracy', better: 'higher' },
    { id: 'ece', label: 'ECE', better: 'lower' },
  ],
};

/**
 * The losses suited to `task`. Class weights (`posWeight`, per-class `weight`) come from the
 * class frequencies of the labels `target`. Smooth L1 takes β = 0.25 because with β = 1 it is Huber with δ = 1
 * exactly (the target is standardised, so both thresholds are in standard deviations).
 */
export function candidatesFor(task: CompareTask, target: Float64Array, classes: number): Candidate[] {
  if (task === 'regression') {
    return [
      { id: 'mse', label: 'MSE', loss: 'mse', options: {} },
      { id: 'mae', label: 'MAE', loss: 'mae', options: {} },
      { id: 'huber', label: 'Huber', loss: 'huber', options: { delta: 1 } },
      { id: 'smooth-l1', label: 'Smooth L1', loss: 'smoothL1', options: { beta: 0.25 } },
    ];
  }
  if (task === 'binary') {
    const positives = target.reduce((s, y) => s + y, 0);
    const posWeight = (target.length - positives) / Math.max(1, positives);
    return [
      { id: 'bce', label: 'BCE', loss: 'binaryCrossEntropyWithLogits', options: {} },
      { id: 'focal', label: 'Focal', loss: 'focal', options: { alpha: 0.25, gamma: 2 } },
      {
        id: 'bce-pos-weight',
        label: 'BCE + posWeight',
        loss: 'binaryCrossEntropyWithLogits',
        options: { posWeight: [Number(posWeight.toFixed(3))] },
      },
    ];
  }
  const counts = new Float64Array(classes);
  for (const y of target) counts[y]++;
  const weight = Array.from(counts, (c) => Number((target.length / (classes * Math.max(1, c))).toFixed(3)));
  return [
    { id: 'cross-entropy', label: 'Cross-entropy', loss: 'sparseCategoricalCrossEntropy', options: {} },
    {
      id: 'label-smoothing',
      label: 'Label smoothing',
      loss: 'labelSmoothingCrossEntropy',
      options: { smoothing: 0.1 },
    },
    {
      id: 'weighted-cross-entropy',
      label: 'Class-weighted CE',
      loss: 'sparseCategoricalCrossEntropy',
      options: { weight },
    },
  ];
}
