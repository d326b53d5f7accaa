import { defineLoss } from '../define.js';
import { expNonPositive, log1pUnit } from '../math.js';
import { reductionOption } from '../reduce.js';
import { requireSameShape } from '../validate.js';

/**
 * log cosh(a) for a = |d| ≥ 0, finite for every finite a. Below 1 it is log1p(2·sinh²(a/2))
 * (cosh a − 1 = 2 sinh²(a/2) exactly, so a residual of 1e-8 keeps its value a²/2 instead of
 * cancelling against log 2); from 1 on a + softplus(−2a) − log 2 = a − log 2 + log1p(e^(−2a)),
 * which cannot overflow.
 */
function logCoshOfAbs(a: number): number {
  if (a < 1) {
    const s = Math.sinh(0.5 * a);
    return Math.log1p(2 * s * s);
  }
  return a - Math.LN2 + log1pUnit(expNonPositive(-2 * a));
}

/**
 * Log-cosh loss: about ½d² for small residuals and |d| − log 2 for large ones.
 *
 * With d = x − y: ℓᵢ = log cosh(dᵢ), computed as |d| + softplus(−2|d|) − log 2 (and, for |d| < 1,
 * as log1p(2 sinh²(d/2)) to keep the precision of tiny residuals), so that residuals up to the
 * float range give a finite value; ∂ℓᵢ/∂xᵢ = tanh(dᵢ), in [−1, 1]. Reduced by `reduction`
 * ('mean' default, 'sum', 'none'). `input` and `target` have the same (any) shape.
 * Matches Keras `log_cosh` and Optax `log_cosh` (their mean over the last axis is our 'mean'
 * over all elements when every row has the same length).
 *
 * @example
 * logCosh([0, 2], [0, 0]).item() // 0.6625013736789321
 */
export const { entry: logCoshLoss, fn: logCosh } = defineLoss({
  kind: 'reducible',
  name: 'logCosh',
  family: 'regression',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: { reduction: reductionOption() },
  validate(t) {
    requireSameShape('logCosh', 'input', t.input, 'target', t.target);
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
      const l = logCoshOfAbs(Math.abs(d));
      total += l;
      if (units !== null) units[i] = l;
      if (g !== null) g[i] = (up === null ? s : s * up[i]) * Math.tanh(d);
    }
    return total;
  },
  info: {
    title: 'Log-cosh loss',
    summary:
      'Logarithm of the hyperbolic cosine of the residual: smooth everywhere, close to half the squared error near zero and to the absolute error (minus log 2) far from it.',
    formula: 'ℓ = log cosh(x − y) = |d| + softplus(−2|d|) − log 2, d = x − y',
    properties: {
      differentiability:
        'Infinitely differentiable; the second derivative 1 − tanh²(d) never vanishes exactly.',
      robustness:
        'Robust like Huber: the gradient tanh(d) saturates at ±1, so an outlier pulls no harder than a residual of a few units.',
      gradientBehaviour:
        'Gradient tanh(x − y): proportional to the residual near zero and bounded by 1 beyond about |d| = 2, with no kink anywhere.',
      scaleSensitivity:
        'The switch between quadratic and linear happens at a residual of about 1 in target units, with no parameter to move it: rescale the targets to place it.',
      classImbalance: 'Not applicable (regression).',
    },
    whenToUse: [
      'Regression with some outliers where a smooth, twice-differentiable Huber-like loss is wanted.',
      'When the optimiser uses curvature (Newton-type, boosting libraries) and MAE or Huber kinks get in the way.',
    ],
    limitations: [
      'The transition point is fixed at a residual near 1: targets far from unit scale need normalising, unlike Huber whose δ can be tuned.',
      'Far from the optimum the gradient is ±1, so, like MAE, progress on large residuals is linear, not proportional to the error.',
    ],
    references: [
      'Keras tf.keras.losses.log_cosh',
      'Optax optax.losses.log_cosh',
      'Chen et al. (2019), Log Hyperbolic Cosine Loss Improves Variational Auto-Encoder',
    ],
    tasks: ['regression'],
  },
});
