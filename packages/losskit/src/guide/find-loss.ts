import type { LossEntry } from '../losses/define.js';
import { type LossAlias, lookupLossName, lossByName, unknownLossProblem } from '../losses/names.js';
import { LossInputError } from '../tensor/errors.js';

/** A registry entry found by name, and the alias it was found by, if any. */
export interface FoundLoss {
  readonly entry: LossEntry;
  /** The alias (`BCEWithLogitsLoss`, PyTorch) when the name was not the registry's own. */
  readonly alias?: LossAlias;
}

/**
 * The registry entry for a loss name and the alias it was found by: a registry name in any case
 * or with any separators (`huber`, `binary-cross-entropy`, `smooth_l1`), fit's short names
 * (`bce`), or the PyTorch, Keras, TF.js and Optax names (`BCEWithLogitsLoss`, `MSELoss`,
 * `sparse_categorical_crossentropy`) of a loss with the same semantics. Anything else is a
 * `LossInputError` that suggests the nearest name (`did you mean 'huber'?`) or, for a library's
 * name of a loss the registry lacks (`NLLLoss`), says so instead of mapping it to another loss.
 */
export function resolveLossName(name: string): FoundLoss {
  const lookup = lookupLossName(name);
  const entry = lookup.kind === 'registry' ? lossByName(lookup.loss) : undefined;
  if (entry === undefined)
    throw new LossInputError(
      'findLoss',
      'name',
      `${unknownLossProblem(name, lookup)} (\`losskit explain --list\` lists them all)`,
    );
  return { entry, ...(lookup.kind === 'registry' && lookup.alias ? { alias: lookup.alias } : {}) };
}

/**
 * The registry entry for a loss name, accepting any case and separators and the other libraries'
 * names (see `resolveLossName`). An unknown name throws a `LossInputError` suggesting the nearest one.
 *
 * @example
 * findLoss('SmoothL1Loss').name // 'smoothL1'
 */
export function findLoss(name: string): LossEntry {
  return resolveLossName(name).entry;
}
