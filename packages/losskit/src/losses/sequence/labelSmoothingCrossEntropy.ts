import { requireClassAxis } from '../classification/crossEntropyChecks.js';
import {
  countedLabelWeight,
  type LabelDistribution,
  labelCrossEntropy,
  torchSmoothingBase,
} from '../classification/softmaxCrossEntropyKernel.js';
import { defineLoss } from '../define.js';
import { enumOption, numberOption, optionalNumberOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import { requireLabelShape, requireLabels } from '../validate.js';

const NAME = 'labelSmoothingCrossEntropy';

/** The smoothed target of label y over K classes, for each named distribution. */
function smoothedDistribution(
  classes: number,
  smoothing: number,
  distribution: 'others' | 'uniform',
  ignoreIndex: number | undefined,
): LabelDistribution {
  if (distribution === 'uniform') {
    return {
      base: torchSmoothingBase(classes, smoothing, null),
      trueCoefficient: 1 - smoothing,
      classWeight: null,
      ignoreIndex,
    };
  }
  // 'others': q_y = 1 − α, q_c = α/(K − 1) for c ≠ y. With K = 1 there is no other class.
  const other = classes > 1 ? smoothing / (classes - 1) : 0;
  return {
    base: new Float64Array(classes).fill(other),
    trueCoefficient: 1 - smoothing - other,
    classWeight: null,
    ignoreIndex,
  };
}

/**
 * Cross-entropy against a smoothed one-hot target, with the smoothing distribution named.
 *
 * With l = log softmax(x) over K classes, label y and smoothing α, ℓ = −Σ_c q_c l_c where
 * - `'others'` (default): q_y = 1 − α and q_c = α/(K − 1) for every other class;
 * - `'uniform'`: q_c = α/K everywhere and q_y = 1 − α + α/K (torch `label_smoothing = α`).
 * Labels equal to `ignoreIndex` (when given) contribute 0 and get a zero gradient.
 *
 * Shapes: `input` [..., K] logits, `target` [...] labels. `'none'` gives the target's shape;
 * `'mean'` divides by the number of counted labels (0 with a zero gradient if there are none).
 * Stability: log-sum-exp per row, finite for logits of ±1e4.
 *
 * @example
 * labelSmoothingCrossEntropy([[2, 0, 0]], [0]).item() // 0.4395447662218847
 */
export const { entry: labelSmoothingCrossEntropyLoss, fn: labelSmoothingCrossEntropy } = defineLoss({
  kind: 'reducible',
  name: NAME,
  family: 'sequence',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: {
    smoothing: withNote(
      numberOption(0.1, { min: 0, max: 1 }),
      '0.1',
      'Target mass taken from the true class; larger values give less confident, better calibrated predictions.',
    ),
    distribution: withNote(
      enumOption(['others', 'uniform'] as const, 'others'),
      "'others'",
      "'others' gives the true class exactly 1 − α; 'uniform' gives it 1 − α + α/K.",
    ),
    ignoreIndex: optionalNumberOption({ integer: true }),
    reduction: reductionOption(),
  },
  validate(t, options) {
    requireClassAxis(NAME, 'input', t.input, 1, '[..., K]');
    requireLabelShape(NAME, 'input', t.input, 'target', t.target);
    requireLabels(NAME, 'target', t.target, t.input.shape[t.input.rank - 1], options.ignoreIndex);
  },
  unitShape: (t) => t.target.shape,
  meanDivisor: (t, options) => countedLabelWeight(t.target, null, options.ignoreIndex),
  kernel({ t, options, plan, units, grads }) {
    const classes = t.input.shape[t.input.rank - 1];
    const distribution = smoothedDistribution(
      classes,
      options.smoothing,
      options.distribution,
      options.ignoreIndex,
    );
    return labelCrossEntropy(t.input, t.target, distribution, {
      fromLogits: true,
      plan,
      units,
      grad: grads === null ? null : grads.input,
    });
  },
  info: {
    title: 'Label-smoothing cross-entropy',
    summary:
      'Cross-entropy against a one-hot target softened by α, with the smoothing distribution chosen explicitly: spread over the other classes, or uniform over all.',
    formula:
      "ℓ = −Σ_c q_c log softmax(x)_c; 'others': q_y = 1 − α, q_c = α/(K − 1); 'uniform': q_c = α/K + (1 − α)[c = y]",
    properties: {
      differentiability: 'Smooth in the logits.',
      robustness:
        'More tolerant of label noise than plain cross-entropy: a wrong label still leaves α of the target on the other classes.',
      gradientBehaviour:
        'Gradient softmax(x) − q vanishes at softmax(x) = q, so logits stop growing once the true class reaches 1 − α (finite optimum).',
      scaleSensitivity:
        'The optimal logit gap is fixed by α and K (log((1 − α)(K − 1)/α) for "others"), which regularises the logit scale.',
      classImbalance: 'No class weighting; smoothing mass is spread evenly regardless of class frequency.',
    },
    whenToUse: [
      'Large classifiers and Transformers that overfit by growing confident logits.',
      'Improving calibration of a multi-class model.',
      'Choosing between the two smoothing conventions in the literature explicitly ("others" as in Szegedy et al., "uniform" as in PyTorch and Keras).',
    ],
    limitations: [
      'The minimum loss is the entropy of q, not 0, so values are not comparable with plain cross-entropy.',
      'Hurts knowledge distillation from the smoothed model (its logits lose information about class similarity).',
      "Logits only; no class weights (use sparseCategoricalCrossEntropy with labelSmoothing for torch's weighted form).",
    ],
    references: [
      'Szegedy et al. (2016), Rethinking the Inception Architecture for Computer Vision',
      'Müller, Kornblith and Hinton (2019), When Does Label Smoothing Help?',
      'PyTorch torch.nn.functional.cross_entropy (label_smoothing)',
    ],
    tasks: ['multiclass', 'sequence'],
  },
});
