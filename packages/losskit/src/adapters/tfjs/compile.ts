import * as tf from '@tensorflow/tfjs-core';
import { optionalNumberOption, resolveOptions } from '../../losses/options.js';
import { type LossName, losses } from '../../losses/registry.js';
import { LossInputError } from '../../tensor/index.js';
import { type InputName, type TfInputs, type TfOptions, requireTfTensor } from './define.js';
import { tfLosses } from './registry.js';
import {
  type Aggregate,
  type Overlap,
  checkSegmentation,
  overlapScore,
  probabilities,
} from './segmentation.js';

/**
 * The shape of a loss or metric that `model.compile({ loss, metrics })` takes, TF.js's
 * `LossOrMetricFn`: note the Keras order, **target first, prediction second**.
 */
export type TfLossOrMetricFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

/**
 * The registry losses of a prediction and a target (inputs `input, target` or `values, returns`),
 * the ones that fit `model.compile`. The others (GAN pairs, triplets, VAE terms, …) are called
 * directly in a custom training step.
 */
export type CompilableLossName = {
  [K in LossName]: [InputName<K>] extends ['input' | 'target']
    ? K
    : [InputName<K>] extends ['values' | 'returns']
      ? K
      : never;
}[LossName];

const TARGET_INPUTS: ReadonlySet<string> = new Set(['target', 'returns']);

/** Whether registry loss inputs are a prediction and a target, the pair `model.compile` passes. */
const fitsCompile = (inputs: readonly string[]): boolean =>
  inputs.length === 2 && TARGET_INPUTS.has(inputs[1]);

/** The names `lossFn` takes, in registry order. */
const compilableNames = (): string[] =>
  Object.values(losses)
    .filter((entry) => fitsCompile(entry.inputs))
    .map((entry) => entry.name);

/** A name as the error quotes it: strings quoted, anything else by its type. */
const describeName = (name: unknown): string =>
  typeof name === 'string' ? `'${name}'` : name === null ? 'null' : `a value of type ${typeof name}`;

/**
 * A registry loss as a Keras-style `(yTrue, yPred)` function for `model.compile({ loss })` or as
 * a metric. Options are resolved and checked once, here; the function's `name` is the loss's,
 * which TF.js uses in its logs. A name that is not a registry loss (including the names of
 * `Object.prototype` members such as `'constructor'`) is a `LossInputError` listing the valid ones.
 *
 * @example
 * model.compile({ optimizer: tf.train.adam(1e-2), loss: lossFn('focal', { gamma: 2 }) });
 */
export function lossFn<K extends CompilableLossName>(name: K, options?: TfOptions<K>): TfLossOrMetricFn {
  if (typeof name !== 'string' || !Object.hasOwn(tfLosses, name)) {
    throw new LossInputError(
      'lossFn',
      'name',
      `${describeName(name)} is not a registry loss; the losses model.compile takes are: ${compilableNames().join(', ')}`,
    );
  }
  const loss = tfLosses[name];
  const inputs = loss.core.inputs as readonly string[];
  if (!fitsCompile(inputs)) {
    throw new LossInputError(
      'lossFn',
      'name',
      `${name} takes ${inputs.join(', ')}, not a prediction and a target; call it directly in a custom training step`,
    );
  }
  const [prediction, target] = inputs;
  const bound = loss.bind(options) as (named: TfInputs<K>) => tf.Tensor;
  const fn: TfLossOrMetricFn = (yTrue, yPred) =>
    bound({ [prediction]: yPred, [target]: yTrue } as TfInputs<K>);
  Object.defineProperty(fn, 'name', { value: name });
  return fn;
}

/** Options of the Dice and IoU scores, as the core's `diceScore` / `iouScore`. */
export interface OverlapScoreOptions {
  /** Unset (default): the soft score. In [0, 1]: predictions are binarised first, p > threshold → 1. */
  readonly threshold?: number;
  /** Smoothing in numerator and denominator (default 1e-5, > 0). */
  readonly eps?: number;
  /** Whether predictions are logits, passed through a sigmoid (default false). */
  readonly fromLogits?: boolean;
  /** `'batch'` (default): one score over every element; `'sample'`: the mean of per-sample scores. */
  readonly aggregate?: Aggregate;
}

/** The Dice loss's own `eps`, `fromLogits` and `aggregate` (same defaults and checks), plus `threshold`. */
const scoreSchema = {
  threshold: optionalNumberOption({ min: 0, max: 1 }),
  eps: losses.dice.optionSchema.eps,
  fromLogits: losses.dice.optionSchema.fromLogits,
  aggregate: losses.dice.optionSchema.aggregate,
};

function overlapMetric(kind: Overlap, name: string, options: OverlapScoreOptions | undefined) {
  const o = resolveOptions(name, scoreSchema, options);
  return (pred: tf.Tensor, target: tf.Tensor): tf.Tensor => {
    requireTfTensor(name, 'pred', pred);
    requireTfTensor(name, 'target', target);
    checkSegmentation(name, pred, target, o.aggregate, 'pred');
    return tf.tidy(() => {
      let p = probabilities(tf.cast(pred, 'float32'), o.fromLogits);
      if (o.threshold !== undefined) p = tf.cast(tf.greater(p, o.threshold), 'float32');
      return overlapScore(kind, p, tf.cast(target, 'float32'), o.eps, o.aggregate);
    });
  };
}

/**
 * The Dice coefficient (2Σpy + ε)/(Σp + Σy + ε) of predictions [N, ...] against a target of the
 * same shape, as a 0-d tensor (higher is better); the core's `diceScore` on TF.js tensors.
 */
export function diceScore(pred: tf.Tensor, target: tf.Tensor, options?: OverlapScoreOptions): tf.Tensor {
  return overlapMetric('dice', 'diceScore', options)(pred, target);
}

/** The IoU (Jaccard) score (Σpy + ε)/(Σ(p + y − py) + ε) as a 0-d tensor; the core's `iouScore` on TF.js tensors. */
export function iouScore(pred: tf.Tensor, target: tf.Tensor, options?: OverlapScoreOptions): tf.Tensor {
  return overlapMetric('iou', 'iouScore', options)(pred, target);
}

function metricFn(kind: Overlap, name: string, options: OverlapScoreOptions | undefined): TfLossOrMetricFn {
  const score = overlapMetric(kind, name, options);
  const fn: TfLossOrMetricFn = (yTrue, yPred) => score(yPred, yTrue);
  Object.defineProperty(fn, 'name', { value: name });
  return fn;
}

/**
 * The Dice score as a `(yTrue, yPred)` metric for `model.compile({ metrics })`.
 *
 * @example
 * model.compile({ optimizer, loss: lossFn('bceDice'), metrics: [diceMetric({ threshold: 0.5 })] });
 */
export function diceMetric(options?: OverlapScoreOptions): TfLossOrMetricFn {
  return metricFn('dice', 'diceScore', options);
}

/** The IoU score as a `(yTrue, yPred)` metric for `model.compile({ metrics })`. */
export function iouMetric(options?: OverlapScoreOptions): TfLossOrMetricFn {
  return metricFn('iou', 'iouScore', options);
}
