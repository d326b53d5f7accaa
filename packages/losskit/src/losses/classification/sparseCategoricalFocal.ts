import { defineLoss } from '../define.js';
import { booleanOption, numberOption, optionalNumberOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import { requireLabelShape, requireLabels, requireUnitInterval } from '../validate.js';
import { requireClassAxis } from './crossEntropyChecks.js';
import { countedLabelWeight } from './softmaxCrossEntropyKernel.js';
import {
  alphaPerClass,
  classAlphaOption,
  clippedFocalLabelRow,
  requireClassAlpha,
  softmaxFocalLabelRow,
} from './softmaxFocalTerms.js';

const NAME = 'sparseCategoricalFocal';

/**
 * Softmax focal loss against integer class labels: `categoricalFocal` with a one-hot target,
 * without building it.
 *
 * Per position with label y, p = softmax(x) (`fromLogits: true`, default) or the given
 * probabilities clipped to [1e-7, 1] without renormalising (`fromLogits: false`), and α_y the
 * label's weight (`alpha` a number, a [C] list indexed by class, or null for 1):
 * ℓ = −α_y·(1 − p_y)^γ·log p_y.
 * Gradient on logits: ∂ℓ/∂x_j = α_y (1 − p_y)^γ (1 − γ p_y log p_y/(1 − p_y))·(p_j − [j = y]);
 * on probabilities only p_y's entry, α_y (1 − p_y)^γ (γ log p_y/(1 − p_y) − 1/p_y), 0 where
 * the clip is active. log p/(1 − p) takes its limit −1 at p = 1.
 *
 * Shapes: `input` [..., C] (classes last), `target` [...] (an unbatched [C] takes a 0-d label).
 * Positions whose label equals `ignoreIndex` contribute 0 and get a zero gradient. `'none'`
 * gives the target's shape; `'sum'` adds; `'mean'` divides by the number of counted
 * (non-ignored) positions, unweighted by α, and is 0 with a zero gradient when nothing is
 * counted. Stability: log-sum-exp per row and 1 − p = −expm1(log p), finite for logits of ±1e4.
 * Without `ignoreIndex` every label must lie in [0, C). Keras `CategoricalFocalCrossentropy`
 * applied to one-hot labels (Lin et al. 2017).
 *
 * @example
 * sparseCategoricalFocal([[2, 0, 0], [0, 3, 0]], [0, 1]).item() // 0.001455969160736379
 */
export const { entry: sparseCategoricalFocalLoss, fn: sparseCategoricalFocal } = defineLoss({
  kind: 'reducible',
  name: NAME,
  family: 'classification',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: {
    alpha: withNote(
      classAlphaOption(0.25),
      '0.25, a [C] list (e.g. normalised inverse frequencies), or null',
      "Scales each position's term by the weight of its label's class.",
    ),
    gamma: withNote(
      numberOption(2, { min: 0 }),
      '2 (0 gives α-weighted cross-entropy)',
      'How strongly well-classified positions are down-weighted.',
    ),
    fromLogits: booleanOption(true),
    ignoreIndex: withNote(
      optionalNumberOption({ integer: true }),
      '-100 or 255 (segmentation)',
      'Positions with this label are left out of the value, the gradient and the mean.',
    ),
    reduction: reductionOption(),
  },
  validate(t, options) {
    requireClassAxis(NAME, 'input', t.input, 1, '[..., C]');
    requireLabelShape(NAME, 'input', t.input, 'target', t.target);
    const classes = t.input.shape[t.input.rank - 1];
    requireLabels(NAME, 'target', t.target, classes, options.ignoreIndex);
    requireClassAlpha(NAME, options.alpha, classes);
    if (!options.fromLogits) requireUnitInterval(NAME, 'input', t.input);
  },
  // Labels are checked as integers in range; probabilities in [0, 1].
  finiteCheckedBy: (_t, options) => (options.fromLogits ? ['target'] : ['input', 'target']),
  unitShape: (t) => t.target.shape,
  meanDivisor: (t, options) => countedLabelWeight(t.target, null, options.ignoreIndex),
  kernel({ t, options, plan, units, grads }) {
    const x = t.input.data;
    const labels = t.target.data;
    const classes = t.input.shape[t.input.rank - 1];
    const alpha = alphaPerClass(options.alpha, classes);
    const { gamma, fromLogits, ignoreIndex } = options;
    const grad = grads === null ? null : grads.input;
    const up = plan.upstream;
    let total = 0;
    for (let r = 0; r < labels.length; r++) {
      const label = labels[r];
      if (label === ignoreIndex) continue; // units and grads are zero-filled
      const offset = r * classes;
      const scale = up === null ? plan.scale : plan.scale * up[r];
      const loss = fromLogits
        ? softmaxFocalLabelRow(x, offset, classes, label, alpha[label], gamma, grad, scale)
        : clippedFocalLabelRow(x, offset, label, alpha[label], gamma, grad, scale);
      total += loss;
      if (units !== null) units[r] = loss;
    }
    return total;
  },
  info: {
    title: 'Sparse categorical focal loss (softmax)',
    summary:
      'Focal loss over C classes with integer labels: the cross-entropy of the true class scaled by (1 − p_y)^γ and a per-class α, with an ignored label for padding or unlabelled pixels.',
    formula:
      'ℓ = −α_y·(1 − p_y)^γ·log p_y, p = softmax(x); mean over positions whose label is not ignoreIndex',
    properties: {
      differentiability:
        'Smooth in the logits for γ ≥ 1; for 0 < γ < 1 the factor is steep near p_y = 1, where the gradient takes its limit. With probabilities the gradient is 0 below the 1e-7 clip.',
      robustness:
        'Not robust to label noise: a wrong label on a confident prediction is exactly the hard example the loss emphasises.',
      gradientBehaviour:
        'The cross-entropy gradient softmax(x) − onehot(y) scaled by roughly α_y(1 − p_y)^γ: vanishing for well-classified positions, cross-entropy-sized for misclassified ones.',
      scaleSensitivity:
        'Smaller values than cross-entropy (focal factor and α); the mean is over counted positions and is not normalised by α. Invariant to a constant added to every logit of a row.',
      classImbalance:
        'Targets imbalance twice: γ fades the easy examples that frequent classes supply in bulk, and a [C] alpha list weights rare classes up.',
    },
    whenToUse: [
      'Multi-class classification or detection with integer labels and a heavy class imbalance (long-tailed recognition, dense detection with a background class).',
      'Semantic segmentation with an ignore label and a dominant background class.',
    ],
    limitations: [
      'Predicted probabilities are less calibrated than with cross-entropy.',
      'No class-weight normalisation in the mean (unlike sparseCategoricalCrossEntropy weight): α changes the loss scale.',
      'One label per position: multi-label problems need the sigmoid focal loss.',
      'With fromLogits: false the log is clipped at 1e-7 and probabilities are not renormalised; prefer logits.',
    ],
    references: [
      'Lin et al. (2017), Focal Loss for Dense Object Detection',
      'Keras CategoricalFocalCrossentropy (alpha, gamma, from_logits)',
    ],
    tasks: ['multiclass', 'segmentation'],
  },
});
