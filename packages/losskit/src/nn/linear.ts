import { ops } from '../autograd/index.js';
import { matmulBias } from '../autograd/matmul.js';
import { LossInputError, Tensor } from '../tensor/index.js';
import type { OptionSpec } from '../losses/options.js';
import { initialize } from './init.js';
import {
  dtypeOption,
  resolveLayerOptions,
  rngOption,
  WEIGHT_OPTIONS,
  type WeightOptions,
} from './layer-options.js';
import { Module } from './module.js';

function positiveInt(layer: string, name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1)
    throw new LossInputError(layer, name, `must be a positive integer, got ${v}`);
  return v;
}

/**
 * Fully connected layer: y = x·W + b with W [in, out], b [out]. Input [..., in] → [..., out].
 *
 * **Weight layout.** losskit stores `weight` as `[in, out]` (Keras' and TF.js' kernel layout,
 * so the forward is a plain `x·W`). PyTorch's `nn.Linear.weight` is the transpose, `[out, in]`
 * (y = x·Wᵀ + b). The biases agree. `exportStateDict` and `loadStateDict` convert, so PyTorch
 * `state_dict()` data moves in and out under PyTorch's names and layout; copy `weight.data`
 * by hand only after transposing.
 */
export class Linear extends Module {
  /** `[inFeatures, outFeatures]`: the transpose of PyTorch's `[out, in]` (see the class note). */
  readonly weight: Tensor;
  /** `[outFeatures]`, or null with `bias: false`. */
  readonly bias: Tensor | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: WeightOptions = {},
  ) {
    super();
    positiveInt('Linear', 'inFeatures', inFeatures);
    positiveInt('Linear', 'outFeatures', outFeatures);
    const o = resolveLayerOptions('Linear', WEIGHT_OPTIONS, options);
    const dtype = o.dtype;
    this.weight = this.addParameter(
      'weight',
      initialize(o.init, [inFeatures, outFeatures], {
        fanIn: inFeatures,
        fanOut: outFeatures,
        rng: o.rng,
        dtype,
      }),
    );
    this.bias = o.bias ? this.addParameter('bias', Tensor.zeros([outFeatures], dtype)) : null;
  }

  forward(input: Tensor): Tensor {
    if (input.shape[input.rank - 1] !== this.inFeatures) {
      throw new LossInputError(
        'Linear',
        'input',
        `last axis must have ${this.inFeatures} features, got shape [${input.shape.join(', ')}]`,
      );
    }
    const x = ops.cast(input, this.weight.dtype);
    const flat = x.rank === 2 ? x : ops.reshape(x, [-1, this.inFeatures]);
    // With a bias, one op (matmulBias): the values and gradients of add(matmul(x, W), b).
    const y = this.bias === null ? ops.matmul(flat, this.weight) : matmulBias(flat, this.weight, this.bias);
    return x.rank === 2 ? y : ops.reshape(y, [...x.shape.slice(0, -1), this.outFeatures]);
  }

  override describe(): string {
    return `Linear(${this.inFeatures} → ${this.outFeatures})`;
  }
}

/** Options of `Conv2d`. */
export interface Conv2dLayerOptions extends WeightOptions {
  readonly stride?: number | readonly [number, number];
  readonly padding?: number | readonly [number, number] | 'same';
}

/**
 * The option declarations of `Conv2d`. `stride` and `padding` depend on the input size, so
 * `ops.conv2d` checks them at the forward (with their own messages); declaring them here
 * lets the layer reject unknown option names.
 */
const CONV2D_OPTIONS = {
  ...WEIGHT_OPTIONS,
  stride: checkedByConv<Conv2dLayerOptions['stride']>('a positive integer or a pair of them'),
  padding: checkedByConv<Conv2dLayerOptions['padding']>("a non-negative integer, a pair of them, or 'same'"),
} as const;

function checkedByConv<T>(accepts: string): OptionSpec<T | undefined> {
  return { default: undefined, accepts, parse: (value) => value as T };
}

/**
 * 2-D convolution over NCHW images: weight [out, in, k, k], bias [out].
 * Input [N, in, H, W] → [N, out, OH, OW].
 */
export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  private readonly conv: ops.Conv2dOptions;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    options: Conv2dLayerOptions = {},
  ) {
    super();
    positiveInt('Conv2d', 'inChannels', inChannels);
    positiveInt('Conv2d', 'outChannels', outChannels);
    positiveInt('Conv2d', 'kernelSize', kernelSize);
    const o = resolveLayerOptions('Conv2d', CONV2D_OPTIONS, options);
    const dtype = o.dtype;
    const area = kernelSize * kernelSize;
    this.weight = this.addParameter(
      'weight',
      initialize(o.init, [outChannels, inChannels, kernelSize, kernelSize], {
        fanIn: inChannels * area,
        fanOut: outChannels * area,
        rng: o.rng,
        dtype,
      }),
    );
    this.bias = o.bias ? this.addParameter('bias', Tensor.zeros([outChannels], dtype)) : null;
    this.conv = { stride: o.stride, padding: o.padding };
  }

  forward(input: Tensor): Tensor {
    // The bias is fused into the convolution (added as outputs leave the product block).
    return ops.conv2d(ops.cast(input, this.weight.dtype), this.weight, { ...this.conv, bias: this.bias });
  }

  override describe(): string {
    return `Conv2d(${this.inChannels} → ${this.outChannels}, ${this.kernelSize}×${this.kernelSize})`;
  }
}

/** Options of `Embedding`. */
export interface EmbeddingOptions {
  readonly rng?: WeightOptions['rng'];
  readonly dtype?: WeightOptions['dtype'];
}

const EMBEDDING_OPTIONS = { rng: rngOption(), dtype: dtypeOption() } as const;

/** Lookup table: integer ids [...] → vectors [..., dim]; weights start N(0, 1) as in PyTorch. */
export class Embedding extends Module {
  readonly weight: Tensor;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    options: EmbeddingOptions = {},
  ) {
    super();
    positiveInt('Embedding', 'numEmbeddings', numEmbeddings);
    positiveInt('Embedding', 'embeddingDim', embeddingDim);
    const o = resolveLayerOptions('Embedding', EMBEDDING_OPTIONS, options);
    // He normal with gain 1/√2 and fanIn 1 is exactly N(0, 1).
    this.weight = this.addParameter(
      'weight',
      initialize('heNormal', [numEmbeddings, embeddingDim], {
        fanIn: 1,
        gain: Math.SQRT1_2,
        rng: o.rng,
        dtype: o.dtype,
      }),
    );
  }

  forward(ids: Tensor): Tensor {
    return ops.gather(this.weight, ids, 0);
  }

  override describe(): string {
    return `Embedding(${this.numEmbeddings} × ${this.embeddingDim})`;
  }
}
