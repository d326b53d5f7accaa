import { numberOption } from '../losses/options.js';
import { LossInputError } from '../tensor/index.js';

/**
 * A learning-rate schedule: the factor multiplying the optimizer's base rate at step t
 * (t = 0 for the first update). Pure functions of t, so a resumed run gets the same rates.
 */
export type Schedule = (step: number) => number;

// The schedules' numeric arguments, declared with the loss option specs (one error shape).
const positiveInteger = numberOption(1, { min: 1, integer: true });
const positive = numberOption(1, { above: 0 });
const fraction = numberOption(0, { min: 0, max: 1 });

/** ×gamma every `every` steps: gamma^⌊t / every⌋ (PyTorch's StepLR). */
export function stepDecay(options: { readonly every: number; readonly gamma?: number }): Schedule {
  const { every, gamma = 0.1 } = options;
  positiveInteger.parse(every, 'stepDecay', 'every');
  positive.parse(gamma, 'stepDecay', 'gamma');
  return (t) => gamma ** Math.floor(t / every);
}

/** ×gamma every step: gamma^t. */
export function exponentialDecay(options: { readonly gamma: number }): Schedule {
  const { gamma } = options;
  positive.parse(gamma, 'exponentialDecay', 'gamma');
  return (t) => gamma ** t;
}

/**
 * Half a cosine from 1 down to `minFactor` over `steps` steps, then `minFactor`
 * (PyTorch's CosineAnnealingLR without restarts).
 */
export function cosineDecay(options: { readonly steps: number; readonly minFactor?: number }): Schedule {
  const { steps, minFactor = 0 } = options;
  positiveInteger.parse(steps, 'cosineDecay', 'steps');
  fraction.parse(minFactor, 'cosineDecay', 'minFactor');
  return (t) =>
    t >= steps ? minFactor : minFactor + ((1 - minFactor) * (1 + Math.cos((Math.PI * t) / steps))) / 2;
}

/**
 * Linear warm-up from `startFactor` to 1 over `steps` steps, then 1: the first update uses
 * startFactor + (1 − startFactor)/steps, update `steps` and later the full rate.
 */
export function linearWarmup(options: { readonly steps: number; readonly startFactor?: number }): Schedule {
  const { steps, startFactor = 0 } = options;
  positiveInteger.parse(steps, 'linearWarmup', 'steps');
  fraction.parse(startFactor, 'linearWarmup', 'startFactor');
  return (t) => (t + 1 >= steps ? 1 : startFactor + ((1 - startFactor) * (t + 1)) / steps);
}

/**
 * The product of schedules: `composeSchedules(linearWarmup({ steps: 100 }), cosineDecay({ steps: 1000 }))`
 * warms up while the cosine has already begun.
 */
export function composeSchedules(...schedules: readonly Schedule[]): Schedule {
  return (t) => schedules.reduce((f, s) => f * s(t), 1);
}

/**
 * Schedules one after another, each phase seeing its own step count from 0:
 * `sequenceSchedules([linearWarmup({ steps: 100 }), 100], cosineDecay({ steps: 900 }))`.
 * Every phase but the last gives its length; the last runs forever.
 */
export function sequenceSchedules(
  ...phases: readonly [...(readonly [Schedule, number])[], Schedule]
): Schedule {
  const last = phases[phases.length - 1] as Schedule;
  const bounded = phases.slice(0, -1) as (readonly [Schedule, number])[];
  for (const [, length] of bounded) {
    if (!(Number.isInteger(length) && length > 0))
      throw new LossInputError(
        'sequenceSchedules',
        'length',
        `must be ${positiveInteger.accepts}, got ${length}`,
      );
  }
  return (t) => {
    let start = 0;
    for (const [schedule, length] of bounded) {
      if (t < start + length) return schedule(t - start);
      start += length;
    }
    return last(t - start);
  };
}
