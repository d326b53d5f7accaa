import { defineLoss } from '../define.js';
import { booleanOption, numberOption, optionalNumberOption, tensorOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import { requireLabelShape, requireLabels, requireUnitInterval } from '../validate.js';
import { requireClassAxis, requireClassWeight } from './crossEntropyChecks.js';
import {
  countedLabelWeight,
  labelCrossEntropy,
  labelKernelChecksLogits,
  torchSmoothingBase,
} from './softmaxCrossEntropyKernel.js';
import { requireFiniteZLossGradient, requireZLossOnLogits, zLossOption } from './zLoss.js';

const NAME = 'sparseCategoricalCrossEntropy';

/**
 * Cross-entropy against integer class labels (torch `F.cross_entropy` with index targets).
 *
 * Per position with label y, class weights w (ones by default), smoothing α and
 * log-probabilities l = log softmax(x) (or log clip(p, 1e-7, 1) with `fromLogits: false`):
 * ℓ = (1 − α)·w_y·(−l_y) + (α/C)·Σ_c w_c·(−l_c). Positions whose label equals `ignoreIndex`
 * contribute 0 and get a zero gradient. With `zLoss` z > 0 (logits only), PaLM's auxiliary
 * z-loss z·lse² (lse = log Σ_c exp x_c, unweighted) is added at every counted position, with
 * gradient 2z·lse·softmax(x); it keeps the log-partition near 0 (Chowdhery et al. 2022).
 *
 * Shapes: `input` [..., C] (classes last), `target` [...] (an unbatched [C] takes a 0-d label).
 * `'none'` gives the target's shape; `'sum'` adds; `'mean'` divides by Σ w_y over the counted
 * labels (their number without weights), and is 0 with a zero gradient when nothing is counted;
 * the z-loss terms share that divisor.
 * Stability: log-sum-exp per row, finite for logits of ±1e4. Without `ignoreIndex` every label
 * must lie in [0, C), so −100 is an error.
 *
 * @example
 * sparseCategoricalCrossEntropy([[2, 0, 0], [0, 3, 0]], [0, 1]).item() // 0.1672338613214227
 */
export const { entry: sparseCategoricalCrossEntropyLoss, fn: sparseCategoricalCrossEntropy } = defineLoss({
  kind: 'reducible',
  name: NAME,
  family: 'classification',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: {
    fromLogits: booleanOption(true),
    weight: withNote(
      tensorOption(),
      'inverse class frequency, or its square root',
      "Scales each class's terms; raises the gradient of rare classes.",
    ),
    ignoreIndex: withNote(
      optionalNumberOption({ integer: true }),
      "-100 (PyTorch's convention) or 255 in segmentation",
      'Labels with this value are left out of the value, the gradient and the mean divisor.',
    ),
    labelSmoothing: withNote(
      numberOption(0, { min: 0, max: 1 }),
      '0.1',
      'Spreads α of the target mass uniformly over the classes (weighted by w).',
    ),
    zLoss: withNote(
      zLossOption(),
      '0 (off); 1e-4 in PaLM',
      'Adds z·lse² per counted position, pulling the log-partition towards 0 so that logits stay small without changing the softmax much (logits only).',
    ),
    reduction: reductionOption(),
  },
  validate(t, options) {
    requireClassAxis(NAME, 'input', t.input, 1, '[..., C]');
    requireLabelShape(NAME, 'input', t.input, 'target', t.target);
    const classes = t.input.shape[t.input.rank - 1];
    requireLabels(NAME, 'target', t.target, classes, options.ignoreIndex);
    if (options.weight !== undefined) requireClassWeight(NAME, options.weight, classes);
    requireZLossOnLogits(NAME, options.zLoss, options.fromLogits);
    if (!options.fromLogits) requireUnitInterval(NAME, 'input', t.input);
  },
  // Labels are checked as integers, probabilities in [0, 1], and logits by the SIMD kernel.
  finiteCheckedBy: (t, options) =>
    !options.fromLogits || labelKernelChecksLogits(t.input, true, options.labelSmoothing)
      ? ['input', 'target']
      : ['target'],
  // The SIMD kernel writes every gradient row (ignored ones as zeros).
  overwritesGrads: (t, options) =>
    labelKernelChecksLogits(t.input, options.fromLogits, options.labelSmoothing),
  unitShape: (t) => t.target.shape,
  meanDivisor: (t, options) =>
    countedLabelWeight(t.target, options.weight?.data ?? null, options.ignoreIndex),
  kernel({ t, options, plan, units, grads }) {
    const classes = t.input.shape[t.input.rank - 1];
    const classWeight = options.weight?.data ?? null;
    const distribution = {
      base: torchSmoothingBase(classes, options.labelSmoothing, classWeight),
      trueCoefficient: 1 - options.labelSmoothing,
      classWeight,
      ignoreIndex: options.ignoreIndex,
    };
    const grad = grads === null ? null : grads.input;
    const total = labelCrossEntropy(t.input, t.target, distribution, {
      fromLogits: options.fromLogits,
      plan,
      units,
      grad,
      zLoss: options.zLoss,
    });
    if (options.zLoss !== 0 && grad !== null) {
      let targetMass = 1;
      if (classWeight !== null) for (const w of classWeight) targetMass = Math.max(targetMass, w);
      requireFiniteZLossGradient(NAME, options.zLoss, total, plan.scale, targetMass, grad, t.input.shape);
    }
    return total;
  },
  info: {
    title: 'Sparse categorical cross-entropy',
    summary:
      'Multi-class cross-entropy with integer labels, optional class weights, an ignored label and label smoothing, as PyTorch defines them.',
    formula:
      'ℓ = (1 − α)·w_y·(−log softmax(x)_y) + (α/C)·Σ_c w_c·(−log softmax(x)_c) + z·(log Σ_c exp x_c)²; mean = Σℓ / Σ w_y over counted labels',
    properties: {
      differentiability:
        'Smooth in the logits; with probabilities, the gradient is cut to 0 below the 1e-7 clip.',
      robustness:
        'Not robust to label noise: a mislabelled example with a confident prediction keeps a large gradient.',
      gradientBehaviour:
        'Logit gradient is w_y(softmax(x) − onehot(y)) without smoothing: bounded, and largest when the prediction is wrong.',
      scaleSensitivity:
        'Depends on the logit scale; invariant to a constant added to every logit of a row. Class weights rescale the loss only through their ratios under mean.',
      classImbalance:
        'Class weights w_c counter imbalance; the weighted mean divides by the weights of the counted labels, so uniform weights change nothing.',
    },
    whenToUse: [
      'Multi-class classification with integer labels (image classification, intent detection).',
      'Per-pixel semantic segmentation with an ignore label for unlabelled pixels.',
      'Imbalanced classes, with per-class weights (e.g. inverse frequency).',
    ],
    limitations: [
      'One label per position: multi-label problems need binaryCrossEntropyWithLogits.',
      "Weighted mean is torch's normalisation (Σ w_y of the batch), so the loss scale shifts with the batch's class mix.",
      'With fromLogits: false the log is clipped at 1e-7 and probabilities are not renormalised; prefer logits.',
    ],
    references: [
      'PyTorch torch.nn.functional.cross_entropy (weight, ignore_index, label_smoothing)',
      'Keras sparse_categorical_crossentropy (from_logits)',
      'Chowdhery et al. (2022), PaLM: Scaling Language Modeling with Pathways (auxiliary z-loss)',
    ],
    tasks: ['multiclass', 'segmentation'],
  },
});
