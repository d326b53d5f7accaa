// The classification losses: explicit re-exports, and the family's registry entries in catalogue order.
import { binaryCrossEntropyLoss } from './binary-cross-entropy.js';
import { binaryCrossEntropyWithLogitsLoss } from './binary-cross-entropy-with-logits.js';
import { categoricalCrossEntropyLoss } from './categorical-cross-entropy.js';
import { focalLoss } from './focal.js';
import { sparseCategoricalCrossEntropyLoss } from './sparse-categorical-cross-entropy.js';

export { binaryCrossEntropy, binaryCrossEntropyLoss } from './binary-cross-entropy.js';
export {
  binaryCrossEntropyWithLogits,
  binaryCrossEntropyWithLogitsLoss,
} from './binary-cross-entropy-with-logits.js';
export { categoricalCrossEntropy, categoricalCrossEntropyLoss } from './categorical-cross-entropy.js';
export { sparseCategoricalCrossEntropy, sparseCategoricalCrossEntropyLoss } from './sparse-categorical-cross-entropy.js';
export { focal, focalLoss } from './focal.js';

export const classificationLosses = {
  binaryCrossEntropy: binaryCrossEntropyLoss,
  binaryCrossEntropyWithLogits: binaryCrossEntropyWithLogitsLoss,
  categoricalCrossEntropy: categoricalCrossEntropyLoss,
  sparseCategoricalCrossEntropy: sparseCategoricalCrossEntropyLoss,
  focal: focalLoss,
} as const;
