// The classification losses: explicit re-exports, and the family's registry entries in catalogue order.
import { binaryCrossEntropyLoss } from './binaryCrossEntropy.js';
import { binaryCrossEntropyWithLogitsLoss } from './binaryCrossEntropyWithLogits.js';
import { categoricalCrossEntropyLoss } from './categoricalCrossEntropy.js';
import { focalLoss } from './focal.js';
import { sparseCategoricalCrossEntropyLoss } from './sparseCategoricalCrossEntropy.js';
import { poly1CrossEntropyLoss } from './poly1CrossEntropy.js';
import { generalizedCrossEntropyLoss } from './generalizedCrossEntropy.js';
import { categoricalFocalLoss } from './categoricalFocal.js';
import { sparseCategoricalFocalLoss } from './sparseCategoricalFocal.js';
import { negativeLogLikelihoodLoss } from './negativeLogLikelihood.js';
import { hingeLoss } from './hinge.js';
import { squaredHingeLoss } from './squaredHinge.js';
import { categoricalHingeLoss } from './categoricalHinge.js';
import { multiMarginLoss } from './multiMargin.js';
import { softMarginLoss } from './softMargin.js';
import { multiLabelSoftMarginLoss } from './multiLabelSoftMargin.js';
import { multiLabelMarginLoss } from './multiLabelMargin.js';

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
export { poly1CrossEntropy, poly1CrossEntropyLoss } from './poly1CrossEntropy.js';
export { generalizedCrossEntropy, generalizedCrossEntropyLoss } from './generalizedCrossEntropy.js';
export { categoricalFocal, categoricalFocalLoss } from './categoricalFocal.js';
export { sparseCategoricalFocal, sparseCategoricalFocalLoss } from './sparseCategoricalFocal.js';
export { negativeLogLikelihood, negativeLogLikelihoodLoss } from './negativeLogLikelihood.js';
export { hinge, hingeLoss } from './hinge.js';
export { squaredHinge, squaredHingeLoss } from './squaredHinge.js';
export { categoricalHinge, categoricalHingeLoss } from './categoricalHinge.js';
export { multiMargin, multiMarginLoss } from './multiMargin.js';
export { softMargin, softMarginLoss } from './softMargin.js';
export { multiLabelSoftMargin, multiLabelSoftMarginLoss } from './multiLabelSoftMargin.js';
export { multiLabelMargin, multiLabelMarginLoss } from './multiLabelMargin.js';

export const classificationLosses = {
  binaryCrossEntropy: binaryCrossEntropyLoss,
  binaryCrossEntropyWithLogits: binaryCrossEntropyWithLogitsLoss,
  categoricalCrossEntropy: categoricalCrossEntropyLoss,
  sparseCategoricalCrossEntropy: sparseCategoricalCrossEntropyLoss,
  focal: focalLoss,
  poly1CrossEntropy: poly1CrossEntropyLoss,
  generalizedCrossEntropy: generalizedCrossEntropyLoss,
  categoricalFocal: categoricalFocalLoss,
  sparseCategoricalFocal: sparseCategoricalFocalLoss,
  negativeLogLikelihood: negativeLogLikelihoodLoss,
  hinge: hingeLoss,
  squaredHinge: squaredHingeLoss,
  categoricalHinge: categoricalHingeLoss,
  multiMargin: multiMarginLoss,
  softMargin: softMarginLoss,
  multiLabelSoftMargin: multiLabelSoftMarginLoss,
  multiLabelMargin: multiLabelMarginLoss,
} as const;
