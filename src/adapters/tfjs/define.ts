import * as tf from '@tensorflow/tfjs-core';
import type { OptionSpec, OptionsOf } from '../../losses/options.js';
import { resolveOptions } from '../../losses/options.js';
import { type LossName, losses } from '../../losses/registry.js';
import { LossInputError, type Tensor, type TensorLike, formatShape, sameShape } from '../../tensor/index.js';

/**
 * The boundary of every TF.js loss: the same input names, option names, defaults and option
 * checks as the core registry entry (the options are resolved by the core's own schema), shape
 * checks, then the loss written in TF.js ops inside `tf.tidy`, so TF.js's autodiff
 * differentiates it on any backend.
 *
 * Value-domain checks of the core (NaN, probabilities outside [0, 1], label ranges) read every
 * element, which on a GPU backend means a blocking download per call; the adapter leaves them
 * out and checks only what the shapes and options tell.
 */

type Entry<K extends LossName> = (typeof losses)[K];
type Schema<K extends LossName> = Entry<K>['optionSchema'];

/** The input names of registry loss `K`, e.g. `'input' | 'target'`. */
export type InputName<K extends LossName> = Entry<K>['inputs'][number];

/** The inputs of loss `K` by name, as TF.js tensors. */
export type TfInputs<K extends LossName> = { readonly [N in InputName<K>]: tf.Tensor };

/** A tensor-valued option (class weights, `posWeight`) may be a TF.js tensor or any core TensorLike. */
type TfOptionValue<T> = T extends Tensor | undefined ? tf.Tensor | TensorLike : T;

/** The options of loss `K`: the core's names and value types, tensor-valued ones also as TF.js tensors. */
export type TfOptions<K extends LossName> = {
  [P in keyof Schema<K>]?: Schema<K>[P] extends OptionSpec<infer T> ? TfOptionValue<T> : never;
};

/** Options of loss `K` after resolution: every option present, defaults filled in, checked. */
export type ResolvedOptions<K extends LossName> = OptionsOf<Schema<K>>;

/** How an adapter loss is written: cheap shape checks, then TF.js ops. */
export interface TfLossSpec<K extends LossName> {
  /** Shape checks (no data is read). Throws `LossInputError`. */
  check?(t: TfInputs<K>, options: ResolvedOptions<K>): void;
  /**
   * The loss from checked inputs (all float32: int32 and bool inputs are cast) and resolved options.
   * Runs inside `tf.tidy`; tensor-valued options are core tensors (see `constant`).
   */
  compute(t: TfInputs<K>, options: ResolvedOptions<K>): tf.Tensor;
}

/** A registry loss in TF.js ops: the core entry's metadata plus the TF.js implementation. */
export interface TfLoss<K extends LossName> {
  readonly name: K;
  /** The core registry entry: input names, differentiable inputs, option schema, `info`. */
  readonly core: Entry<K>;
  /** The loss of named TF.js tensors, as a TF.js tensor (0-d unless `reduction: 'none'`). */
  value(inputs: TfInputs<K>, options?: TfOptions<K>): tf.Tensor;
  /** Resolves and checks `options` once, and returns the loss of named inputs under them. */
  bind(options?: TfOptions<K>): (inputs: TfInputs<K>) => tf.Tensor;
}

/** Numeric dtypes the adapter accepts; bool targets and int32 labels are cast to float32. */
const NUMERIC: ReadonlySet<string> = new Set(['float32', 'int32', 'bool']);

function isTfTensor(value: unknown): value is tf.Tensor {
  return value instanceof tf.Tensor;
}

/**
 * `value` must be a live TF.js tensor of a numeric dtype; `argument` names it in the error
 * (`'input'`, `'options.weight'`, …). Reads no data.
 */
export function requireTfTensor(loss: string, argument: string, value: unknown): asserts value is tf.Tensor {
  if (!isTfTensor(value))
    throw new LossInputError(
      loss,
      argument,
      `must be a tf.Tensor, got ${value === null ? 'null' : typeof value}`,
    );
  if (value.isDisposed) throw new LossInputError(loss, argument, 'tensor is disposed');
  if (!NUMERIC.has(value.dtype))
    throw new LossInputError(
      loss,
      argument,
      `dtype '${value.dtype}' is not numeric (float32, int32 or bool)`,
    );
}

/**
 * A TF.js tensor option becomes a plain `{shape, data}` so that the core schema parses and checks
 * it (finite values, shape). That reads the option's few values back from the backend once per
 * resolution: once per call of `value`, once in total for `bind` and `lossFn`. A disposed or
 * non-numeric tensor option is a `LossInputError` naming it, before anything is read.
 */
function plainOptions(loss: string, options: unknown): unknown {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) return options;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (isTfTensor(value)) {
      requireTfTensor(loss, `options.${key}`, value);
      out[key] = { shape: value.shape, data: value.dataSync() };
    } else {
      out[key] = value;
    }
  }
  return out;
}

