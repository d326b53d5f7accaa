import { defineLoss } from '../define.js';
import { reductionOption } from '../reduce.js';
import { requireSameShape } from '../validate.js';
import { requireHingeLabels, signOfHingeLabel } from './marginChecks.js';

const NAME = 'squaredHinge';

/**
 * Squared hinge loss of binary scores (Keras `squared_hinge`).
 *
 * ℓ = max(0, 1 − y·x)² per element, with y in {−1, 1}; labels all in {0, 1} are read as
 * 0 → −1 (as `hinge`), and any other label, or 0s mixed with −1s, is an error.
 * ∂ℓ/∂x = −2y·max(0, 1 − y·x), continuous (0 at the margin). `input` and `target` have the same
 * (any) shape; `'none'` gives that shape, `'mean'` averages every element, `'sum'` adds.
 *
 * @example
 * squaredHinge([0.5, -2, 3], [1, 1, -1]).item() // 8.416666666666666
 */
export const { entry: squaredHingeLoss, fn: squaredHinge } = defineLoss({
  kind: 'reducible',
  name: NAME,
  family: 'classification',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: { reduction: reductionOption() },
  validate(t) {
    requireSameShape(NAME, 'input', t.input, 'target', t.target);
    requireHingeLabels(NAME, 'target', t.target);
  },
  unitShape: (t) => t.input.shape,
  kernel({ t, plan, units, grads }) {
    const x = t.input.data;
    const labels = t.target.data;
    const g = grads === null ? null : grads.input;
    const up = plan.upstream;
    const s = plan.scale;
    let total = 0;
    for (let i = 0; i < x.length; i++) {
      const y = signOfHingeLabel(labels[i]);
      const h = Math.max(1 - y * x[i], 0);
      const l = h * h;
      total += l;
      if (units !== null) units[i] = l;
      if (g !== null) g[i] = -2 * y * h * (up === null ? s : s * up[i]);
    }
    return total;
  },
  info: {
    title: 'Squared hinge loss',
    summary:
      'The hinge loss squared: zero beyond the margin, quadratic in the shortfall inside it, so smooth at the margin (the L2-SVM loss).',
    formula: 'ℓ = max(0, 1 − y·x)², y ∈ {−1, 1} (labels 0/1 read as −1/1)',
    properties: {
      differentiability: 'Continuously differentiable; the second derivative jumps at the margin y·x = 1.',
      robustness:
        'Less robust than hinge: a badly misclassified point grows quadratically and can dominate the batch.',
      gradientBehaviour:
        'Proportional to the margin violation: large for gross errors, fading smoothly to 0 at the margin.',
      scaleSensitivity: 'Quadratic in the score scale inside the margin; the margin is fixed at 1.',
      classImbalance: 'No class weighting: reweight or resample when one class dominates.',
    },
    whenToUse: [
      'Binary classification with a margin, when a smooth loss suits the optimiser better than the plain hinge.',
      'L2-SVM training (LIBLINEAR’s default loss) of linear models.',
      'As a drop-in for Keras models compiled with loss="squared_hinge".',
    ],
    limitations: [
      'Outliers weigh quadratically; with label noise prefer hinge or softMargin.',
      'Gives uncalibrated scores, not probabilities.',
    ],
    references: [
      'Keras keras.losses.squared_hinge',
      'Fan et al. (2008), LIBLINEAR: A library for large linear classification (L2-loss SVM)',
    ],
    tasks: ['binary'],
  },
});
