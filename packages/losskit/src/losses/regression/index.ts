// The regression losses: explicit re-exports, and the family's registry entries in catalogue order.
import { huberLoss } from './huber.js';
import { maeLoss } from './mae.js';
import { mseLoss } from './mse.js';
import { smoothL1Loss } from './smoothL1.js';
import { logCoshLoss } from './logCosh.js';
import { meanAbsolutePercentageErrorLoss } from './meanAbsolutePercentageError.js';
import { meanSquaredLogarithmicErrorLoss } from './meanSquaredLogarithmicError.js';
import { quantileLoss } from './quantile.js';
import { poissonNllLoss } from './poissonNll.js';
import { gaussianNllLoss } from './gaussianNll.js';
import { cosineDistanceLoss } from './cosineDistance.js';

export { huber, huberLoss } from './huber.js';
export { mae, maeLoss } from './mae.js';
export { mse, mseLoss } from './mse.js';
export { smoothL1, smoothL1Loss } from './smoothL1.js';
export { logCosh, logCoshLoss } from './logCosh.js';
export {
  meanAbsolutePercentageError,
  meanAbsolutePercentageErrorLoss,
} from './meanAbsolutePercentageError.js';
export {
  meanSquaredLogarithmicError,
  meanSquaredLogarithmicErrorLoss,
} from './meanSquaredLogarithmicError.js';
export { quantile, quantileLoss } from './quantile.js';
export { poissonNll, poissonNllLoss } from './poissonNll.js';
export { gaussianNll, gaussianNllLoss } from './gaussianNll.js';
export { cosineDistance, cosineDistanceLoss } from './cosineDistance.js';

export const regressionLosses = {
  mse: mseLoss,
  mae: maeLoss,
  huber: huberLoss,
  smoothL1: smoothL1Loss,
  logCosh: logCoshLoss,
  meanAbsolutePercentageError: meanAbsolutePercentageErrorLoss,
  meanSquaredLogarithmicError: meanSquaredLogarithmicErrorLoss,
  quantile: quantileLoss,
  poissonNll: poissonNllLoss,
  gaussianNll: gaussianNllLoss,
  cosineDistance: cosineDistanceLoss,
} as const;
