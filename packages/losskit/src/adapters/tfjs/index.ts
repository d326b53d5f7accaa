// losskit/tfjs: every losskit registry loss as a function of TensorFlow.js tensors, written in TF.js
// ops so that it runs on any TF.js backend and TF.js's autodiff differentiates it; `lossFn` and the
// Dice/IoU metrics in the `(yTrue, yPred)` form that `model.compile` takes. Needs
// @tensorflow/tfjs-core (a peer dependency) with gradients registered, as `@tensorflow/tfjs` and
// `@tensorflow/tfjs-layers` do on import. The core entry `losskit` never imports this module.
export type { InputName, ResolvedOptions, TfInputs, TfLoss, TfOptions } from './define.js';
export { tfLosses } from './registry.js';
export {
  type CompilableLossName,
  type OverlapScoreOptions,
  type TfLossOrMetricFn,
  diceMetric,
  diceScore,
  iouMetric,
  iouScore,
  lossFn,
} from './compile.js';
export {
  cosineDistance,
  gaussianNll,
  huber,
  logCosh,
  mae,
  meanAbsolutePercentageError,
  meanSquaredLogarithmicError,
  mse,
  poissonNll,
  quantile,
  smoothL1,
} from './regression.js';
export {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  categoricalCrossEntropy,
  focal,
  sparseCategoricalCrossEntropy,
} from './classification.js';
export {
  categoricalFocal,
  generalizedCrossEntropy,
  poly1CrossEntropy,
  sparseCategoricalFocal,
} from './classification.js';
export {
  categoricalHinge,
  hinge,
  multiLabelMargin,
  multiLabelSoftMargin,
  multiMargin,
  negativeLogLikelihood,
  softMargin,
  squaredHinge,
} from './classification.js';
export {
  contrastive,
  cosineEmbedding,
  hingeEmbedding,
  marginRanking,
  pairwiseHinge,
  triplet,
} from './ranking.js';
export { clipContrastive, ntXent, sigmoidContrastive, supervisedContrastive } from './ranking.js';
export { pairwiseLogistic, rankingSoftmax } from './ranking.js';
export {
  ctc,
  jensenShannon,
  klDivergence,
  labelSmoothingCrossEntropy,
  linearCrossEntropy,
  tokenCrossEntropy,
} from './sequence.js';
export { bceDice, bceIou, dice, iou, tversky } from './segmentation.js';
export { lovaszHinge, lovaszSoftmax } from './segmentation.js';
export { ciou, diou, giou } from './detection.js';
export { dpo, orpo, simpo } from './alignment.js';
export {
  ganDiscriminator,
  ganGenerator,
  lsganDiscriminator,
  lsganGenerator,
  wganCritic,
  wganGenerator,
  hingeGanDiscriminator,
  hingeGanGenerator,
} from './gan.js';
export { clippedValueLoss, entropyBonus, grpo, policyGradient, ppoClip, valueLoss } from './rl.js';
export { reconstruction, vaeKl, vaeLoss, vqCommitment } from './autoencoder.js';
