import { formatIndex, LossInputError, type Tensor } from '../../tensor/index.js';
import { requireMinRank, requireSameShape } from '../shape-checks.js';

/**
 * The boundary checks of the listwise and pairwise ranking losses: `scores` [..., L] (lists on
 * the last axis) and `labels` of the same shape holding relevance grades ≥ 0.
 */
export function requireScoredLists(loss: string, scores: Tensor, labels: Tensor): void {
  requireMinRank(loss, 'scores', scores, 1, '[..., L]');
  requireSameShape(loss, 'scores', scores, 'labels', labels);
  const d = labels.data;
  for (let i = 0; i < d.length; i++) {
    if (!(d[i] >= 0)) {
      throw new LossInputError(
        loss,
        'labels',
        `relevance ${d[i]} at index ${formatIndex(i, labels.shape)} is negative (labels must be >= 0)`,
      );
    }
  }
}
