// The lab's experiments, in report order. Adding an experiment is one import and one entry here.
import type { Experiment } from '../experiment.js';
import { cartpoleRl } from './cartpole-rl.js';
import { ganRing } from './gan-ring.js';
import { imbalancedBinary } from './imbalanced-binary.js';
import { metricLearning } from './metric-learning.js';
import { noisyCalibration } from './noisy-calibration.js';
import { regressionOutliers } from './regression-outliers.js';
import { segmentationSmallObjects } from './segmentation-small-objects.js';
import { sequenceDistillation } from './sequence-distillation.js';
import { sequenceLabelSmoothing } from './sequence-label-smoothing.js';
import { vaeBeta } from './vae-beta.js';

export const experiments: readonly Experiment[] = [
  regressionOutliers,
  imbalancedBinary,
  noisyCalibration,
  segmentationSmallObjects,
  metricLearning,
  sequenceLabelSmoothing,
  sequenceDistillation,
  ganRing,
  cartpoleRl,
  vaeBeta,
];
