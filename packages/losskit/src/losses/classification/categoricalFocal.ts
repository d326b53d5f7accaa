import { defineLoss } from '../define.js';
import { booleanOption, numberOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import { requireSameShape, requireUnitInterval } from '../validate.js';
import { requireClassAxis } from './crossEntropyChecks.js';
import {
  alphaPerClass,
  classAlphaOption,
  clippedFocalRow,
  requireClassAlpha,
  softmaxFocalRow,
} from './softmaxFocalTerms.js';

const NAME = 'categoricalFocal';

/**
 * Softmax focal loss against a target distribution (one-hot or soft rows): categorical
 * cross-entropy with each class's term scaled down by (1 − p_c)^γ once it is predicted well.
 *
 * Per row of C classes, with p = softmax(x) (`fromLogits: true`, default) or the given
 * probabilities clipped to [1e-7, 1] without renormalising (`fromLogits: false`, as
 * `categoricalCrossEntropy`), and α_c the class weight (`alpha` a number for every class, a [C]
 * list indexed by class, or null for 1):
 * ℓ = −Σ_c α_c·y_c·(1 − p_c)^γ·log p_c.
 * Gradient on logits: ∂ℓ/∂x_j = p_j·Σ_c g_c − g_j with g_c = α_c y_c (1 − p_c)^γ (1 − γ p_c
 * log p_c/(1 − p_c)); on probabilities: ∂ℓ/∂p_c = α_c y_c (1 − p_c)^γ (γ log p_c/(1 − p_c) − 1/p_c),
 * 0 where the clip is active (p_c < 1e-7). At p_c = 1 the ratio log p/(1 − p) takes its limit
 * −1, so γ < 1 gives finite gradients where autograd gives NaN.
 *
 * Shapes: `input` and `target` [..., C], classes last. `'none'` gives the input's shape minus
 * the last axis (an unbatched [C] gives a 0-d value); `'mean'` averages over rows, `'sum'` adds
 * them. Stability: log p = x − max − log Σ exp(x − max) and 1 − p = −expm1(log p), finite for
 * logits of ±1e4. γ = 0 with α = null is `categoricalCrossEntropy`. Matches Keras
 * `CategoricalFocalCrossentropy` (its α is one number for all classes; the clip here is
 * `categoricalCrossEntropy`'s [1e-7, 1]).
 *
 * @example
 * categoricalFocal([[2, 0, 0]], [[1, 0, 0]]).item() // 0.0027173327219873534
 */
export const { entry: categoricalFocalLoss, fn: categoricalFocal } = defineLoss({
  kind: 'reducible',
  name: NAME,
  family: 'classification',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: {
    alpha: withNote(
      classAlphaOption(0.25),
      '0.25 (Keras default), a [C] list such as normalised inverse class frequencies, or null',
      'Scales each class term by α_c; one number rescales the whole loss.',
    ),
    gamma: withNote(
      numberOption(2, { min: 0 }),
      '2 (0 gives α-weighted cross-entropy)',
      'How fast the weight of a class term falls as its predicted probability rises.',
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
    requireSameShape(NAME, 'input', t.input, 'target', t.target);
    requireClassAlpha(NAME, options.alpha, t.input.shape[t.input.rank - 1]);
    requireUnitInterval(NAME, 'target', t.target);
    if (!options.fromLogits) requireUnitInterval(NAME, 'input', t.input);
  },
  // The [0, 1] checks reject NaN and infinities of the target (and of probability inputs).
  finiteCheckedBy: (_t, options) => (options.fromLogits ? ['target'] : ['input', 'target']),
  // Both row kernels write every gradient entry.
  overwritesGrads: () => true,
  unitShape: (t) => t.input.shape.slice(0, -1),
  kernel({ t, options, plan, units, grads }) {
    const x = t.input.data;
    const y = t.target.data;
    const classes = t.input.shape[t.input.rank - 1];
    const rows = x.length / classes;
    const alpha = alphaPerClass(options.alpha, classes);
    const { gamma, fromLogits } = options;
    const exps = new Float64Array(classes);
    const grad = grads === null ? null : grads.input;
    const up = plan.upstream;
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const offset = r * classes;
      const scale = up === null ? plan.scale : plan.scale * up[r];
      const loss = fromLogits
        ? softmaxFocalRow(x, offset, classes, y, offset, alpha, gamma, exps, grad, scale)
        : clippedFocalRow(x, offset, classes, y, offset, alpha, gamma, grad, scale);
      total += loss;
      if (units !== null) units[r] = loss;
    }
    return total;
  },
  info: {
    title: 'Categorical focal loss (softmax)',
    summary:
      'Softmax cross-entropy in which every class term is multiplied by (1 − p_c)^γ, so that confidently right rows stop dominating the gradient and hard rows get the attention.',
    formula: 'ℓ = −Σ_c α_c·y_c·(1 − p_c)^γ·log p_c, p = softmax(x) (or clip(p, 1e-7, 1) for probabilities)',
    properties: {
      differentiability:
        'Smooth in the logits for γ ≥ 1; for 0 < γ < 1 the factor (1 − p)^γ is steep near p = 1, where the gradient is taken at its limit. With probabilities the gradient is 0 below the 1e-7 clip.',
      robustness:
        'Not robust to label noise: the focusing term gives the largest weight to the rows the model gets most wrong, mislabelled ones included.',
      gradientBehaviour:
        'A row predicted with probability p_t on its class gets roughly (1 − p_t)^γ of the cross-entropy gradient: easy rows fade, misclassified rows keep a cross-entropy-sized gradient.',
      scaleSensitivity:
        'Values are smaller than cross-entropy by the focal factor and by α; the learning rate tuned for cross-entropy may need raising. Invariant to a constant added to every logit of a row.',
      classImbalance:
        'Built for imbalance: γ down-weights the many easy examples of frequent classes, and a per-class α list reweights classes directly.',
    },
    whenToUse: [
      'Multi-class classification with many easy examples and a few hard or rare ones (dense detection heads, long-tailed image classification).',
      'Semantic segmentation with dominant background classes, when targets come as one-hot or soft rows.',
      'Soft targets (mixup, label smoothing done on the data) where a focal weighting is wanted.',
    ],
    limitations: [
      'Probabilities come out less calibrated than with cross-entropy: the loss stops pushing confident predictions.',
      'Two interacting hyperparameters; α here is a per-class weight (no 1 − α for the other classes, unlike the sigmoid focal loss).',
      'With fromLogits: false the log is clipped at 1e-7 and probabilities are not renormalised; prefer logits.',
      'For integer labels sparseCategoricalFocal avoids the one-hot tensor.',
    ],
    references: [
      'Lin et al. (2017), Focal Loss for Dense Object Detection',
      'Keras CategoricalFocalCrossentropy (alpha, gamma, from_logits)',
    ],
    tasks: ['multiclass', 'segmentation'],
  },
});
