import { LossInputError } from '../tensor/index.js';
import type { InitScheme } from './init.js';
import type { WeightOptions } from './layer-options.js';
import { Dropout, LeakyReLU, ReLU, Sequential, Sigmoid, Softplus, Tanh } from './layers.js';
import { Linear } from './linear.js';
import type { Module } from './module.js';
import { defaultRng } from './random.js';

/** Activations `mlp` can place between layers. */
export type ActivationName = 'relu' | 'leakyRelu' | 'tanh' | 'sigmoid' | 'softplus';

/** Options of `mlp`. */
export interface MlpOptions extends Omit<WeightOptions, 'init'> {
  /** Between hidden layers. Default 'relu'. */
  readonly activation?: ActivationName;
  /** After the last layer. Default none (logits / raw outputs). */
  readonly outputActivation?: ActivationName;
  /** Dropout probability after each hidden activation. Default 0 (none). */
  readonly dropout?: number;
  /** Default: 'heUniform' for relu-like activations, 'xavierUniform' for tanh/sigmoid. */
  readonly init?: InitScheme;
}

function activation(name: ActivationName): Module {
  switch (name) {
    case 'relu':
      return new ReLU();
    case 'leakyRelu':
      return new LeakyReLU();
    case 'tanh':
      return new Tanh();
    case 'sigmoid':
      return new Sigmoid();
    case 'softplus':
      return new Softplus();
    default:
      throw new LossInputError(
        'mlp',
        'options.activation',
        `'${String(name)}' is not one of relu, leakyRelu, tanh, sigmoid, softplus`,
      );
  }
}

/**
 * A multi-layer perceptron: `sizes` = [input, hidden…, output], Linear layers with
 * `activation` between them.
 *
 * @example
 * const model = mlp([2, 32, 32, 1], { activation: 'tanh', rng: new Rng(0) });
 */
export function mlp(sizes: readonly number[], options: MlpOptions = {}): Sequential {
  if (sizes.length < 2)
    throw new LossInputError('mlp', 'sizes', `needs at least [input, output], got [${sizes.join(', ')}]`);
  const act = options.activation ?? 'relu';
  const init = options.init ?? (act === 'tanh' || act === 'sigmoid' ? 'xavierUniform' : 'heUniform');
  const rng = options.rng ?? defaultRng();
  const model = new Sequential();
  for (let i = 0; i + 1 < sizes.length; i++) {
    model.append(new Linear(sizes[i], sizes[i + 1], { init, rng, dtype: options.dtype, bias: options.bias }));
    const last = i + 2 === sizes.length;
    if (!last) {
      model.append(activation(act));
      if ((options.dropout ?? 0) > 0) model.append(new Dropout(options.dropout, { rng: rng.fork() }));
    } else if (options.outputActivation !== undefined) {
      model.append(activation(options.outputActivation));
    }
  }
  return model;
}
