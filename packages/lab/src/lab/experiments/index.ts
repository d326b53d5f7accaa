// The lab's experiments, in report order. Adding an experiment is one import and one entry here.
import type { Experiment } from '../experiment.js';
import { boxRegression } from './box-regression.js';
import { cartpoleRl } from './cartpole-rl.js';
import { contrastiveProbe } from './contrastive-probe.js';
import { ctcAlignment } from './ctc-alignment.js';
import { ganRing } from './gan-ring.js';
import { imbalancedBinary } from './imbalanced-binary.js';
import { metricLearning } from './metric-learning.js';
import { noisyCalibration } from './noisy-calibration.js';
import { noisyLabels } from './noisy-labels.js';
import { predictionIntervals } from './prediction-intervals.js';
import { preferenceDpo } from './preference-dpo.js';
import { regressionOutliers } from './regression-outliers.js';
import { segmentationSmallObjects } from './segmentation-small-objects.js';
import { sequenceDistillation } from './sequence-distillation.js';
import { sequenceLabelSmoothing } from './sequence-label-smoothing.js';
import { vaeBeta } from './vae-beta.js';

export const experiments: readonly Experiment[] = [
  regressionOutliers,
  predictionIntervals,
  imbalancedBinary,
  noisyCalibration,
  noisyLabels,
  segmentationSmallObjects,
  boxRegression,
  metricLearning,
  contrastiveProbe,
  sequenceLabelSmoothing,
  sequenceDistillation,
  ctcAlignment,
  ganRing,
  cartpoleRl,
  preferenceDpo,
  vaeBeta,
];
