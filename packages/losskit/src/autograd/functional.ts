import { type DType, Tensor, type TensorLike, tensor } from '../tensor/index.js';
import { ensureEngine, gradients, isTracked, withGradMode } from './engine.js';
import { asTensor } from './operand.js';

/**
 * A new leaf tensor that requires grad (PyTorch's `torch.tensor(..., requires_grad=True)`):
 * its own copy of `values`, optionally reshaped and converted to `dtype`.
 *
 * @example
 * const w = variable([[0.5, -1]]);
 * w.requiresGrad // true
 */
export function variable(values: TensorLike, shape?: readonly number[], dtype?: DType): Tensor {
  ensureEngine();
  const t = tensor(values, shape, dtype);
  return new Tensor(t.data.slice(), t.shape).requireGrad();
}

/** Options of the functional transforms. */
export interface GradOptions {
  /**
   * Keep the graph of the gradient so that it can be differentiated again. Default: on when
   * some argument is already tracked (a `grad` nested inside another), off otherwise.
   */
  readonly createGraph?: boolean;
}

/** The value of a function and its gradients with respect to every argument. */
export interface ValueAndGrads {
  readonly value: Tensor;
  readonly grads: Tensor[];
}

/**
 * Transforms `f` into a function returning its value and the gradient of `sum(f(...))` with
 * respect to each argument (TF.js `tf.valueAndGrads`, JAX `value_and_grad`). Transforms
 * compose: `grad(grad(f))` is the second derivative.
 */
export function valueAndGrads(
  f: (...args: Tensor[]) => Tensor,
  options: GradOptions = {},
): (...args: TensorLike[]) => ValueAndGrads {
  return (...args) => {
    const given = args.map((a, i) => asTensor(a, 'valueAndGrads', `args[${i}]`));
    const nested = given.some(isTracked);
    const xs = given.map((t) => (isTracked(t) ? t : new Tensor(t.data, t.shape).requireGrad()));
    return withGradMode(true, () => {
      const value = f(...xs);
      const grads = gradients(value, xs, { createGraph: options.createGraph ?? nested });
      return { value, grads };
    });
  };
}

/** Like `valueAndGrads`, for a function of one tensor: `{ value, grad }`. */
export function valueAndGrad(
  f: (x: Tensor) => Tensor,
  options: GradOptions = {},
): (x: TensorLike) => { value: Tensor; grad: Tensor } {
  const inner = valueAndGrads((x) => f(x), options);
  return (x) => {
    const { value, grads } = inner(x);
    return { value, grad: grads[0] };
  };
}

/** The gradients of `sum(f(...args))` with respect to every argument. */
export function grads(
  f: (...args: Tensor[]) => Tensor,
  options: GradOptions = {},
): (...args: TensorLike[]) => Tensor[] {
  const inner = valueAndGrads(f, options);
  return (...args) => inner(...args).grads;
}

/**
 * The gradient of `sum(f(x))` with respect to `x` (TF.js `tf.grad`, JAX `grad`).
 *
 * @example
 * const d2 = grad(grad((x) => ops.pow(x, 3)));
 * d2(tensor([2])).toArray() // [12]
 */
export function grad(f: (x: Tensor) => Tensor, options: GradOptions = {}): (x: TensorLike) => Tensor {
  const inner = valueAndGrads((x) => f(x), options);
  return (x) => inner(x).grads[0];
}
