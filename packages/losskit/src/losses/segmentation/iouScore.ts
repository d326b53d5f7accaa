import type { TensorLike } from '../../tensor/index.js';
import { type OverlapScoreOptions, overlapMetric } from './metric.js';

/**
 * Intersection over union (Jaccard index) as a metric: higher is better, 1 is a perfect match.
 *
 * score = (Σpy + ε)/(Σ(p + y − py) + ε). Soft on the probabilities when `threshold` is unset;
 * with a threshold, p > threshold counts as 1 and anything else as 0 (the usual evaluation
 * metric). `aggregate: 'sample'` averages one score per index of the first axis (an empty batch
 * scores 1). With the same options and no threshold, `iouScore = 1 − iou`. `pred` [N, ...]
 * probabilities (or logits with `fromLogits`), `target` of the same shape with values in [0, 1].
 *
 * Returns a plain number (not a tensor): metrics are logged, not differentiated.
 *
 * @example
 * iouScore([[0.9, 0.7, 0.6, 0.2]], [[1, 0, 1, 0]], { threshold: 0.5 }) // 0.666667777774074
 */
export function iouScore(pred: TensorLike, target: TensorLike, options?: OverlapScoreOptions): number {
  return overlapMetric('iou', 'iouScore', pred, target, options);
}
