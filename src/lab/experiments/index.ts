// The lab's experiments, in report order. Adding an experiment is one import and one entry here.
import type { Experiment } from '../experiment.js';
import { imbalancedBinary } from './imbalanced-binary.js';
import { noisyCalibration } from './noisy-calibration.js';
import { regressionOutliers } from './regression-outliers.js';

export const experiments: readonly Experiment[] = [regressionOutliers, imbalancedBinary, noisyCalibration];
