import { gradients, ops } from '../autograd/index.js';
import { type Rng, defaultRng } from '../nn/index.js';
import {
  LossInputError,
  Tensor,
  type TensorLike,
  formatShape,
  sameShape,
  toTensor,
} from '../tensor/index.js';

/** Options of `gradientPenalty`. */
export interface GradientPenaltyOptions {
  /** Weight λ of the penalty. Default 10. */
  readonly lambda?: number;
  /** One interpolation weight per sample, in [0, 1] (shape [N] or N values). Default: drawn from `rng`. */
  readonly alpha?: TensorLike;
  /** Generator for alpha when it is not given. Default: `defaultRng()`. */
  readonly rng?: Rng;
}

/**
 * WGAN-GP's gradient penalty (Gulrajani et al., 2017), as API.md fixes it: with
 * x̂ = α·real + (1 − α)·fake (one α per sample, broadcast over the other axes) and
 * g = ∂ Σ critic(x̂) / ∂x̂, the penalty is λ · mean over samples of (‖g‖ − 1)², where
 * ‖g‖ = √(Σ g² + 1e-12) over every non-batch axis. `real` and `fake` are treated as data
 * (detached). The result is a scalar differentiable with respect to the critic's parameters
 * (the gradient is taken with `createGraph`), so add it to the critic loss and call `backward()`.
 *
 * @example
 * const gp = gradientPenalty((x) => critic.forward(x), real, fake, { lambda: 10, rng });
 * ops.add(wganCritic(critic.forward(real), critic.forward(fake)), gp).backward();
 */
export function gradientPenalty(
  critic: (x: Tensor) => Tensor,
  real: TensorLike,
  fake: TensorLike,
  options: GradientPenaltyOptions = {},
): Tensor {
  const r = toTensor(real, 'gradientPenalty', 'real');
  const f = toTensor(fake, 'gradientPenalty', 'fake', r.dtype);
  if (!sameShape(r.shape, f.shape)) {
    throw new LossInputError(
      'gradientPenalty',
      'fake',
      `shape ${formatShape(f.shape)} does not match real shape ${formatShape(r.shape)}`,
    );
  }
  if (r.rank < 1 || r.shape[0] < 1)
    throw new LossInputError(
      'gradientPenalty',
      'real',
      `needs a non-empty batch axis, got shape ${formatShape(r.shape)}`,
    );
  const lambda = options.lambda ?? 10;
  if (!Number.isFinite(lambda) || lambda < 0)
    throw new LossInputError(
      'gradientPenalty',
      'options.lambda',
      `must be a finite number ≥ 0, got ${lambda}`,
    );
  const n = r.shape[0];
  const alpha = alphas(n, options);
  const row = r.size / n;
  const mixed = Tensor.zeros(r.shape, r.dtype);
  for (let i = 0; i < n; i++) {
    const a = alpha[i];
    for (let j = i * row; j < (i + 1) * row; j++) mixed.data[j] = a * r.data[j] + (1 - a) * f.data[j];
  }
  mixed.requireGrad();
  const score = critic(mixed);
  const [g] = gradients(score, [mixed], { createGraph: true });
  const perSample = ops.reshape(g, [n, -1]);
  const norms = ops.sqrt(ops.add(ops.sum(ops.square(perSample), { axis: 1 }), 1e-12));
  return ops.mul(ops.mean(ops.square(ops.sub(norms, 1))), lambda);
}

function alphas(n: number, options: GradientPenaltyOptions): Float64Array {
  if (options.alpha === undefined) {
    const rng = options.rng ?? defaultRng();
    return Float64Array.from({ length: n }, () => rng.next());
  }
  const t = toTensor(options.alpha, 'gradientPenalty', 'options.alpha');
  if (t.size !== n)
    throw new LossInputError(
      'gradientPenalty',
      'options.alpha',
      `needs one value per sample (${n}), got ${t.size}`,
    );
  const out = Float64Array.from(t.data);
  for (let i = 0; i < n; i++) {
    if (!(out[i] >= 0 && out[i] <= 1))
      throw new LossInputError(
        'gradientPenalty',
        'options.alpha',
        `${out[i]} at index [${i}] is outside [0, 1]`,
      );
  }
  return out;
}
