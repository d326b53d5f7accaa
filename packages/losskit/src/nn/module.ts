import { ensureEngine } from '../autograd/engine.js';
import { LossInputError, type Tensor } from '../tensor/index.js';
import type { Rng } from './random.js';

/** Parameters of one module that owns them directly: the unit of per-layer gradient norms. */
export interface ParameterGroup {
  /** Dotted path of the module, e.g. `'2'` or `'encoder.conv1'` (`''` for the root). */
  readonly layer: string;
  /** What the module is, e.g. `Linear(64 → 1)`. */
  readonly description: string;
  readonly parameters: readonly (readonly [string, Tensor])[];
}

/**
 * Base class of layers and models (PyTorch's `nn.Module`): owns parameters, child modules and
 * random generators under names, so that they can be listed, trained, saved and restored.
 *
 * @example
 * class Affine extends Module {
 *   readonly w = this.addParameter('w', variable([[1]]));
 *   forward(x: Tensor) { return ops.matmul(x, this.w); }
 * }
 */
export abstract class Module {
  /** Training mode (dropout active) or evaluation mode. */
  training = true;
  private readonly ownParameters = new Map<string, Tensor>();
  private readonly ownModules = new Map<string, Module>();
  private readonly ownRngs = new Map<string, Rng>();

  /** The layer's computation. */
  abstract forward(input: Tensor): Tensor;

  /** A short description for logs and gradient warnings, e.g. `Linear(2 → 64)`. */
  describe(): string {
    return this.constructor.name;
  }

  /** Registers `tensor` as a trainable parameter under `name` (it now requires grad). */
  protected addParameter(name: string, tensor: Tensor): Tensor {
    checkName(name, this.ownParameters.has(name) || this.ownModules.has(name));
    ensureEngine();
    tensor.requireGrad();
    this.ownParameters.set(name, tensor);
    return tensor;
  }

  /** Registers a child module under `name`. */
  protected addModule<M extends Module>(name: string, module: M): M {
    checkName(name, this.ownParameters.has(name) || this.ownModules.has(name));
    this.ownModules.set(name, module);
    return module;
  }

  /** Registers a random generator whose state belongs in checkpoints (e.g. dropout's). */
  protected addRng(name: string, rng: Rng): Rng {
    this.ownRngs.set(name, rng);
    return rng;
  }

  /** Child modules with their names. */
  children(): [string, Module][] {
    return [...this.ownModules];
  }

  /** Every parameter with its dotted name (`'0.weight'`), in registration order. */
  namedParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [name, t] of this.ownParameters) out.push([name, t]);
    for (const [prefix, m] of this.ownModules)
      for (const [name, t] of m.namedParameters()) out.push([`${prefix}.${name}`, t]);
    return out;
  }

  /** Every parameter, in the order of `namedParameters`. */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Every registered random generator with its dotted name. */
  namedRngs(): [string, Rng][] {
    const out: [string, Rng][] = [];
    for (const [name, r] of this.ownRngs) out.push([name, r]);
    for (const [prefix, m] of this.ownModules)
      for (const [name, r] of m.namedRngs()) out.push([`${prefix}.${name}`, r]);
    return out;
  }

  /** Parameters grouped by the module that owns them, for per-layer gradient norms. */
  parameterGroups(layer = ''): ParameterGroup[] {
    const groups: ParameterGroup[] = [];
    if (this.ownParameters.size > 0) {
      groups.push({
        layer,
        description: this.describe(),
        parameters: [...this.ownParameters].map(([n, t]) => [layer === '' ? n : `${layer}.${n}`, t] as const),
      });
    }
    for (const [name, m] of this.ownModules)
      groups.push(...m.parameterGroups(layer === '' ? name : `${layer}.${name}`));
    return groups;
  }

  /** Number of trainable numbers. */
  parameterCount(): number {
    return this.parameters().reduce((n, t) => n + t.size, 0);
  }

  /** Sets training mode here and in every child; returns `this`. */
  train(mode = true): this {
    this.training = mode;
    for (const m of this.ownModules.values()) m.train(mode);
    return this;
  }

  /** Evaluation mode (dropout off); returns `this`. */
  eval(): this {
    return this.train(false);
  }

  /** Clears `.grad` of every parameter. */
  zeroGrad(): void {
    for (const t of this.parameters()) t.grad = null;
  }
}

function checkName(name: string, taken: boolean): void {
  if (name.length === 0 || name.includes('.'))
    throw new LossInputError('Module', 'name', `'${name}' must be non-empty and contain no '.'`);
  if (taken) throw new LossInputError('Module', 'name', `'${name}' is already registered`);
}
