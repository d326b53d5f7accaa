// The regression losses: explicit re-exports, and the family's registry entries in catalogue order.
import { huberLoss } from './huber.js';
import { maeLoss } from './mae.js';
import { mseLoss } from './mse.js';
import { smoothL1Loss } from './smoothL1.js';

export { huber, huberLoss } from './huber.js';
export { mae, maeLoss } from './mae.js';
export { mse, mseLoss } from './mse.js';
export { smoothL1, smoothL1Loss } from './smoothL1.js';

export const regressionLosses = {
  mse: mseLoss,
  mae: maeLoss,
  huber: huberLoss,
  smoothL1: smoothL1Loss,
} as const;
