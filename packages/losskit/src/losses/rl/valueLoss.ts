import { defineLoss } from '../define.js';
import { squaredErrorKernel } from '../regression/mse.js';
import { reductionOption } from '../reduce.js';
import { requireSameShape } from '../validate.js';

/**
 * Value-function (critic) regression loss.
 *
 * ℓᵢ = (Vᵢ − Rᵢ)² (no ½ factor), ∂ℓᵢ/∂Vᵢ = 2(Vᵢ − Rᵢ); reduced by `reduction` ('mean'
 * default, 'sum', 'none'). `values` and `returns` have the same (any) shape; returns are
 * constants. Equals torch `F.mse_loss(values, returns)`.
 * Reference: Mnih et al. (2016), Asynchronous Methods for Deep RL (A3C critic).
 *
 * @example
 * valueLoss([1, 2], [0, 2]).item() // 0.5
 */
export const { entry: valueLossLoss, fn: valueLoss } = defineLoss({
  kind: 'reducible',
  name: 'valueLoss',
  family: 'rl',
  inputs: ['values', 'returns'],
  differentiable: ['values'],
  options: { reduction: reductionOption() },
  validate(t) {
    requireSameShape('valueLoss', 'values', t.values, 'returns', t.returns);
  },
  unitShape: (t) => t.values.shape,
  kernel: ({ t, plan, units, grads }) =>
    squaredErrorKernel(t.values.data, t.returns.data, plan, units, grads === null ? null : grads.values),
  info: {
    title: 'Value loss',
    summary:
      'Squared error between the critic’s value estimates and the bootstrapped or Monte-Carlo returns.',
    formula: 'ℓ = (V(s) − R)²',
    properties: {
      differentiability: 'Smooth everywhere.',
      robustness: 'Not robust: rare large returns dominate; huber is the usual robust substitute (DQN).',
      gradientBehaviour: 'Gradient 2(V − R), linear in the error.',
      scaleSensitivity:
        'Quadratic in the reward scale; normalise rewards or weight the critic term (e.g. 0.5) against the policy loss.',
      classImbalance: 'Not applicable.',
    },
    whenToUse: [
      'Critic / baseline training in actor-critic methods (A2C, PPO) with targets from gae returns, tdTargets or discountedReturns.',
    ],
    limitations: [
      'No ½ factor: many implementations scale the critic term by 0.5 (vf_coef), which you must do yourself.',
      'Sensitive to outlier returns; consider huber or value clipping.',
    ],
    references: [
      'Mnih et al. (2016), Asynchronous Methods for Deep Reinforcement Learning',
      'PyTorch torch.nn.functional.mse_loss',
    ],
    tasks: ['rl'],
  },
});
