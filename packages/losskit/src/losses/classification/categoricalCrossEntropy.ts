import { defineLoss } from '../define.js';
import { booleanOption, numberOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import { requireSameShape, requireUnitInterval } from '../validate.js';
import { requireClassAxis } from './crossEntropyChecks.js';
import { denseCrossEntropy } from './softmaxCrossEntropyKernel.js';

const NAME = 'categoricalCrossEntropy';

/**
 * Categorical cross-entropy against a target distribution (soft labels or one-hot rows).
 *
 * Per row, with y' = y(1 − α) + α/C (label smoothing α):
 * - `fromLogits: true` (default): ℓ = −Σ_c y'_c log softmax(x)_c, ∂ℓ/∂x = (Σy')·softmax(x) − y'
 *   (torch `F.cross_entropy` with probability targets);
 * - `fromLogits: false`: ℓ = −Σ_c y'_c log clip(p_c, 1e-7, 1), ∂ℓ/∂p_c = −y'_c/p_c, 0 where
 *   p_c < 1e-7 (Keras `categorical_crossentropy`; probabilities are not renormalised).
 *
 * Shapes: `input` and `target` [..., C], classes on the last axis. `'none'` gives the input's
 * shape minus the last axis (an unbatched [C] gives a 0-d value); `'mean'` averages over rows,
 * `'sum'` adds them. Stability: log-sum-exp with the row maximum subtracted, finite for logits
 * of ±1e4. Probability inputs and targets outside [0, 1] are an error.
 *
 * @example
 * categoricalCrossEntropy([[2, 0, 0]], [[1, 0, 0]]).item() // 0.2395447662218847
 */
export const { entry: categoricalCrossEntropyLoss, fn: categoricalCrossEntropy } = defineLoss({
  kind: 'reducible',
  name: NAME,
  family: 'classification',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: {
    fromLogits: booleanOption(true),
    labelSmoothing: withNote(
      numberOption(0, { min: 0, max: 1 }),
      '0 to 0.1 (0.1 in Inception-v3 and Transformer training)',
      'Mixes the target with the uniform distribution, capping the confidence the loss rewards.',
    ),
    reduction: reductionOption(),
  },
  validate(t, options) {
    requireClassAxis(NAME, 'input', t.input, 1, '[..., C]');
    requireSameShape(NAME, 'input', t.input, 'target', t.target);
    requireUnitInterval(NAME, 'target', t.target);
    if (!options.fromLogits) requireUnitInterval(NAME, 'input', t.input);
  },
  unitShape: (t) => t.input.shape.slice(0, -1),
  kernel({ t, options, plan, units, grads }) {
    return denseCrossEntropy(t.input, t.target, options.labelSmoothing, {
      fromLogits: options.fromLogits,
      plan,
      units,
      grad: grads === null ? null : grads.input,
    });
  },
  info: {
    title: 'Categorical cross-entropy',
    summary:
      'Cross-entropy between a predicted class distribution and a target distribution given as one-hot or soft rows.',
    formula:
      'ℓ = −Σ_c y′_c log softmax(x)_c, y′ = y(1 − α) + α/C (or log clip(p, 1e-7, 1) for probabilities)',
    properties: {
      differentiability:
        'Smooth in the logits; with probabilities, the gradient is cut to 0 below the 1e-7 clip.',
      robustness:
        'Not robust to label noise: a confidently wrong prediction costs a loss that grows linearly with the logit gap.',
      gradientBehaviour:
        'Logit gradient is softmax(x)·Σy′ − y′, bounded in [−1, 1] per class and never saturating while the prediction is wrong.',
      scaleSensitivity:
        'Depends on the logit scale (temperature); the value is in nats and is invariant to adding a constant to every logit of a row.',
      classImbalance:
        'Every row counts equally; frequent classes dominate unless the targets are reweighted (see sparseCategoricalCrossEntropy weight) or focal is used.',
    },
    whenToUse: [
      'Multi-class classification with one-hot labels, when labels are already in one-hot or soft form.',
      'Training against soft targets: mixup, teacher probabilities in knowledge distillation, annotator vote fractions.',
      'Label smoothing to keep a large classifier from growing its logits without bound.',
    ],
    limitations: [
      'Needs a dense target row per example; for integer labels sparseCategoricalCrossEntropy avoids the one-hot tensor.',
      'With fromLogits: false the log is clipped at 1e-7, so the loss saturates near 16.1 and the gradient vanishes for probabilities below the clip; prefer logits.',
      'Target rows are not required to sum to 1; rows that do not are scaled by their sum in the gradient.',
    ],
    references: [
      'PyTorch torch.nn.functional.cross_entropy (probability targets, label_smoothing)',
      'Keras categorical_crossentropy (from_logits, label_smoothing, epsilon 1e-7)',
      'Szegedy et al. (2016), Rethinking the Inception Architecture for Computer Vision (label smoothing)',
    ],
    tasks: ['multiclass', 'distillation', 'segmentation'],
  },
});
