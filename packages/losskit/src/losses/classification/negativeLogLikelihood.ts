import { defineLoss } from '../define.js';
import { optionalNumberOption, tensorOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import { requireLabelShape, requireLabels } from '../validate.js';
import { requireClassAxis, requireClassWeight } from './crossEntropyChecks.js';
import { largestGradient, weightedGradientOverflow } from './marginChecks.js';
import { countedLabelWeight } from './softmaxCrossEntropyKernel.js';

const NAME = 'negativeLogLikelihood';

/**
 * Negative log-likelihood of integer labels given log-probabilities (torch `F.nll_loss`, with the
 * classes on the last axis).
 *
 * Per position with label y and class weights w (ones by default): ℓ = −w_y·x_y, where x holds
 * log-probabilities (e.g. the output of a log-softmax); ∂ℓ/∂x_y = −w_y and 0 for the other
 * classes. Positions whose label equals `ignoreIndex` contribute 0 and get a zero gradient.
 *
 * Shapes: `input` [..., C], `target` [...] (an unbatched [C] takes a 0-d label). `'none'` gives
 * the target's shape; `'sum'` adds; `'mean'` divides by Σ w_y over the counted labels (their
 * number without weights), and is 0 with a zero gradient when nothing is counted. The input is
 * not checked to be log-probabilities: any finite scores are taken as they are, as torch does.
 *
 * @example
 * negativeLogLikelihood([[-0.5, -1, -2], [-3, -0.1, -4]], [0, 1]).item() // 0.3
 */
export const { entry: negativeLogLikelihoodLoss, fn: negativeLogLikelihood } = defineLoss({
  kind: 'reducible',
  name: NAME,
  family: 'classification',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: {
    weight: withNote(
      tensorOption(),
      'inverse class frequency, or its square root',
      "Scales each class's term and its gradient.",
    ),
    ignoreIndex: withNote(
      optionalNumberOption({ integer: true }),
      "-100 (PyTorch's convention) or 255 in segmentation",
      'Labels with this value are left out of the value, the gradient and the mean divisor.',
    ),
    reduction: reductionOption(),
  },
  validate(t, options) {
    requireClassAxis(NAME, 'input', t.input, 1, '[..., C]');
    requireLabelShape(NAME, 'input', t.input, 'target', t.target);
    const classes = t.input.shape[t.input.rank - 1];
    requireLabels(NAME, 'target', t.target, classes, options.ignoreIndex);
    if (options.weight !== undefined) requireClassWeight(NAME, options.weight, classes);
  },
  unitShape: (t) => t.target.shape,
  meanDivisor: (t, options) =>
    countedLabelWeight(t.target, options.weight?.data ?? null, options.ignoreIndex),
  kernel({ t, options, plan, units, grads }) {
    const x = t.input.data;
    const labels = t.target.data;
    const classes = t.input.shape[t.input.rank - 1];
    const w = options.weight?.data ?? null;
    const ignore = options.ignoreIndex;
    const g = grads === null ? null : grads.input;
    const up = plan.upstream;
    const s = plan.scale;
    const largest = largestGradient(t.input.dtype);
    let total = 0;
    for (let r = 0; r < labels.length; r++) {
      const y = labels[r];
      // Ignored positions keep the zeros their unit and gradient buffers start with.
      if (y === ignore) continue;
      const wy = w === null ? 1 : w[y];
      const at = r * classes + y;
      const l = -wy * x[at] + 0;
      total += l;
      if (units !== null) units[r] = l;
      if (g !== null) {
        const d = -(up === null ? s : s * up[r]) * wy;
        // A float64 class weight can exceed what a float32 gradient holds while the value is 0.
        if (w !== null && !(Math.abs(d) <= largest)) throw weightedGradientOverflow(NAME, d, t.input.dtype);
        g[at] = d;
      }
    }
    return total;
  },
  info: {
    title: 'Negative log-likelihood',
    summary:
      'Minus the log-probability a model gives the true class, from log-probabilities, with optional class weights and an ignored label (PyTorch nll_loss).',
    formula: 'ℓ = −w_y·x_y with x = log-probabilities; mean = Σℓ / Σ w_y over counted labels',
    properties: {
      differentiability:
        'Linear in the log-probabilities: the gradient is −w_y on the true class and 0 elsewhere.',
      robustness:
        'As cross-entropy: a confidently wrong prediction has a large loss, so noisy labels weigh heavily.',
      gradientBehaviour:
        'Constant gradient with respect to x; the shape of the learning signal comes from the log-softmax (or other normaliser) placed before it.',
      scaleSensitivity:
        'Expects normalised log-probabilities; unnormalised scores make the loss unbounded below, since nothing ties the classes together.',
      classImbalance:
        'Class weights w_c counter imbalance; the weighted mean divides by the weights of the counted labels.',
    },
    whenToUse: [
      'Multi-class classification where the model already ends in a log-softmax (or another log-probability output).',
      'Likelihood training of models with custom output distributions (mixtures, adaptive softmax, a copy mechanism).',
      'Segmentation or token tasks with an ignore label, after a log-softmax.',
    ],
    limitations: [
      'Takes log-probabilities, not logits: with logits, sparseCategoricalCrossEntropy is the stable fused form.',
      'Does not check that the inputs are log-probabilities; unnormalised inputs give a meaningless value.',
      "The weighted mean is torch's normalisation (Σ w_y of the batch), so the loss scale shifts with the batch's class mix.",
    ],
    references: ['PyTorch torch.nn.functional.nll_loss (weight, ignore_index)'],
    tasks: ['multiclass', 'segmentation'],
  },
});
