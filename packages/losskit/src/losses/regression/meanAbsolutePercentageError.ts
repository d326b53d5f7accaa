import { defineLoss } from '../define.js';
import { reductionOption } from '../reduce.js';
import { requireSameShape } from '../validate.js';

/** Keras's backend epsilon: the floor under |y| in the denominator. */
const FLOOR = 1e-7;

/**
 * Mean absolute percentage error.
 *
 * ℓᵢ = 100·|yᵢ − xᵢ| / max(|yᵢ|, 1e-7); ∂ℓᵢ/∂xᵢ = 100·sign(xᵢ − yᵢ) / max(|yᵢ|, 1e-7), taken as 0
 * where xᵢ = yᵢ. Reduced by `reduction` ('mean' default, 'sum', 'none'). `input` and `target`
 * have the same (any) shape; the target gets no gradient. Matches Keras
 * `mean_absolute_percentage_error` (its mean over the last axis is our 'mean' over all elements
 * when every row has the same length).
 *
 * @example
 * meanAbsolutePercentageError([110, 45], [100, 50]).item() // 10
 */
export const { entry: meanAbsolutePercentageErrorLoss, fn: meanAbsolutePercentageError } = defineLoss({
  kind: 'reducible',
  name: 'meanAbsolutePercentageError',
  family: 'regression',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: { reduction: reductionOption() },
  validate(t) {
    requireSameShape('meanAbsolutePercentageError', 'input', t.input, 'target', t.target);
  },
  // Every path writes g[i] for every i.
  overwritesGrads: () => true,
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
      // 100/m ≤ 1e9, so the gradient is finite wherever the residual is.
      const w = 100 / Math.max(Math.abs(y[i]), FLOOR);
      const l = w * Math.abs(d);
      total += l;
      if (units !== null) units[i] = l;
      if (g !== null) g[i] = (up === null ? s : s * up[i]) * (d > 0 ? w : d < 0 ? -w : 0);
    }
    return total;
  },
  info: {
    title: 'Mean absolute percentage error',
    summary:
      'Absolute error as a percentage of the target: a scale-free error for positive quantities such as demand, prices or counts.',
    formula: 'ℓ = 100·|y − x| / max(|y|, 1e-7)',
    properties: {
      differentiability: 'Not differentiable where x = y; the subgradient 0 is used there.',
      robustness:
        'Robust to outliers in the prediction (each element pulls with a constant force), but a target near 0 gives its element a weight up to 1e9.',
      gradientBehaviour:
        'Gradient ±100/|y| per element: constant in the residual, large for small targets and small for large ones.',
      scaleSensitivity:
        'Invariant to a common rescaling of input and target (away from the 1e-7 floor): the loss is a relative error.',
      classImbalance: 'Not applicable (regression).',
    },
    whenToUse: [
      'Forecasting strictly positive quantities where a 10 % miss should cost the same at every scale.',
      'Reporting an error that non-specialists read as a percentage.',
    ],
    limitations: [
      'Undefined in spirit for targets at or near 0: the 1e-7 floor keeps it finite but lets such elements dominate.',
      'Asymmetric: over-prediction is unbounded while under-prediction of a positive target costs at most 100 %, so minimising it biases forecasts low.',
    ],
    references: [
      'Keras tf.keras.losses.mean_absolute_percentage_error',
      'de Myttenaere et al. (2016), Mean Absolute Percentage Error for regression models',
    ],
    tasks: ['regression'],
  },
});
