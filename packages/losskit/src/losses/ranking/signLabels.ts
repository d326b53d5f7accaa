import { formatIndex, LossInputError, type Tensor } from '../../tensor/index.js';

/**
 * Every value exactly −1 or 1: the targets of torch's `margin_ranking_loss`,
 * `hinge_embedding_loss` and `cosine_embedding_loss` (1 similar / ranked first, −1 dissimilar /
 * ranked second). Torch lets any other value through silently (it contributes 0 or a mix of both
 * terms); here it is a `LossInputError` naming its value and index.
 */
export function requireSignLabels(loss: string, name: string, t: Tensor): void {
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (v !== 1 && v !== -1)
      throw new LossInputError(loss, name, `label ${v} at index ${formatIndex(i, t.shape)} must be -1 or 1`);
  }
}
