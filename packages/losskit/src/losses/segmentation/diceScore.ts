import type { TensorLike } from '../../tensor/index.js';
import { type OverlapScoreOptions, overlapMetric } from './metric.js';

/**
 * The Dice coefficient (F1 overlap) as a metric: higher is better, 1 is a perfect match.
 *
 * score = (2Σpy + ε)/(Σp + Σy + ε). Soft on the probabilities when `threshold` is unset; with a
 * threshold, p > threshold counts as 1 and anything else as 0 (the usual evaluation metric).
 * `aggregate: 'sample'` averages one score per index of the first axis (an empty batch scores 1).
 * With the same options and no threshold, `diceScore = 1 − dice`. `pred` [N, ...] probabilities
 * (or logits with `fromLogits`), `target` of the same shape with values in [0, 1].
 *
 * Returns a plain number (not a tensor): metrics are logged, not differentiated.
 *
 * @example
 * diceScore([[0.9, 0.4, 0.6, 0.2]], [[1, 0, 1, 0]], { threshold: 0.5 }) // 1
 */
export function diceScore(pred: TensorLike, target: TensorLike, options?: OverlapScoreOptions): number {
  return overlapMetric('dice', 'diceScore', pred, target, options);
}
