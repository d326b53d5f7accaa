// The regression losses: explicit re-exports, and the family's registry entries in catalogue order.
import { huberLoss } from './huber.js';
import { mseLoss } from './mse.js';

export { huber, huberLoss } from './huber.js';
export { mse, mseLoss } from './mse.js';

export const regressionLosses = {
  mse: mseLoss,
  huber: huberLoss,
} as const;
