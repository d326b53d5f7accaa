import { gradients, ops } from '../autograd/index.js';
import { numberOption, resolveOptions } from '../losses/options.js';
import { LossInputError, Tensor, type TensorLike, formatShape, toTensor } from '../tensor/index.js';

/** Options of `r1Penalty`. */
export interface R1PenaltyOptions {
  /** Weight γ of the penalty (it is multiplied by γ/2). Default 10. */
  readonly gamma?: number;
}

const OPTIONS = { gamma: numberOption(10, { min: 0 }) };

/**
 * The R1 regulariser of GAN discriminators (Mescheder et al., 2018, "Which Training Methods for
 * GANs do actually Converge?"): γ/2 · mean over samples of ‖∂D(x)/∂x‖², the squared gradient of
 * the critic's score at the real samples, summed over every non-batch axis. It penalises the
 * critic for having a slope on the data, which makes GAN training converge locally.
 *
 * `real` [N, ...] is treated as data (detached); `critic` maps a batch to one score per sample
 * (any shape: its scores are summed before differentiating, and each sample's gradient depends
 * only on its own score). The result is a 0-d tensor differentiable with respect to the critic's
 * parameters (the input gradient is taken with `createGraph`, a second-order derivative), so add
 * it to the critic loss on real data and call `backward()`. Options are resolved with the loss
 * option specs: `gamma` ≥ 0 (default 10), and an unknown option is an error.
 *
 * @example
 * const r1 = r1Penalty((x) => critic.forward(x), real, { gamma: 10 });
 * ops.add(hingeGanDiscriminator(critic.forward(real), critic.forward(fake)), r1).backward();
 */
export function r1Penalty(
  critic: (x: Tensor) => Tensor,
  real: TensorLike,
  options: R1PenaltyOptions = {},
): Tensor {
  const name = 'r1Penalty';
  if (typeof critic !== 'function') {
    throw new LossInputError(name, 'critic', `must be a function of a batch tensor, got ${typeof critic}`);
  }
  const r = toTensor(real, name, 'real');
  if (r.rank < 1 || r.shape[0] < 1)
    throw new LossInputError(name, 'real', `needs a non-empty batch axis, got shape ${formatShape(r.shape)}`);
  const { gamma } = resolveOptions(name, OPTIONS, options);
  const n = r.shape[0];
  // A fresh leaf holding a copy of the data: gradients reach neither `real` nor its graph.
  const x = new Tensor(r.data.slice(), r.shape).requireGrad();
  const score = critic(x);
  const [g] = gradients(score, [x], { createGraph: true });
  const squaredNorms = ops.sum(ops.square(ops.reshape(g, [n, -1])), { axis: 1 });
  return ops.mul(ops.mean(squaredNorms), gamma / 2);
}
