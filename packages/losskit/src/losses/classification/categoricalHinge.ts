import { defineLoss } from '../define.js';
import { reductionOption } from '../reduce.js';
import { requireSameShape, requireUnitInterval } from '../validate.js';
import { requireClassAxis } from './crossEntropyChecks.js';

const NAME = 'categoricalHinge';

/**
 * Categorical hinge loss of class scores against a one-hot target (Keras `categorical_hinge`).
 *
 * Per row of C scores x and target y: pos = Σ_c y_c·x_c, neg = max_c (1 − y_c)·x_c (taken
 * literally, as Keras: the true class enters that max as a 0), ℓ = max(0, 1 + neg − pos). Where
 * 1 + neg − pos ≥ 0 (the gradient passes at the kink): ∂ℓ/∂x_c = −y_c, plus 1 − y_k at the first
 * class k attaining the max; 0 elsewhere. Targets are one-hot, or any values in [0, 1] (Keras's
 * formula takes soft targets as they are).
 *
 * Shapes: `input` and `target` [..., C] (classes last); `'none'` gives [...] (one loss per
 * row, 0-d for an unbatched [C]); `'mean'` averages the rows, `'sum'` adds them.
 *
 * @example
 * categoricalHinge([[2, 1, -1], [0.5, 1, 0]], [[1, 0, 0], [1, 0, 0]]).item() // 0.75
 */
export const { entry: categoricalHingeLoss, fn: categoricalHinge } = defineLoss({
  kind: 'reducible',
  name: NAME,
  family: 'classification',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: { reduction: reductionOption() },
  validate(t) {
    requireClassAxis(NAME, 'input', t.input, 1, '[..., C]');
    requireSameShape(NAME, 'input', t.input, 'target', t.target);
    requireUnitInterval(NAME, 'target', t.target, 'target value');
  },
  unitShape: (t) => t.input.shape.slice(0, -1),
  kernel({ t, plan, units, grads }) {
    const x = t.input.data;
    const y = t.target.data;
    const classes = t.input.shape[t.input.rank - 1];
    const rows = classes === 0 ? 0 : x.length / classes;
    const g = grads === null ? null : grads.input;
    const up = plan.upstream;
    const s = plan.scale;
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const base = r * classes;
      let pos = 0;
      let neg = Number.NEGATIVE_INFINITY;
      let argmax = base;
      for (let k = base; k < base + classes; k++) {
        pos += y[k] * x[k];
        const other = (1 - y[k]) * x[k];
        if (other > neg) {
          neg = other;
          argmax = k;
        }
      }
      const h = neg - pos + 1;
      const l = Math.max(h, 0);
      total += l;
      if (units !== null) units[r] = l;
      if (g !== null && h >= 0) {
        const w = up === null ? s : s * up[r];
        for (let k = base; k < base + classes; k++) g[k] = -w * y[k];
        g[argmax] += w * (1 - y[argmax]);
      }
    }
    return total;
  },
  info: {
    title: 'Categorical hinge loss',
    summary:
      'A multi-class hinge: the true class’s score must beat the best other score by a margin of 1 (Keras categorical_hinge).',
    formula: 'ℓ = max(0, 1 + max_c (1 − y_c)·x_c − Σ_c y_c·x_c)',
    properties: {
      differentiability: 'Piecewise linear: kinks at the margin and wherever the best wrong class changes.',
      robustness:
        'Linear in the violation, so a mislabelled row pulls with bounded force; only the strongest competitor is penalised.',
      gradientBehaviour:
        '−1 on the true class and +1 on the best wrong class inside the margin, 0 once the margin is met.',
      scaleSensitivity:
        'The margin is fixed at 1 in score units; with scores all below 0 the true class’s 0 in the max sets the bar.',
      classImbalance: 'No class weighting: reweight or resample when classes are imbalanced.',
    },
    whenToUse: [
      'Multi-class classification with one-hot targets when a margin, not a probability, is wanted (Crammer–Singer style).',
      'As a drop-in for Keras models compiled with loss="categorical_hinge".',
    ],
    limitations: [
      'Only the highest-scoring wrong class gets a gradient per row, which slows learning with many classes.',
      'Keras’s literal max: the true class contributes 0, so when every wrong score is negative the bar is 0 rather than the best wrong score.',
      'Scores are not probabilities.',
    ],
    references: [
      'Keras keras.losses.categorical_hinge',
      'Crammer & Singer (2001), On the algorithmic implementation of multiclass kernel-based vector machines',
    ],
    tasks: ['multiclass'],
  },
});
