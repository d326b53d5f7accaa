import { huberLoss, mseLoss } from './regression/index.js';

/**
 * The one list of losses. The CLI, the selection guide, the lab report, the autograd bridge
 * and the TF.js adapter enumerate it and keep no list of their own.
 */
export const losses = {
  mse: mseLoss,
  huber: huberLoss,
} as const;

/** The name of a registry loss. */
export type LossName = keyof typeof losses;

/** Every registry entry, in catalogue order. */
export const lossList = Object.values(losses);
