// The sequence losses: explicit re-exports, and the family's registry entries in catalogue order.
import { ctcLoss } from './ctc.js';
import { jensenShannonLoss } from './jensenShannon.js';
import { klDivergenceLoss } from './klDivergence.js';
import { labelSmoothingCrossEntropyLoss } from './labelSmoothingCrossEntropy.js';
import { linearCrossEntropyLoss } from './linearCrossEntropy.js';
import { tokenCrossEntropyLoss } from './tokenCrossEntropy.js';

export { ctc, ctcLoss } from './ctc.js';
export { jensenShannon, jensenShannonLoss } from './jensenShannon.js';
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
  ctc: ctcLoss,
  jensenShannon: jensenShannonLoss,
} as const;
