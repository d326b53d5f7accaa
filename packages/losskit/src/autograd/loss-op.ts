import type { LossEntry } from '../losses/define.js';
import { LossInputError, Tensor, type TensorLike, type TrackedLossCall, toTensor } from '../tensor/index.js';
import { mul } from './arithmetic.js';
import { sum } from './broadcast.js';
import { isGradEnabled, isTracked, noGrad, record } from './engine.js';
import { detach } from './operand.js';
import { reshape } from './reshape.js';

// The bridge: any registry loss is ONE differentiable op whose backward rule is the loss's
// own analytic gradient (its `valueAndGrad`). The plain loss functions call it through the
// hooks of src/tensor (`huber(pred, target)` on a tensor that requires grad); `lossOp` calls
// it from a registry entry. Adding a loss never touches the engine.

function secondOrderError(name: string): LossInputError {
  return new LossInputError(
    name,
    'createGraph',
    'second derivatives through a registry loss are not available (its backward is an analytic gradient); build the objective from ops to differentiate it twice',
  );
}

/**
 * The gradient `grad · upstream` of a loss op as a recorded op: differentiable with respect to
 * the (scalar) upstream, and refusing, rather than silently dropping, differentiation with
 * respect to the loss inputs.
 */
function scaledLossGrad(name: string, grad: Tensor, upstream: Tensor, inputs: readonly Tensor[]): Tensor {
  const value = noGrad(() => mul(grad, reshape(upstream, [])));
  return record(`${name}.grad`, detach(value), [upstream, ...inputs], (g, needs) => {
    if (needs.slice(1).some(Boolean)) throw secondOrderError(name);
    return [reshape(sum(mul(g, grad)), upstream.shape), ...inputs.map(() => null)];
  });
}

/** Implements `AutogradHooks.trackedLoss`: records the loss call as one op. */
export function trackedLoss(call: TrackedLossCall): Tensor {
  const names = call.differentiable.filter((n) => call.inputs[n] instanceof Tensor);
  const inputs = names.map((n) => call.inputs[n]);
  const first = call.valueAndGrad(null);
  if (!isGradEnabled() || !inputs.some(isTracked)) return first.value;
  const value = first.value;
  return record(call.name, value, inputs, (g, needs) => {
    if (value.size === 1) {
      return names.map((n, i) => (needs[i] ? scaledLossGrad(call.name, first.grads[n], g, inputs) : null));
    }
    // A non-scalar upstream: evaluate again with it. Differentiating this gradient once more
    // would need a Jacobian-vector product of the loss, so the recorded op refuses.
    const again = call.valueAndGrad(detach(g));
    const refuse = () => {
      throw secondOrderError(call.name);
    };
    return names.map((n, i) =>
      needs[i] ? record(`${call.name}.grad`, again.grads[n], [g, ...inputs], refuse) : null,
    );
  });
}

/**
 * Calls a registry loss as a differentiable op: `inputs` by name (as in `valueAndGrad`),
 * tensors that require grad (or were computed from such tensors) receive the loss's analytic
 * gradient on `backward()`. Untracked inputs give the plain value.
 *
 * @example
 * const pred = variable([0, 0]);
 * const loss = lossOp(losses.huber, { input: pred, target: [0.5, 3] });
 * loss.backward();
 * pred.grad?.toArray() // [-0.25, -0.5]
 */
export function lossOp(
  entry: LossEntry,
  inputs: Readonly<Record<string, TensorLike>>,
  options?: Readonly<Record<string, unknown>>,
): Tensor {
  const tensors: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(inputs))
    tensors[k] = v instanceof Tensor ? v : toTensor(v, entry.name, k);
  const valueAndGrad = (upstream: Tensor | null) =>
    (
      entry.valueAndGrad as (
        i: unknown,
        o: unknown,
        u: unknown,
      ) => { value: Tensor; grads: Readonly<Record<string, Tensor>> }
    )(tensors, options, upstream);
  const tracked = Object.values(tensors).some(isTracked);
  if (!tracked || !isGradEnabled())
    return (entry.value as (i: unknown, o: unknown) => Tensor)(tensors, options);
  return trackedLoss({
    name: entry.name,
    inputs: tensors,
    differentiable: entry.differentiable,
    valueAndGrad,
  });
}
