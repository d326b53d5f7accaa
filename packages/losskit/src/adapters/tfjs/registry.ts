import type { LossName } from '../../losses/registry.js';
import { autoencoderTfLosses } from './autoencoder.js';
import { classificationTfLosses } from './classification.js';
import { alignmentTfLosses } from './alignment.js';
import type { TfLoss } from './define.js';
import { detectionTfLosses } from './detection.js';
import { ganTfLosses } from './gan.js';
import { rankingTfLosses } from './ranking.js';
import { regressionTfLosses } from './regression.js';
import { rlTfLosses } from './rl.js';
import { segmentationTfLosses } from './segmentation.js';
import { sequenceTfLosses } from './sequence.js';

/**
 * Every registry loss in TF.js ops, keyed by the core registry's names: the type requires an
 * implementation for each `LossName`, so a loss added to the core without one here fails to
 * compile (and the adapter's conformance test fails). The object has no prototype, so a name
 * looked up from user input (`tfLosses[name]`) is a loss or `undefined`, never an inherited
 * `Object.prototype` member such as `constructor` or `toString`.
 */
export const tfLosses: { readonly [K in LossName]: TfLoss<K> } = Object.assign(
  Object.create(null) as Record<never, never>,
  {
    ...regressionTfLosses,
    ...classificationTfLosses,
    ...rankingTfLosses,
    ...sequenceTfLosses,
    ...segmentationTfLosses,
    ...detectionTfLosses,
    ...alignmentTfLosses,
    ...ganTfLosses,
    ...rlTfLosses,
    ...autoencoderTfLosses,
  },
);
