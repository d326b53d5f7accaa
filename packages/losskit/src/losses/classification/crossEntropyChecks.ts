import { formatShape, LossInputError, type Tensor } from '../../tensor/index.js';

/**
 * Boundary checks shared by the cross-entropies (classification and sequence families), on top
 * of `src/losses/validate.ts`.
 */

export { requireClassAxis } from '../shape-checks.js';

/** Class weights must have shape [C] and be non-negative. */
export function requireClassWeight(loss: string, weight: Tensor, classes: number): void {
  if (weight.rank !== 1 || weight.shape[0] !== classes) {
    throw new LossInputError(
      loss,
      'options.weight',
      `must have shape [${classes}] (one weight per class), got ${formatShape(weight.shape)}`,
    );
  }
  const w = weight.data;
  for (let c = 0; c < w.length; c++) {
    if (w[c] < 0)
      throw new LossInputError(loss, 'options.weight', `weight ${w[c]} of class ${c} is negative`);
  }
}
