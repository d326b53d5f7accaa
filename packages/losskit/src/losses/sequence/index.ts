// The sequence losses: explicit re-exports, and the family's registry entries in catalogue order.
import { klDivergenceLoss } from './klDivergence.js';
import { labelSmoothingCrossEntropyLoss } from './labelSmoothingCrossEntropy.js';
import { linearCrossEntropyLoss } from './linearCrossEntropy.js';
import { tokenCrossEntropyLoss } from './tokenCrossEntropy.js';

export { klDivergence, klDivergenceLoss } from './klDivergence.js';
export {
  labelSmoothingCrossEntropy,
  labelSmoothingCrossEntropyLoss,
} from './labelSmoothingCrossEntropy.js';
export { linearCrossEntropy, linearCrossEntropyLoss } from './linearCrossEntropy.js';
export { tokenCrossEntropy, tokenCrossEntropyLoss } from './tokenCrossEntropy.js';

export const sequenceLosses = {
  tokenCrossEntropy: tokenCrossEntropyLoss,
  labelSmoothingCrossEntropy: labelSmoothingCrossEntropyLoss,
  klDivergence: klDivergenceLoss,
  linearCrossEntropy: linearCrossEntropyLoss,
} as const;
