// The classification losses: explicit re-exports, and the family's registry entries in catalogue order.
import { binaryCrossEntropyLoss } from './binaryCrossEntropy.js';
import { binaryCrossEntropyWithLogitsLoss } from './binaryCrossEntropyWithLogits.js';
import { categoricalCrossEntropyLoss } from './categoricalCrossEntropy.js';
import { focalLoss } from './focal.js';
import { sparseCategoricalCrossEntropyLoss } from './sparseCategoricalCrossEntropy.js';

export { binaryCrossEntropy, binaryCrossEntropyLoss } from './binaryCrossEntropy.js';
export {
  binaryCrossEntropyWithLogits,
  binaryCrossEntropyWithLogitsLoss,
} from './binaryCrossEntropyWithLogits.js';
export { categoricalCrossEntropy, categoricalCrossEntropyLoss } from './categoricalCrossEntropy.js';
export { focal, focalLoss } from './focal.js';
export {
  sparseCategoricalCrossEntropy,
  sparseCategoricalCrossEntropyLoss,
} from './sparseCategoricalCrossEntropy.js';

export const classificationLosses = {
  binaryCrossEntropy: binaryCrossEntropyLoss,
  binaryCrossEntropyWithLogits: binaryCrossEntropyWithLogitsLoss,
  categoricalCrossEntropy: categoricalCrossEntropyLoss,
  sparseCategoricalCrossEntropy: sparseCategoricalCrossEntropyLoss,
  focal: focalLoss,
} as const;
