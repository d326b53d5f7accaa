// The detection losses (box regression on corner boxes x1, y1, x2, y2): explicit re-exports, and
// the family's registry entries in catalogue order.
import { ciouLoss } from './ciou.js';
import { diouLoss } from './diou.js';
import { giouLoss } from './giou.js';

export { ciou, ciouLoss } from './ciou.js';
export { diou, diouLoss } from './diou.js';
export { giou, giouLoss } from './giou.js';

export const detectionLosses = {
  giou: giouLoss,
  diou: diouLoss,
  ciou: ciouLoss,
} as const;
