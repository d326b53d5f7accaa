import { assertFinite, type TensorLike, toTensor } from '../../tensor/index.js';
import { optionalNumberOption, resolveOptions } from '../options.js';
import {
  type Aggregate,
  aggregateOption,
  epsOption,
  fromLogitsOption,
  groupCount,
  type Overlap,
  overlapScore,
  validateSegmentation,
} from './overlap.js';

/** Options of {@link diceScore} and {@link iouScore}. */
export interface OverlapScoreOptions {
  /**
   * Unset (default): the soft score on probabilities. A number in [0, 1]: predictions are
   * binarised first, p > threshold → 1, else 0 (after the sigmoid when `fromLogits`).
   */
  readonly threshold?: number;
  /** Smoothing kept in numerator and denominator (default 1e-5, > 0). */
  readonly eps?: number;
  /** Whether `pred` holds logits, passed through an element-wise sigmoid (default false). */
  readonly fromLogits?: boolean;
  /** `'batch'` (default): one score over every element; `'sample'`: the mean of per-sample scores over the first axis. */
  readonly aggregate?: Aggregate;
}

const schema = {
  threshold: optionalNumberOption({ min: 0, max: 1 }),
  eps: epsOption(),
  fromLogits: fromLogitsOption(),
  aggregate: aggregateOption(),
};

/** The shared body of the two metrics: coercion, validation, then one pass per group. */
export function overlapMetric(
  kind: Overlap,
  name: string,
  pred: TensorLike,
  target: TensorLike,
  options: OverlapScoreOptions | undefined,
): number {
  const p = toTensor(pred, name, 'pred');
  assertFinite(p, name, 'pred');
  const y = toTensor(target, name, 'target', 'float64');
  assertFinite(y, name, 'target');
  const { threshold, eps, fromLogits, aggregate } = resolveOptions(name, schema, options);
  validateSegmentation(name, p, y, { fromLogits, aggregate }, 'pred');
  return overlapScore(kind, p.data, y.data, groupCount(p, aggregate), eps, fromLogits, threshold);
}
