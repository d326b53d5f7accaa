// A variant that trains with one registry loss, declared once as { id, label, loss, options }: the
// experiment's `Variant` (with the options as the reader sees them) and the training objective are
// both derived from that declaration, so the two cannot drift apart.
import type { LossName } from 'losskit';
import { type LossFn, registryLoss } from 'losskit';
import type { Variant } from '../experiment.js';

/** Option values a variant declares: numbers, lists of numbers, strings and flags. */
export type ArmOptions = Readonly<Record<string, number | readonly number[] | string | boolean>>;

/** One competitor of an experiment that trains with a single registry loss. */
export interface LossArm<Id extends string = string, Name extends LossName = LossName> {
  /** Kebab-case key of the variant in the metrics. */
  readonly id: Id;
  /** How the report and the terminal name it. */
  readonly label: string;
  /** The registry loss it trains with. */
  readonly loss: Name;
  /** The loss's options (omitted: the defaults). */
  readonly options?: ArmOptions;
  /**
   * How the report shows options the declaration cannot hold, such as ones computed from the
   * data (`'posWeight = negatives / positives'`); default: `options` written out.
   */
  readonly optionsNote?: string;
}

/** Options as a reader sees them: `alpha = 0.25, gamma = 2`, a flag as its name, strings quoted. */
export function describeOptions(options: ArmOptions): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(options)) {
    if (value === true) parts.push(name);
    else if (typeof value === 'string') parts.push(`${name} = '${value}'`);
    else if (typeof value === 'number') parts.push(`${name} = ${value}`);
    else if (value !== false) parts.push(`${name} = [${value.join(', ')}]`);
  }
  return parts.join(', ');
}

/** The experiment's view of `arm`: its id, label, loss and the options written out. */
export function armVariant(arm: LossArm): Variant {
  const options =
    arm.optionsNote ??
    (arm.options === undefined || Object.keys(arm.options).length === 0
      ? undefined
      : describeOptions(arm.options));
  return options === undefined
    ? { id: arm.id, label: arm.label, losses: [arm.loss] }
    : { id: arm.id, label: arm.label, losses: [arm.loss], options };
}

/**
 * The differentiable (prediction, target) objective of `arm`: its loss with its options, and
 * `extra` options known only when the experiment runs (computed from the data).
 */
export function armObjective(arm: LossArm, extra?: ArmOptions): LossFn {
  const options = extra === undefined ? arm.options : { ...arm.options, ...extra };
  return registryLoss(arm.loss, options);
}
