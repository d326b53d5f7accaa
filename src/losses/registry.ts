import { autoencoderLosses } from './autoencoder/index.js';
import { classificationLosses } from './classification/index.js';
import { ganLosses } from './gan/index.js';
import { rankingLosses } from './ranking/index.js';
import { regressionLosses } from './regression/index.js';
import { rlLosses } from './rl/index.js';
import { segmentationLosses } from './segmentation/index.js';
import { sequenceLosses } from './sequence/index.js';

/**
 * The one list of losses. The CLI, the selection guide, the lab report, the autograd bridge
 * and the TF.js adapter enumerate it and keep no list of their own.
 */
export const losses = {
  ...regressionLosses,
  ...classificationLosses,
  ...rankingLosses,
  ...sequenceLosses,
  ...segmentationLosses,
  ...ganLosses,
  ...rlLosses,
  ...autoencoderLosses,
} as const;

/** The name of a registry loss. */
export type LossName = keyof typeof losses;

/** Every registry entry, in catalogue order. */
export const lossList = Object.values(losses);
