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
export { huber, mae, mse, smoothL1 } from './regression.js';
export {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  categoricalCrossEntropy,
  focal,
  sparseCategoricalCrossEntropy,
} from './classification.js';
export { contrastive, pairwiseHinge, triplet } from './ranking.js';
export {
  klDivergence,
  labelSmoothingCrossEntropy,
  linearCrossEntropy,
  tokenCrossEntropy,
} from './sequence.js';
export { bceDice, bceIou, dice, iou } from './segmentation.js';
export {
  ganDiscriminator,
  ganGenerator,
  lsganDiscriminator,
  lsganGenerator,
  wganCritic,
  wganGenerator,
} from './gan.js';
export { policyGradient, ppoClip, valueLoss } from './rl.js';
export { reconstruction, vaeKl, vaeLoss } from './autoencoder.js';
