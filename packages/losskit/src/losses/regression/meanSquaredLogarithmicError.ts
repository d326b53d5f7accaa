import { defineLoss } from '../define.js';
import { reductionOption } from '../reduce.js';
import { requireSameShape } from '../validate.js';

/** Keras's backend epsilon: input and target are clipped below at it before the log. */
const FLOOR = 1e-7;

/**
 * Mean squared logarithmic error.
 *
 * With x̃ = max(x, 1e-7), ỹ = max(y, 1e-7) and r = log(x̃ + 1) − log(ỹ + 1) (each log as log1p):
 * ℓᵢ = rᵢ²; ∂ℓᵢ/∂xᵢ = 2rᵢ/(x̃ᵢ + 1) where xᵢ ≥ 1e-7 and 0 below, where the clip holds (the clip
 * passes its gradient at equality, as torch's `clamp`). Reduced by `reduction` ('mean' default,
 * 'sum', 'none'). `input` and `target` have the same (any) shape; the target gets no gradient.
 * Matches Keras `mean_squared_logarithmic_error` (its mean over the last axis is our 'mean' over
 * all elements when every row has the same length). Finite for every finite input: log1p of
 * 1e308 is 709.
 *
 * @example
 * meanSquaredLogarithmicError([Math.E - 1], [0]).item() // 0.9999998000000201, (1 − log(1 + 1e-7))²
 */
export const { entry: meanSquaredLogarithmicErrorLoss, fn: meanSquaredLogarithmicError } = defineLoss({
  kind: 'reducible',
  name: 'meanSquaredLogarithmicError',
  family: 'regression',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: { reduction: reductionOption() },
  validate(t) {
    requireSameShape('meanSquaredLogarithmicError', 'input', t.input, 'target', t.target);
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
      const xi = Math.max(x[i], FLOOR);
      const r = Math.log1p(xi) - Math.log1p(Math.max(y[i], FLOOR));
      const l = r * r;
      total += l;
      if (units !== null) units[i] = l;
      if (g !== null) g[i] = x[i] >= FLOOR ? (up === null ? s : s * up[i]) * ((2 * r) / (xi + 1)) : 0;
    }
    return total;
  },
  info: {
    title: 'Mean squared logarithmic error',
    summary:
      'Squared difference of log(1 + prediction) and log(1 + target): a squared error on relative, not absolute, differences for non-negative targets.',
    formula: 'ℓ = (log(max(x, 1e-7) + 1) − log(max(y, 1e-7) + 1))²',
    properties: {
      differentiability:
        'Smooth for x > 1e-7; below it the input is clipped, so the gradient is 0 and a negative prediction gets no signal back up.',
      robustness:
        'Compresses large values through the log: a prediction of 1000 for a target of 100 costs about as much as 10 for 1.',
      gradientBehaviour:
        'Gradient 2r/(x + 1): it shrinks as predictions grow, so large targets are learned with small steps.',
      scaleSensitivity:
        'Roughly scale-free for values well above 1, and close to the squared error for values well below 1.',
      classImbalance: 'Not applicable (regression).',
    },
    whenToUse: [
      'Non-negative targets spanning orders of magnitude (counts, prices, durations) where relative error matters.',
      'When under-prediction should cost a little more than over-prediction by the same factor.',
    ],
    limitations: [
      'Meant for non-negative data: every input or target below 1e-7 is read as 1e-7, and such inputs receive no gradient.',
      'Estimates the geometric, not the arithmetic, conditional mean of 1 + y.',
    ],
    references: [
      'Keras tf.keras.losses.mean_squared_logarithmic_error',
      'Kaggle evaluation metric RMSLE (root of this loss)',
    ],
    tasks: ['regression'],
  },
});
