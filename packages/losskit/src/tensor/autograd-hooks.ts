import type { Tensor } from './tensor.js';

/**
 * The seam between the core tensor and the autograd engine (`src/autograd`), which sits above it.
 * The tensor layer must not import the engine, so the engine installs these hooks when it is
 * first used; a tensor that requires grad can only come out of the engine's own functions.
 */
export interface AutogradHooks {
  /** Runs reverse-mode differentiation from `root`, accumulating into every leaf's `.grad`. */
  backward(root: Tensor, upstream: Tensor | null, options: { createGraph: boolean }): void;
  /** Records a registry loss as one differentiable op whose backward is its analytic gradient. */
  trackedLoss(call: TrackedLossCall): Tensor;
}

let installed: AutogradHooks | null = null;

/** Called by the autograd engine; not part of the public API. */
export function installAutogradHooks(hooks: AutogradHooks): void {
  installed = hooks;
}

/** The installed hooks, or `null` while the engine has not been loaded. */
export function autogradHooks(): AutogradHooks | null {
  return installed;
}

/** A registry loss called on tensors that require grad, handed to the engine as one op. */
export interface TrackedLossCall {
  readonly name: string;
  /** Every input, by name. */
  readonly inputs: Readonly<Record<string, Tensor>>;
  /** Names of the inputs that receive a gradient. */
  readonly differentiable: readonly string[];
  /** Evaluates the loss and the gradient of sum(upstream * value) (upstream null = ones). */
  valueAndGrad(upstream: Tensor | null): { value: Tensor; grads: Readonly<Record<string, Tensor>> };
}
