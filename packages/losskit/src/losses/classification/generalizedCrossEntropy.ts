import type { FloatArray } from '../../tensor/index.js';
import { defineLoss } from '../define.js';
import { expNonPositive } from '../math.js';
import { booleanOption, numberOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import { requireLabelShape, requireLabels, requireUnitInterval } from '../validate.js';
import { requireClassAxis } from './crossEntropyChecks.js';
import { PROBABILITY_CLIP } from './softmaxCrossEntropyKernel.js';

const NAME = 'generalizedCrossEntropy';
const LOG_CLIP = Math.log(PROBABILITY_CLIP);

/**
 * (1 − p^q)/q from l = log p, as −l·expm1(q·l)/(q·l): exact for every q in (0, 1], the smallest
 * subnormal included (where (1 − p^q)/q itself rounds to 0/q and q·l loses its digits, the
 * ratio expm1(t)/t is 1 to the last bit). Beyond |q·l| = 1 it is −expm1(q·l)/q, which also holds
 * at l = −∞ (1/q).
 */
function gceValue(logP: number, q: number): number {
  const t = q * logP;
  if (t < -1) return -Math.expm1(t) / q;
  return t === 0 ? -logP : -logP * (Math.expm1(t) / t);
}

/**
 * One row of logits against `label`: ℓ = (1 − p_y^q)/q with log p_y = x_y − m − log s, and
 * every gradient entry ∂ℓ/∂x_j = p_y^q·(p_j − [j = y]) scaled by `gradScale` (the exponentials
 * are parked in `grad` and rescaled in place).
 */
function logitRow(
  x: FloatArray,
  offset: number,
  classes: number,
  label: number,
  q: number,
  grad: FloatArray | null,
  gradScale: number,
): number {
  const end = offset + classes;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = offset; i < end; i++) if (x[i] > max) max = x[i];
  let expSum = 0;
  for (let i = offset; i < end; i++) {
    const e = expNonPositive(x[i] - max);
    if (grad !== null) grad[i] = e;
    expSum += e;
  }
  const logP = x[offset + label] - max - Math.log(expSum);
  if (grad !== null) {
    // p_y^q = exp(q·log p_y) ≤ 1; 0 where log p_y is −∞.
    const g = gradScale * Math.exp(q * logP);
    const k = g / expSum;
    for (let i = offset; i < end; i++) grad[i] *= k;
    grad[offset + label] -= g;
  }
  return gceValue(logP, q);
}

/**
 * One row of probabilities against `label`: ℓ = (1 − p̃^q)/q with p̃ = clip(p_y, 1e-7, 1), and
 * the label's gradient entry −p^(q−1) = −exp((q − 1)·log p) (at most 1e7), 0 where the clip is
 * active; every other entry of the row is 0.
 */
function probabilityRow(
  p: FloatArray,
  offset: number,
  classes: number,
  label: number,
  q: number,
  grad: FloatArray | null,
  gradScale: number,
): number {
  const py = p[offset + label];
  if (grad !== null) for (let c = 0; c < classes; c++) grad[offset + c] = 0;
  if (py < PROBABILITY_CLIP) return gceValue(LOG_CLIP, q);
  const logP = Math.log(py);
  if (grad !== null) grad[offset + label] = -gradScale * Math.exp((q - 1) * logP);
  return gceValue(logP, q);
}

/**
 * Generalized cross-entropy (the L_q loss) against integer labels: a noise-robust blend of
 * cross-entropy (q → 0) and mean absolute error on the true class's probability (q = 1).
 *
 * Per position with label y and p_y = softmax(x)_y (`fromLogits: true`, default) or the given
 * probability clipped to [1e-7, 1] without renormalising (`fromLogits: false`):
 * ℓ = (1 − p_y^q)/q, q in (0, 1] (default 0.7).
 * Gradient on logits: ∂ℓ/∂x_j = p_y^q·(softmax(x)_j − [j = y]), the cross-entropy gradient
 * weighted by p_y^q, so examples the model finds implausible (possibly mislabelled) pull less.
 * On probabilities: ∂ℓ/∂p_y = −p_y^(q−1), 0 where the clip is active (p_y < 1e-7).
 *
 * Shapes: `input` [..., C] (classes last), `target` [...] (an unbatched [C] takes a 0-d label).
 * `'none'` gives the target's shape; `'mean'` averages over positions, `'sum'` adds them.
 * Stability: log p_y by log-sum-exp and (1 − p^q)/q as −expm1(q·log p)/q, so the value is
 * finite for logits of ±1e4 and exact for tiny q (where it tends to −log p_y, the
 * cross-entropy). Zhang & Sabuncu (2018); Keras `CategoricalGeneralizedCrossEntropy` (which takes
 * probabilities and defaults to q = 0.5).
 *
 * @example
 * generalizedCrossEntropy([[2, 0, 0], [0, 3, 0]], [0, 1]).item() // 0.1561881149032115
 */
