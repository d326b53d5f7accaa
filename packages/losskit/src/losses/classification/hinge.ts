import { defineLoss } from '../define.js';
import { reductionOption } from '../reduce.js';
import { requireSameShape } from '../validate.js';
import { requireHingeLabels, signOfHingeLabel } from './marginChecks.js';

const NAME = 'hinge';

/**
 * Hinge loss of binary scores (Keras `hinge`): the score should have the label's sign with a
 * margin of at least 1.
 *
 * ℓ = max(0, 1 − y·x) per element, with y in {−1, 1}; labels all in {0, 1} are read as 0 → −1
 * (Keras's conversion; a target of only 1s reads the same either way), and any other label, or
 * 0s mixed with −1s, is an error. ∂ℓ/∂x = −y where 1 − y·x ≥ 0 (the gradient passes at the kink,
 * as `pairwiseHinge` and torch's `clamp_min`), 0 elsewhere. `input` and `target` have the same
 * (any) shape; `'none'` gives that shape, `'mean'` averages every element (Keras's mean over the
 * last axis, then over the batch), `'sum'` adds.
 *
 * @example
 * hinge([0.5, -2, 3], [1, 1, -1]).item() // 2.5
 */
export const { entry: hingeLoss, fn: hinge } = defineLoss({
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
      const h = 1 - y * x[i];
      const l = Math.max(h, 0);
      total += l;
      if (units !== null) units[i] = l;
      if (g !== null && h >= 0) g[i] = -y * (up === null ? s : s * up[i]);
    }
    return total;
  },
  info: {
    title: 'Hinge loss',
    summary:
      'The support-vector-machine loss on a single score: zero once the score has the right sign with a margin of 1, linear in the shortfall otherwise.',
    formula: 'ℓ = max(0, 1 − y·x), y ∈ {−1, 1} (labels 0/1 read as −1/1)',
    properties: {
      differentiability: 'Piecewise linear, with a kink at y·x = 1 (the gradient passes there).',
      robustness:
        'Grows linearly with the violation, so a mislabelled point pulls less than under a squared loss, but it never stops pulling.',
      gradientBehaviour:
        'A constant −y on every example inside the margin and exactly 0 on the others: training concentrates on the examples near the boundary.',
      scaleSensitivity:
        'The margin is fixed at 1 in score units, so the score scale sets how hard the margin is to meet (regularise the weights to make it meaningful).',
      classImbalance:
        'No class weighting: the more frequent class contributes more violations; reweight or resample.',
    },
    whenToUse: [
      'Binary classification with a linear or kernel model trained as a soft-margin SVM.',
      'When calibrated probabilities are not needed, only a decision with a margin.',
      'As a drop-in for Keras models compiled with loss="hinge".',
    ],
    limitations: [
      'Gives no probabilities: the scores are not calibrated.',
      'Zero gradient for every example beyond the margin, so a well-separated batch teaches nothing.',
      'Not smooth at the margin; squaredHinge or softMargin are smooth alternatives.',
    ],
    references: [
      'Cortes & Vapnik (1995), Support-vector networks',
      'Keras keras.losses.hinge (labels in {−1, 1} or {0, 1})',
    ],
    tasks: ['binary'],
  },
});
