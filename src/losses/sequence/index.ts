// The sequence losses: explicit re-exports, and the family's registry entries in catalogue order.
import { klDivergenceLoss } from './kl-divergence.js';
import { labelSmoothingCrossEntropyLoss } from './label-smoothing-cross-entropy.js';
import { tokenCrossEntropyLoss } from './token-cross-entropy.js';

export { klDivergence, klDivergenceLoss } from './kl-divergence.js';
export {
  labelSmoothingCrossEntropy,
  labelSmoothingCrossEntropyLoss,
} from './label-smoothing-cross-entropy.js';
export { tokenCrossEntropy, tokenCrossEntropyLoss } from './token-cross-entropy.js';

export const sequenceLosses = {
  tokenCrossEntropy: tokenCrossEntropyLoss,
  labelSmoothingCrossEntropy: labelSmoothingCrossEntropyLoss,
  klDivergence: klDivergenceLoss,
} as const;