function tfInputs<K extends LossName>(name: K, names: readonly string[], inputs: unknown): TfInputs<K> {
  if (inputs === null || typeof inputs !== 'object') {
    throw new LossInputError(name, 'inputs', `must be an object with ${names.join(', ')}`);
  }
  for (const key of Object.keys(inputs)) {
    if (!names.includes(key))
      throw new LossInputError(name, key, `unknown input (this loss takes: ${names.join(', ')})`);
  }
  const out: Record<string, tf.Tensor> = {};
  for (const key of names) {
    // Own properties only: an input is never read from the object's prototype.
    const value = Object.hasOwn(inputs, key) ? (inputs as Record<string, unknown>)[key] : undefined;
    if (value === undefined) throw new LossInputError(name, key, 'is missing');
    requireTfTensor(name, key, value);
    out[key] = value;
  }
  return out as TfInputs<K>;
}

/** Float inputs stay as they are (so gradients reach the caller's tensors); int32 and bool are cast. */
function asFloat<K extends LossName>(t: TfInputs<K>): TfInputs<K> {
  const out: Record<string, tf.Tensor> = {};
  for (const [key, value] of Object.entries<tf.Tensor>(t))
    out[key] = value.dtype === 'float32' ? value : tf.cast(value, 'float32');
  return out as TfInputs<K>;
}

/**
 * Turns an adapter spec into the TF.js loss of registry entry `name`. Options are resolved by
 * the core schema (unknown options, bad values and defaults exactly as in the core).
 */
export function defineTfLoss<K extends LossName>(name: K, spec: TfLossSpec<K>): TfLoss<K> {
  const core = losses[name];
  const names = core.inputs as readonly string[];
  const resolve = (options: TfOptions<K> | undefined) =>
    resolveOptions(name, core.optionSchema, plainOptions(name, options)) as ResolvedOptions<K>;
  const run = (inputs: TfInputs<K>, resolved: ResolvedOptions<K>): tf.Tensor => {
    const t = tfInputs(name, names, inputs);
    spec.check?.(t, resolved);
    return tf.tidy(() => spec.compute(asFloat(t), resolved));
  };
  return {
    name,
    core,
    value: (inputs, options) => run(inputs, resolve(options)),
    bind(options) {
      const resolved = resolve(options);
      return (inputs) => run(inputs, resolved);
    },
  };
}

/** A core tensor option (float64 storage) as a float32 TF.js constant. */
export function constant(t: Tensor): tf.Tensor {
  return tf.tensor(Float32Array.from(t.data), [...t.shape], 'float32');
}

// Shape checks with the core's wording.

/** Anything with a shape: a TF.js tensor or a core tensor option. */
interface Shaped {
  readonly shape: readonly number[];
}

/** `b` must have exactly `a`'s shape (no broadcasting between inputs). */
export function requireSameShape(loss: string, aName: string, a: Shaped, bName: string, b: Shaped): void {
  if (!sameShape(a.shape, b.shape)) {
    throw new LossInputError(
      loss,
      bName,
      `shape ${formatShape(b.shape)} does not match ${aName} shape ${formatShape(a.shape)}`,
    );
  }
}

/** `t` must have exactly `rank` axes. */
export function requireRank(loss: string, name: string, t: tf.Tensor, rank: number, layout: string): void {
  if (t.rank !== rank)
    throw new LossInputError(loss, name, `must have shape ${layout}, got ${formatShape(t.shape)}`);
}

/** `t` must have at least `rank` axes. */
export function requireMinRank(loss: string, name: string, t: tf.Tensor, rank: number, layout: string): void {
  if (t.rank < rank)
    throw new LossInputError(loss, name, `must have shape ${layout}, got ${formatShape(t.shape)}`);
}

/** Scores must have at least `minRank` axes and a non-empty class (last) axis. */
export function requireClassAxis(
  loss: string,
  name: string,
  scores: tf.Tensor,
  minRank: number,
  layout: string,
): void {
  if (scores.rank < minRank || scores.shape[scores.rank - 1] === 0) {
    throw new LossInputError(
      loss,
      name,
      `must have shape ${layout} with at least one class, got ${formatShape(scores.shape)}`,
    );
  }
}

/** The label tensor must have the input's shape minus its last (class) axis. */
export function requireLabelShape(
  loss: string,
  inputName: string,
  input: tf.Tensor,
  labelName: string,
  labels: tf.Tensor,
): void {
  const expected = input.shape.slice(0, -1);
  if (!sameShape(expected, labels.shape)) {
    throw new LossInputError(
      loss,
      labelName,
      `shape ${formatShape(labels.shape)} does not match ${inputName} shape ${formatShape(input.shape)} without its class axis (${formatShape(expected)})`,
    );
  }
}

/** The number of classes (last axis) of a `[..., C]` tensor. */
export const classCount = (t: tf.Tensor): number => t.shape[t.rank - 1];
