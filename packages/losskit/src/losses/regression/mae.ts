import { defineLoss } from '../define.js';
import { reductionOption } from '../reduce.js';
import { requireSameShape } from '../validate.js';

/**
 * Mean absolute error (L1 loss).
 *
 * ℓᵢ = |xᵢ − yᵢ|, ∂ℓᵢ/∂xᵢ = sign(xᵢ − yᵢ), taken as 0 where xᵢ = yᵢ (PyTorch's subgradient);
 * reduced by `reduction` ('mean' default, 'sum', 'none'). `input` and `target` have the same
 * (any) shape. Matches torch `F.l1_loss`.
 *
 * @example
 * mae([1, 2, 3], [1, 0, 4]).item() // 1
 */
export const { entry: maeLoss, fn: mae } = defineLoss({
  kind: 'reducible',
  name: 'mae',
  family: 'regression',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: { reduction: reductionOption() },
  validate(t) {
    requireSameShape('mae', 'input', t.input, 'target', t.target);
  },
  unitShape: (t) => t.input.shape,
  kernel({ t, plan, units, grads }) {
    const x = t.input.data;
    const y = t.target.data;
    const g = grads === null ? null : grads.input;
    const up = plan.upstream;
    const s = plan.scale;
    let total = 0;
    for (let i = 0; i < x.length; i++) {
      const d = x[i] - y[i];
      const l = Math.abs(d);
      total += l;
      if (units !== null) units[i] = l;
      if (g !== null) g[i] = (up === null ? s : s * up[i]) * (d > 0 ? 1 : d < 0 ? -1 : 0);
    }
    return total;
  },
  info: {
    title: 'Mean absolute error',
    summary:
      'Average absolute difference between prediction and target; the maximum-likelihood loss under Laplace noise.',
    formula: 'ℓ = |x − y|',
    properties: {
      differentiability: 'Not differentiable where x = y; the subgradient 0 is used there.',
      robustness: 'Robust: every residual, however large, pulls with the same unit force.',
      gradientBehaviour:
        'Gradient is ±1 (per element, before the mean) whatever the error size, so it does not shrink near the optimum.',
      scaleSensitivity: 'Linear in the target scale: the loss is in the units of the target.',
      classImbalance: 'Not applicable (regression).',
    },
    whenToUse: [
      'Regression with outliers or heavy-tailed noise, where each error should count in proportion to its size.',
      'When the conditional median, not the mean, is the quantity to predict.',
    ],
    limitations: [
      'The constant-size gradient makes plain gradient descent oscillate near the optimum; decay the learning rate or use huber/smoothL1.',
      'Non-smooth at zero residual, which some second-order optimisers dislike.',
    ],
    references: ['PyTorch torch.nn.functional.l1_loss', 'Laplace (1774); least absolute deviations'],
    tasks: ['regression', 'autoencoder'],
  },
});
