import * as tf from '@tensorflow/tfjs-core';
import type { LossFunction } from '../../losses/define.js';
import type { OptionSpec, OptionsOf } from '../../losses/options.js';
import { resolveOptions } from '../../losses/options.js';
import type { LossName, losses } from '../../losses/registry.js';
import { LossInputError } from '../../tensor/errors.js';
import type { Tensor, TensorLike } from '../../tensor/index.js';
import type * as coreApi from '../../index.js';

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

/** The core's plain function of loss `K` (type only: the adapter never imports the core's functions). */
type CoreFunction<K extends LossName> = K extends keyof typeof coreApi ? (typeof coreApi)[K] : never;

/** The input names of loss `K` in positional order, read from the core function's type. */
type InputList<K extends LossName> =
  CoreFunction<K> extends LossFunction<infer L extends readonly string[], infer _S> ? L : never;

/** One TF.js tensor per input name. */
type TfArgs<L extends readonly string[]> = { [I in keyof L]: tf.Tensor };

/** The plain function form of an adapter loss: TF.js inputs positionally, then the options object, as the core's. */
export type TfLossFunction<K extends LossName> = (
  ...args: [...TfArgs<InputList<K>>, TfOptions<K>?]
) => tf.Tensor;

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
 * Turns an adapter spec into the TF.js loss of registry entry `core` (the core loss's own entry,
 * imported from its loss module so that one adapter loss pulls in one core loss, not the
 * registry). Returns the entry (`tfLosses` lists them) and the plain function (inputs
 * positionally, then options), as the core's `defineLoss` does. Options are resolved by the core
 * schema (unknown options, bad values and defaults exactly as in the core).
 */
export function defineTfLoss<K extends LossName>(
  name: K,
  core: Entry<K>,
  spec: TfLossSpec<K>,
): { entry: TfLoss<K>; fn: TfLossFunction<K> } {
  const names = core.inputs as readonly string[];
  const resolve = (options: TfOptions<K> | undefined) =>
    resolveOptions(name, core.optionSchema, plainOptions(name, options)) as ResolvedOptions<K>;
  const run = (inputs: TfInputs<K>, resolved: ResolvedOptions<K>): tf.Tensor => {
    const t = tfInputs(name, names, inputs);
    spec.check?.(t, resolved);
    return tf.tidy(() => spec.compute(asFloat(t), resolved));
  };
  const entry: TfLoss<K> = {
    name,
    core,
    value: (inputs, options) => run(inputs, resolve(options)),
    bind(options) {
      const resolved = resolve(options);
      return (inputs) => run(inputs, resolved);
    },
  };
  const fn = ((...args: unknown[]) => {
    const inputs: Record<string, unknown> = {};
    names.forEach((key, i) => {
      inputs[key] = args[i];
    });
    return entry.value(inputs as TfInputs<K>, args[names.length] as TfOptions<K> | undefined);
  }) as TfLossFunction<K>;
  Object.defineProperty(fn, 'name', { value: name });
  return { entry, fn };
}

/** A core tensor option (float64 storage) as a float32 TF.js constant. */
export function constant(t: Tensor): tf.Tensor {
  return tf.tensor(Float32Array.from(t.data), [...t.shape], 'float32');
}

// Shape checks with the core's wording: the core's own, which read only shapes.
export {
  requireClassAxis,
  requireLabelShape,
  requireMinRank,
  requireRank,
  requireSameShape,
} from '../../losses/shape-checks.js';

/** The number of classes (last axis) of a `[..., C]` tensor. */
export const classCount = (t: tf.Tensor): number => t.shape[t.rank - 1];
