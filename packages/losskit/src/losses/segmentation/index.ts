// The segmentation losses: explicit re-exports, and the family's registry entries in catalogue order.
import { bceDiceLoss } from './bceDice.js';
import { bceIouLoss } from './bceIou.js';
import { diceLoss } from './dice.js';
import { iouLoss } from './iou.js';

export { bceDice, bceDiceLoss } from './bceDice.js';
export { bceIou, bceIouLoss } from './bceIou.js';
export { dice, diceLoss } from './dice.js';
export { diceScore } from './diceScore.js';
export { iou, iouLoss } from './iou.js';
export { iouScore } from './iouScore.js';
export type { OverlapScoreOptions } from './metric.js';

export const segmentationLosses = {
  dice: diceLoss,
  iou: iouLoss,
  bceDice: bceDiceLoss,
  bceIou: bceIouLoss,
} as const;
