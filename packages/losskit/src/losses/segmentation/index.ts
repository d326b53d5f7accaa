// The segmentation losses: explicit re-exports, and the family's registry entries in catalogue order.
import { bceDiceLoss } from './bceDice.js';
import { bceIouLoss } from './bceIou.js';
import { diceLoss } from './dice.js';
import { iouLoss } from './iou.js';
import { tverskyLoss } from './tversky.js';
import { lovaszHingeLoss } from './lovaszHinge.js';
import { lovaszSoftmaxLoss } from './lovaszSoftmax.js';

export { bceDice, bceDiceLoss } from './bceDice.js';
export { bceIou, bceIouLoss } from './bceIou.js';
export { dice, diceLoss } from './dice.js';
export { diceScore } from './diceScore.js';
export { iou, iouLoss } from './iou.js';
export { iouScore } from './iouScore.js';
export type { OverlapScoreOptions } from './metric.js';
export { tversky, tverskyLoss } from './tversky.js';
export { lovaszHinge, lovaszHingeLoss } from './lovaszHinge.js';
export { lovaszSoftmax, lovaszSoftmaxLoss } from './lovaszSoftmax.js';

export const segmentationLosses = {
  dice: diceLoss,
  iou: iouLoss,
  bceDice: bceDiceLoss,
  bceIou: bceIouLoss,
  tversky: tverskyLoss,
  lovaszHinge: lovaszHingeLoss,
  lovaszSoftmax: lovaszSoftmaxLoss,
} as const;