export const { entry: generalizedCrossEntropyLoss, fn: generalizedCrossEntropy } = defineLoss({
  kind: 'reducible',
  name: NAME,
  family: 'classification',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: {
    q: withNote(
      numberOption(0.7, { above: 0, max: 1 }),
      '0.7 (Zhang & Sabuncu); 0.5 to 0.8 for heavy noise',
      'Trades the convergence of cross-entropy (q → 0) against the noise robustness of MAE (q = 1).',
    ),
    fromLogits: withNote(
      booleanOption(true),
      'true',
      'Whether the input holds logits (log-space path) or probabilities (clipped to [1e-7, 1]).',
    ),
    reduction: reductionOption(),
  },
  validate(t, options) {
    requireClassAxis(NAME, 'input', t.input, 1, '[..., C]');
    requireLabelShape(NAME, 'input', t.input, 'target', t.target);
    requireLabels(NAME, 'target', t.target, t.input.shape[t.input.rank - 1]);
    if (!options.fromLogits) requireUnitInterval(NAME, 'input', t.input);
  },
  // Labels are checked as integers in range; probabilities in [0, 1].
  finiteCheckedBy: (_t, options) => (options.fromLogits ? ['target'] : ['input', 'target']),
  // Both row kernels write every gradient entry of every row.
  overwritesGrads: () => true,
  unitShape: (t) => t.target.shape,
  kernel({ t, options, plan, units, grads }) {
    const x = t.input.data;
    const labels = t.target.data;
    const classes = t.input.shape[t.input.rank - 1];
    const { q, fromLogits } = options;
    const grad = grads === null ? null : grads.input;
    const up = plan.upstream;
    let total = 0;
    for (let r = 0; r < labels.length; r++) {
      const offset = r * classes;
      const scale = up === null ? plan.scale : plan.scale * up[r];
      const loss = fromLogits
        ? logitRow(x, offset, classes, labels[r], q, grad, scale)
        : probabilityRow(x, offset, classes, labels[r], q, grad, scale);
      total += loss;
      if (units !== null) units[r] = loss;
    }
    return total;
  },
  info: {
    title: 'Generalized cross-entropy (L_q loss)',
    summary:
      'A noise-robust classification loss, (1 − p_y^q)/q, that moves from cross-entropy (q → 0) to the mean absolute error of the true-class probability (q = 1).',
    formula: 'ℓ = (1 − p_y^q)/q, p = softmax(x) (or clip(p, 1e-7, 1) for probabilities), 0 < q ≤ 1',
    properties: {
      differentiability:
        'Smooth in the logits; with probabilities, the gradient is cut to 0 below the 1e-7 clip.',
      robustness:
        'Robust to label noise for q near 1: the loss is bounded by 1/q, so a mislabelled example costs at most a constant and its gradient fades as p_y → 0.',
      gradientBehaviour:
        'Cross-entropy gradient weighted by p_y^q: examples the model already finds unlikely get small gradients, which resists noise but slows learning of genuinely hard examples.',
      scaleSensitivity:
        'Bounded in [0, 1/q]; smaller q gives larger values and gradients closer to cross-entropy. Invariant to a constant added to every logit of a row.',
      classImbalance:
        'No class weighting; rare classes, whose examples start with low p_y, get down-weighted gradients early in training.',
    },
    whenToUse: [
      'Classification with noisy labels (crowd-sourced, web-scraped or weakly supervised data).',
      'When cross-entropy overfits mislabelled examples but mean absolute error trains too slowly: q = 0.7 is the usual compromise.',
    ],
    limitations: [
      'Slower convergence than cross-entropy on clean data, increasingly so as q approaches 1.',
      'Hard but correct examples are down-weighted along with mislabelled ones.',
      'One label per position and no class weights or ignore index.',
      'With fromLogits: false the probability is clipped at 1e-7 (gradient 0 below) and not renormalised; prefer logits.',
    ],
    references: [
      'Zhang & Sabuncu (2018), Generalized Cross Entropy Loss for Training Deep Neural Networks with Noisy Labels',
      'Keras CategoricalGeneralizedCrossEntropy (probability inputs, q = 0.5 by default)',
    ],
    tasks: ['multiclass'],
  },
});
