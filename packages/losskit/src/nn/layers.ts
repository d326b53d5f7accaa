import { ops } from '../autograd/index.js';
import { LossInputError, Tensor } from '../tensor/index.js';
import { resolveLayerOptions, rngOption } from './layer-options.js';
import { Module } from './module.js';
import { type Rng, defaultRng } from './random.js';

/** max(x, 0). */
export class ReLU extends Module {
  forward(input: Tensor): Tensor {
    return ops.relu(input);
  }
}

/** x for x > 0, slope·x otherwise. */
export class LeakyReLU extends Module {
  constructor(readonly slope = 0.01) {
    super();
  }
  forward(input: Tensor): Tensor {
    return ops.leakyRelu(input, this.slope);
  }
  override describe(): string {
    return `LeakyReLU(${this.slope})`;
  }
}

/** tanh x. */
export class Tanh extends Module {
  forward(input: Tensor): Tensor {
    return ops.tanh(input);
  }
}

/** σ(x). */
export class Sigmoid extends Module {
  forward(input: Tensor): Tensor {
    return ops.sigmoid(input);
  }
}

/** log(1 + eˣ). */
export class Softplus extends Module {
  forward(input: Tensor): Tensor {
    return ops.softplus(input);
  }
}

/** softmax along the last axis. */
export class Softmax extends Module {
  forward(input: Tensor): Tensor {
    return ops.softmax(input, -1);
  }
}

/** [N, ...] → [N, Π ...]. */
export class Flatten extends Module {
  forward(input: Tensor): Tensor {
    return ops.flatten(input);
  }
}

/** Max pooling over NCHW images (see `ops.maxPool2d`). */
export class MaxPool2d extends Module {
  constructor(
    readonly kernel = 2,
    readonly stride = kernel,
  ) {
    super();
  }
  forward(input: Tensor): Tensor {
    return ops.maxPool2d(input, { kernel: this.kernel, stride: this.stride });
  }
  override describe(): string {
    return `MaxPool2d(${this.kernel})`;
  }
}

/**
 * Average pooling over kernel × kernel windows of NCHW images, one every `stride` pixels
 * (default: the kernel, non-overlapping); see `ops.avgPool2d`.
 */
export class AvgPool2d extends Module {
  constructor(
    readonly kernel = 2,
    readonly stride = kernel,
  ) {
    super();
  }
  forward(input: Tensor): Tensor {
    return ops.avgPool2d(input, { kernel: this.kernel, stride: this.stride });
  }
  override describe(): string {
    return this.stride === this.kernel
      ? `AvgPool2d(${this.kernel})`
      : `AvgPool2d(${this.kernel}, stride ${this.stride})`;
  }
}

/** Nearest-neighbour upsampling of NCHW images by an integer factor. */
export class Upsample2d extends Module {
  constructor(readonly scale = 2) {
    super();
  }
  forward(input: Tensor): Tensor {
    return ops.upsample2d(input, this.scale);
  }
  override describe(): string {
    return `Upsample2d(×${this.scale})`;
  }
}

/** Wraps a function of one tensor as a module (for reshapes and other glue in a `Sequential`). */
export class Lambda extends Module {
  constructor(
    private readonly fn: (input: Tensor) => Tensor,
    private readonly label = 'Lambda',
  ) {
    super();
  }
  forward(input: Tensor): Tensor {
    return this.fn(input);
  }
  override describe(): string {
    return this.label;
  }
}

const DROPOUT_OPTIONS = { rng: rngOption() } as const;

/**
 * Inverted dropout: in training mode each element is zeroed with probability `p` and the rest
 * scaled by 1/(1 − p); in evaluation mode it is the identity. Its generator is part of the
 * module's state, so checkpoints resume it exactly.
 */
export class Dropout extends Module {
  private readonly rng: Rng;

  constructor(
    readonly p = 0.5,
    options: { readonly rng?: Rng } = {},
  ) {
    super();
    if (!(p >= 0 && p < 1)) throw new LossInputError('Dropout', 'p', `must be in [0, 1), got ${p}`);
    const o = resolveLayerOptions('Dropout', DROPOUT_OPTIONS, options);
    this.rng = this.addRng('rng', o.rng ?? defaultRng().fork());
  }

  forward(input: Tensor): Tensor {
    if (!this.training || this.p === 0) return input;
    const keep = 1 - this.p;
    const mask = Tensor.zeros(input.shape, input.dtype);
    const m = mask.data;
    for (let i = 0; i < m.length; i++) m[i] = this.rng.next() < keep ? 1 / keep : 0;
    return ops.mul(input, mask);
  }

  override describe(): string {
    return `Dropout(${this.p})`;
  }
}

/** Whether `layer` is an instance of `kind` itself, not of a subclass (which may change forward). */
function isExactly(layer: Module, kind: abstract new (...args: never[]) => Module): boolean {
  return Object.getPrototypeOf(layer) === kind.prototype;
}

/** Modules applied in order; children are named '0', '1', … (as in PyTorch). */
export class Sequential extends Module {
  private readonly layers: Module[] = [];

  constructor(...layers: Module[]) {
    super();
    for (const layer of layers) this.append(layer);
  }

  /** Adds a layer at the end; returns `this`. */
  append(layer: Module): this {
    this.addModule(String(this.layers.length), layer);
    this.layers.push(layer);
    return this;
  }

  /** The layers, in order. */
  get length(): number {
    return this.layers.length;
  }

  /** Layer `i`. */
  at(i: number): Module {
    const layer = this.layers[i];
    if (layer === undefined)
      throw new LossInputError(
        'Sequential',
        'index',
        `${i} is out of range for ${this.layers.length} layers`,
      );
    return layer;
  }

  /**
   * The layers applied in order. A `ReLU` followed by a `MaxPool2d` (a CNN's usual block) runs
   * as the pooling, then relu on the pooled values (a quarter of them for 2×2 windows): the same bits, in
   * the output and in every gradient. relu is non-decreasing, so it commutes with a window's
   * maximum (NaN included: both orders pick the window's first NaN, which relu keeps); the two
   * orders can pick different first maxima only in a window whose maximum is ≤ 0, where relu's
   * gradient is 0 either way.
   */
  forward(input: Tensor): Tensor {
    const layers = this.layers;
    let x = input;
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i];
      const next = layers[i + 1];
      if (isExactly(layer, ReLU) && next instanceof MaxPool2d && isExactly(next, MaxPool2d)) {
        x = ops.relu(next.forward(x));
        i++;
      } else {
        x = layer.forward(x);
      }
    }
    return x;
  }

  override describe(): string {
    return `Sequential(${this.layers.map((l) => l.describe()).join(', ')})`;
  }
}
