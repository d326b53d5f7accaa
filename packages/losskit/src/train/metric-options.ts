import type { AccuracyOptions } from './metrics.js';
import { type CombinedObjective, type LossSpec, lossAliases, lossEntry } from './objective.js';

/** Losses that say by their name what the model outputs: logits / scores (0) or probabilities (0.5). */
const thresholdByName: Readonly<Record<string, number>> = {
  binaryCrossEntropyWithLogits: 0,
  binaryCrossEntropy: 0.5,
  hinge: 0,
  squaredHinge: 0,
  softMargin: 0,
};

/** The registry name behind a name or alias. */
function canonicalName(name: string): string {
  return Object.hasOwn(lossAliases, name) ? lossAliases[name] : name;
}

/** The threshold a loss name alone implies (0 or 0.5), if it does. */
function thresholdOfName(name: string): number | undefined {
  const canonical = canonicalName(name);
  return Object.hasOwn(thresholdByName, canonical) ? thresholdByName[canonical] : undefined;
}

/** The threshold one registry loss implies, or undefined when it says nothing about outputs. */
function registryThreshold(
  name: string,
  options: Readonly<Record<string, unknown>> | undefined,
): number | undefined {
  const canonical = canonicalName(name);
  const byName = thresholdOfName(canonical);
  if (byName !== undefined) return byName;
  let defaults: Readonly<Record<string, unknown>>;
  try {
    defaults = lossEntry(canonical).defaults as Readonly<Record<string, unknown>>;
  } catch {
    return undefined; // not a (prediction, target) registry loss: fit reports that itself
  }
  if (!('fromLogits' in defaults)) return undefined;
  const fromLogits = options?.fromLogits ?? defaults.fromLogits;
  return fromLogits === true ? 0 : fromLogits === false ? 0.5 : undefined;
}

/**
 * The decision threshold of a binary output that `loss` implies: 0 when it takes logits or
 * scores (`binaryCrossEntropyWithLogits`, `focal`, a `fromLogits: true` loss, hinge losses), 0.5
 * when it takes probabilities (`binaryCrossEntropy`, `dice`, a `fromLogits: false` loss), and
 * undefined when it does not say (regression losses, plain functions, a `combine` whose
 * terms disagree or only name losses whose `fromLogits` option it does not expose). The
 * binary accuracies of `fit` use it; undefined makes them an error instead of a guess.
 *
 * @example
 * decisionThreshold('bceWithLogits')                                  // 0
 * decisionThreshold({ loss: 'focal', options: { fromLogits: false } }) // 0.5
 * decisionThreshold('mse')                                            // undefined
 */
export function decisionThreshold(loss: LossSpec): number | undefined {
  if (typeof loss === 'string') return registryThreshold(loss, undefined);
  if (typeof loss === 'function') {
    // A combine(...) objective: the terms whose names settle it must agree (their options are
    // not exposed, so names with a `fromLogits` option are left out).
    const terms = (loss as Partial<CombinedObjective>).terms;
    if (terms === undefined) return undefined;
    const found = new Set<number>();
    for (const { name } of terms) {
      const t = thresholdOfName(name);
      if (t !== undefined) found.add(t);
    }
    return found.size === 1 ? [...found][0] : undefined;
  }
  if (loss !== null && typeof loss === 'object' && typeof loss.loss === 'string')
    return registryThreshold(loss.loss, loss.options);
  return undefined;
}

/** The label the loss skips (`ignoreIndex`, `tokenCrossEntropy`'s -100 by default), if any. */
function ignoredLabel(loss: LossSpec): number | undefined {
  if (typeof loss === 'function') return undefined;
  const name = typeof loss === 'string' ? loss : loss?.loss;
  if (typeof name !== 'string') return undefined;
  let defaults: Readonly<Record<string, unknown>>;
  try {
    defaults = lossEntry(canonicalName(name)).defaults as Readonly<Record<string, unknown>>;
  } catch {
    return undefined;
  }
  const options = typeof loss === 'string' ? undefined : loss.options;
  const ignore = options?.ignoreIndex ?? defaults.ignoreIndex;
  return typeof ignore === 'number' ? ignore : undefined;
}

/**
 * What `loss` tells the built-in metrics: the binary decision threshold (`decisionThreshold`)
 * and the label to skip (its `ignoreIndex`).
 */
export function metricOptionsFor(loss: LossSpec): AccuracyOptions {
  return { threshold: decisionThreshold(loss), ignoreIndex: ignoredLabel(loss) };
}
