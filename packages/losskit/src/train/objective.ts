import { lossOp, ops } from '../autograd/index.js';
import type { LossEntry } from '../losses/define.js';
import {
  type FitLossAlias,
  fitLossAliases,
  lookupLossName,
  lossByName,
  unknownLossProblem,
} from '../losses/names.js';
import type { LossName } from '../losses/registry.js';
import { LossInputError, type Tensor } from '../tensor/index.js';

/** A training objective: a scalar from the model's prediction and the target. */
export type LossFn = (prediction: Tensor, target: Tensor) => Tensor;

/** What `fit` and `combine` take as a loss name: a registry name or one of fit's short names. */
export type FitLossName = LossName | FitLossAlias;

/** A registry loss by name, with options. */
export interface NamedLoss {
  readonly loss: FitLossName;
  readonly options?: Readonly<Record<string, unknown>>;
}

/** What `fit` accepts as its loss: a registry name, a name with options, or a function. */
export type LossSpec = FitLossName | NamedLoss | LossFn;

/**
 * Short names `fit` and `combine` also accept (each maps to one registry entry; the registry stays
 * the one list of losses): `fitLossAliases` of `src/losses/names.ts`, as a plain record.
 */
export const lossAliases: Readonly<Record<string, string>> = Object.freeze({ ...fitLossAliases });

/**
 * The registry entry for a name or alias; the loss must take (prediction, target). Any other name
 * is a `LossInputError` that suggests the nearest registry name (`did you mean 'huber'?`) or, for
 * another library's name (`MSELoss`), the registry name to use instead.
 */
export function lossEntry(name: string, where = 'loss'): LossEntry {
  const entry = lossByName(name, { aliases: true });
  if (entry === undefined) {
    const lookup = lookupLossName(name);
    const problem =
      lookup.kind === 'registry' && lookup.alias !== undefined
        ? `is not a registry loss: it is ${lookup.alias.library}'s name for '${lookup.loss}', which is what fit takes${lookup.alias.note ? ` (${lookup.alias.note})` : ''}`
        : `is not a registry loss: ${unknownLossProblem(name, lookup)} (fit also takes: ${Object.keys(lossAliases).join(', ')})`;
    throw new LossInputError(where, name, problem);
  }
  if (entry.inputs.length !== 2) {
    throw new LossInputError(
      where,
      name,
      `takes ${entry.inputs.join(', ')}; a (prediction, target) objective needs a loss of two inputs`,
    );
  }
  return entry;
}

/** A registry loss as a differentiable (prediction, target) function. */
export function registryLoss(name: FitLossName, options?: Readonly<Record<string, unknown>>): LossFn {
  const entry = lossEntry(name);
  const [input, target] = entry.inputs;
  return (prediction, y) => lossOp(entry, { [input]: prediction, [target]: y }, options);
}

/** `fit`'s loss option as a function. */
export function resolveLoss(spec: LossSpec): LossFn {
  if (typeof spec === 'function') return spec;
  if (typeof spec === 'string') return registryLoss(spec);
  if (spec !== null && typeof spec === 'object' && typeof spec.loss === 'string')
    return registryLoss(spec.loss, spec.options);
  throw new LossInputError(
    'fit',
    'options.loss',
    'must be a registry loss name, { loss, options }, or a function (prediction, target) => Tensor',
  );
}

/** One term of `combine`: a weight, or a weight with the loss's options. */
export type CombineTerm =
  | number
  | { readonly weight: number; readonly options?: Readonly<Record<string, unknown>> };

/** A weighted sum of registry losses, which also remembers the value of each term. */
export interface CombinedObjective extends LossFn {
  /** The terms, in the order given. */
  readonly terms: readonly { readonly name: string; readonly weight: number }[];
  /** Each term's (unweighted) value at the last call; `fit` logs them as `history.parts`. */
  readonly lastParts: Readonly<Record<string, number>>;
}

/**
 * Σ weightᵢ · lossᵢ(prediction, target) over registry losses named by key (or alias),
 * differentiable through every term.
 *
 * @example
 * const objective = combine({ bce: 0.5, dice: 0.5 });          // probabilities
 * const logits = combine({ bceWithLogits: 1, dice: { weight: 1, options: { fromLogits: true } } });
 */
export function combine(terms: Readonly<Partial<Record<FitLossName, CombineTerm>>>): CombinedObjective {
  const list = (Object.entries(terms) as [FitLossName, CombineTerm | undefined][]).map(([name, term]) => {
    const weight = typeof term === 'number' ? term : term?.weight;
    if (typeof weight !== 'number' || !Number.isFinite(weight)) {
      throw new LossInputError('combine', name, `weight must be a finite number, got ${String(weight)}`);
    }
    lossEntry(name, 'combine');
    const options = typeof term === 'number' ? undefined : term?.options;
    return { name, weight, fn: registryLoss(name, options) };
  });
  if (list.length === 0) throw new LossInputError('combine', 'terms', 'needs at least one loss');
  const parts: Record<string, number> = {};
  const objective = ((prediction: Tensor, target: Tensor) => {
    let total: Tensor | null = null;
    for (const { name, weight, fn } of list) {
      const value = fn(prediction, target);
      parts[name] = value.item();
      const term = ops.mul(value, weight);
      total = total === null ? term : ops.add(total, term);
    }
    return total as Tensor;
  }) as CombinedObjective;
  Object.defineProperty(objective, 'terms', { value: list.map(({ name, weight }) => ({ name, weight })) });
  Object.defineProperty(objective, 'lastParts', { value: parts });
  return objective;
}
