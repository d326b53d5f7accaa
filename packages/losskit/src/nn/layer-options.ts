import {
  booleanOption,
  enumOption,
  type OptionSchema,
  type OptionSpec,
  type OptionsOf,
  resolveOptions,
} from '../losses/options.js';
import { describeValue } from '../tensor/errors.js';
import { type DType, LossInputError } from '../tensor/index.js';
import type { InitScheme } from './init.js';
import { Rng } from './random.js';

/** Options shared by layers with weights. */
export interface WeightOptions {
  /** Add a bias (initialised to zero). Default true. */
  readonly bias?: boolean;
  /** Weight initialisation. Default 'heUniform'. */
  readonly init?: InitScheme;
  /** Generator for the initial weights. Default: `defaultRng()`. */
  readonly rng?: Rng;
  /** Parameter dtype; inputs are cast to it. Default 'float32'. */
  readonly dtype?: DType;
}

/** An optional generator; `undefined` (the default) means the layer's own default. */
export function rngOption(): OptionSpec<Rng | undefined> {
  return {
    default: undefined,
    accepts: 'an Rng, or undefined',
    parse(value, layer, name) {
      if (!(value instanceof Rng))
        throw new LossInputError(layer, `options.${name}`, `must be an Rng, got ${describeValue(value)}`);
      return value;
    },
  };
}

/** The parameter dtype of a layer. */
export const dtypeOption = (): OptionSpec<DType> => enumOption<DType>(['float32', 'float64'], 'float32');

/** The option declarations of `WeightOptions` (Linear, Conv2d). */
export const WEIGHT_OPTIONS = {
  bias: booleanOption(true),
  init: enumOption<InitScheme>(
    ['heUniform', 'heNormal', 'xavierUniform', 'xavierNormal', 'zeros'],
    'heUniform',
  ),
  rng: rngOption(),
  dtype: dtypeOption(),
} as const;

/**
 * Resolves a layer's options against its schema, as losses and optimizers do: an unknown name
 * is an error listing the known ones (`Linear: options.bais: unknown option (this layer takes:
 * bias, init, rng, dtype)`), a bad value an error naming the option and the value.
 */
export function resolveLayerOptions<S extends OptionSchema>(
  layer: string,
  schema: S,
  user: unknown,
): OptionsOf<S> {
  return resolveOptions(layer, schema, user, 'layer');
}
