import { defineLoss } from '../define.js';
import { reductionOption } from '../reduce.js';
import { requireSameShape } from '../validate.js';

/**
 * Mean squared error.
 *
 * ℓᵢ = (xᵢ − yᵢ)², ∂ℓᵢ/∂xᵢ = 2(xᵢ − yᵢ); reduced by `reduction` ('mean' default, 'sum', 'none').
 * `input` and `target` have the same (any) shape. Matches torch `F.mse_loss`.
 *
 * @example
 * mse([1, 2, 3], [1, 2, 5]).item() // 1.3333333333333333
 */
export const { entry: mseLoss, fn: mse } = defineLoss({
  kind: 'reducible',
  name: 'mse',
  family: 'regression',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: { reduction: reductionOption() },
  validate(t) {
    requireSameShape('mse', 'input', t.input, 'target', t.target);
  },
  unitShape: (t) => t.input.shape,
  kernel({ t, plan, units, grads }) {
    const x = t.input.data;
    const y = t.target.data;
    const g = grads === null ? null : grads.input;
    const up = plan.upstream;
    const s = plan.scale;
    let total = 0;
    if (units === null && up === null) {
      // The common case: no per-element branch at all.
      if (g === null) {
        for (let i = 0; i < x.length; i++) {
          const d = x[i] - y[i];
          total += d * d;
        }
        return total;
      }
      const s2 = 2 * s;
      for (let i = 0; i < x.length; i++) {
        const d = x[i] - y[i];
        total += d * d;
        g[i] = s2 * d;
      }
      return total;
    }
    for (let i = 0; i < x.length; i++) {
      const d = x[i] - y[i];
      const l = d * d;
      total += l;
      if (units !== null) units[i] = l;
      if (g !== null) g[i] = (up === null ? s : s * up[i]) * 2 * d;
    }
    return total;
  },
  info: {
    title: 'Mean squared error',
    summary:
      'Average squared difference between prediction and target; the maximum-likelihood loss under Gaussian noise.',
    formula: 'ℓ = (x − y)²',
    properties: {
      differentiability: 'Smooth everywhere.',
      robustness: 'Not robust: one gross outlier dominates the mean, because its error is squared.',
      gradientBehaviour:
        'Gradient 2(x − y) grows linearly with the error, so large errors get large updates.',
      scaleSensitivity:
        'Quadratic in the target scale; normalise targets or the learning rate must change with them.',
      classImbalance: 'Not applicable (regression).',
    },
    whenToUse: [
      'Regression with roughly Gaussian noise and no gross outliers.',
      'When large errors should be penalised much more than small ones.',
      'Value-function regression in RL (see valueLoss).',
    ],
    limitations: [
      'Outliers pull the fit towards them; prefer huber or mae when the data has gross errors.',
      'Estimates the conditional mean, which is misleading for skewed or multimodal targets.',
    ],
    hyperparameters: [],
    references: ['PyTorch torch.nn.functional.mse_loss', 'Gauss (1809), least squares'],
    tasks: ['regression', 'autoencoder'],
  },
});
