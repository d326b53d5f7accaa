import { alignmentLosses } from './alignment/index.js';
import type { LossEntry } from './define.js';
import { autoencoderLosses } from './autoencoder/index.js';
import { classificationLosses } from './classification/index.js';
import { detectionLosses } from './detection/index.js';
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
  ...detectionLosses,
  ...alignmentLosses,
  ...ganLosses,
  ...rlLosses,
  ...autoencoderLosses,
} as const;

/** The name of a registry loss. */
export type LossName = keyof typeof losses;

/** Every registry entry, in catalogue order. */
export const lossList = Object.values(losses);

/**
 * The registry as a record of plain entries. Each entry's own type is narrower (its inputs and
 * options), and method parameters make it not assignable to the generic `LossEntry`: this is the
 * one place that widens it.
 */
const entriesByName = losses as unknown as Readonly<Record<string, LossEntry>>;

/**
 * Whether `name` is a registry loss name: an own property of the registry, so `'constructor'`
 * and `'__proto__'` are not.
 *
 * @example
 * isLossName('huber')       // true
 * isLossName('constructor') // false
 */
export function isLossName(name: string): name is LossName {
  return Object.hasOwn(losses, name);
}

/**
 * The registry entry named exactly `name`, or undefined when there is none. For fit's short
 * names (`bce`) and other libraries' names, see `lossByName` in `names.ts`.
 *
 * @example
 * registryEntry('huber')?.inputs // ['input', 'target']
 */
export function registryEntry(name: string): LossEntry | undefined {
  return isLossName(name) ? entriesByName[name] : undefined;
}
