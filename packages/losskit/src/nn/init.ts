import { type DType, LossInputError, Tensor, allocate, shapeSize } from '../tensor/index.js';
import { type Rng, defaultRng } from './random.js';

/** How a layer initialises its weights. */
export type InitScheme = 'heUniform' | 'heNormal' | 'xavierUniform' | 'xavierNormal' | 'zeros';

/** Fan sizes and randomness of an initialiser. */
export interface InitOptions {
  /** Inputs feeding each unit (Linear: in features; Conv2d: in channels × kernel area). */
  readonly fanIn: number;
  /** Units each input feeds (Linear: out features; Conv2d: out channels × kernel area). */
  readonly fanOut?: number;
  /** Multiplies the standard deviation (e.g. 5/3 for tanh). Default 1. */
  readonly gain?: number;
  readonly rng?: Rng;
  readonly dtype?: DType;
}

function filled(shape: readonly number[], dtype: DType, draw: () => number): Tensor {
  const data = allocate(dtype, shapeSize(shape));
  for (let i = 0; i < data.length; i++) data[i] = draw();
  return new Tensor(data, shape);
}

function fans(scheme: string, options: InitOptions, needOut: boolean): { fanIn: number; fanOut: number } {
  const { fanIn, fanOut = fanIn } = options;
  if (!(fanIn > 0) || (needOut && !(fanOut > 0))) {
    throw new LossInputError(
      scheme,
      'options.fanIn',
      `fans must be positive, got fanIn ${fanIn} and fanOut ${fanOut}`,
    );
  }
  return { fanIn, fanOut };
}

/** He (Kaiming) uniform: U(−b, b) with b = gain·√(6 / fanIn); keeps ReLU activations' variance. */
export function heUniform(shape: readonly number[], options: InitOptions): Tensor {
  const { fanIn } = fans('heUniform', options, false);
  const rng = options.rng ?? defaultRng();
  const bound = (options.gain ?? 1) * Math.sqrt(6 / fanIn);
  return filled(shape, options.dtype ?? 'float32', () => rng.uniform(-bound, bound));
}

/** He (Kaiming) normal: N(0, σ²) with σ = gain·√(2 / fanIn). */
export function heNormal(shape: readonly number[], options: InitOptions): Tensor {
  const { fanIn } = fans('heNormal', options, false);
  const rng = options.rng ?? defaultRng();
  const std = (options.gain ?? 1) * Math.sqrt(2 / fanIn);
  return filled(shape, options.dtype ?? 'float32', () => rng.normal(0, std));
}

/** Xavier (Glorot) uniform: U(−b, b) with b = gain·√(6 / (fanIn + fanOut)); suits tanh and sigmoid. */
export function xavierUniform(shape: readonly number[], options: InitOptions): Tensor {
  const { fanIn, fanOut } = fans('xavierUniform', options, true);
  const rng = options.rng ?? defaultRng();
  const bound = (options.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut));
  return filled(shape, options.dtype ?? 'float32', () => rng.uniform(-bound, bound));
}

/** Xavier (Glorot) normal: N(0, σ²) with σ = gain·√(2 / (fanIn + fanOut)). */
export function xavierNormal(shape: readonly number[], options: InitOptions): Tensor {
  const { fanIn, fanOut } = fans('xavierNormal', options, true);
  const rng = options.rng ?? defaultRng();
  const std = (options.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut));
  return filled(shape, options.dtype ?? 'float32', () => rng.normal(0, std));
}

/** A tensor of `shape` initialised by `scheme`. */
export function initialize(scheme: InitScheme, shape: readonly number[], options: InitOptions): Tensor {
  switch (scheme) {
    case 'heUniform':
      return heUniform(shape, options);
    case 'heNormal':
      return heNormal(shape, options);
    case 'xavierUniform':
      return xavierUniform(shape, options);
    case 'xavierNormal':
      return xavierNormal(shape, options);
    case 'zeros':
      return Tensor.zeros(shape, options.dtype ?? 'float32');
    default:
      throw new LossInputError(
        'initialize',
        'scheme',
        `'${String(scheme)}' is not one of heUniform, heNormal, xavierUniform, xavierNormal, zeros`,
      );
  }
}
