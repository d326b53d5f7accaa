import { defineLoss } from '../define.js';
import { numberOption, tensorOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import { requireSameShape } from '../validate.js';
import { probabilityBce, probabilityBceGrad } from './binaryTerms.js';

const NAME = 'binaryCrossEntropy';

/**
 * Binary cross-entropy on probabilities.
 *
 * ℓᵢ = −wᵢ[yᵢ log pᵢ + (1 − yᵢ) log(1 − pᵢ)], each log clamped at −100, so p = 0 or 1 gives a
 * finite loss (at most 100·w); ∂ℓᵢ/∂pᵢ = wᵢ(pᵢ − yᵢ) / max(pᵢ(1 − pᵢ), 1e-12), PyTorch's gradient,
 * which stays finite (±1e12·w at most) also where the log is clamped. `weight` (default 1) has
 * the input's shape. Reduced by `reduction`: `'mean'` divides by the number of elements, not by
 * the summed weights. `input`, `target` (soft targets allowed) and `weight` share one shape;
 * probabilities or targets outside [0, 1] are an error. With `labelSmoothing` α (default 0, in
 * [0, 1]) each target is first replaced by y(1 − α) + α/2, as Keras and TF.js do; the gradient
 * is then taken at that target. Matches torch `F.binary_cross_entropy`.
 * Prefer `binaryCrossEntropyWithLogits` when the model outputs logits: it needs no clamp.
 *
 * @example
 * binaryCrossEntropy([0.9, 0.2], [1, 0]).item() // 0.16425203348601802
 */
export const { entry: binaryCrossEntropyLoss, fn: binaryCrossEntropy } = defineLoss({
  kind: 'reducible',
  name: NAME,
  family: 'classification',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: {
    weight: withNote(
      tensorOption(),
      'unset, or larger on rare positives',
      "Rescales each element's loss and gradient; the mean still divides by the element count.",
    ),
    labelSmoothing: withNote(
      numberOption(0, { min: 0, max: 1 }),
      '0, or 0.05 to 0.2 against over-confidence',
      'Pulls each target towards ½ by this fraction (y(1 − α) + α/2), which caps how far the probabilities are pushed towards 0 and 1.',
    ),
    reduction: reductionOption(),
  },
  validate(t, options) {
    requireSameShape(NAME, 'input', t.input, 'target', t.target);
    if (options.weight !== undefined)
      requireSameShape(NAME, 'input', t.input, 'options.weight', options.weight);
  },
  checks: [
    { input: 'input', check: 'unitInterval' },
    { input: 'target', check: 'unitInterval', what: 'target' },
  ],
  unitShape: (t) => t.input.shape,
  kernel({ t, options, plan, units, grads }) {
    const p = t.input.data;
    const y = t.target.data;
    const w = options.weight === undefined ? null : options.weight.data;
    const g = grads === null ? null : grads.input;
    const up = plan.upstream;
    const s = plan.scale;
    // Keras's smoothing, y ← y(1 − α) + α/2: smoothed = keep·y + half.
    const keep = 1 - options.labelSmoothing;
    const half = 0.5 * options.labelSmoothing;
    let total = 0;
    for (let i = 0; i < p.length; i++) {
      const wi = w === null ? 1 : w[i];
      const yi = keep * y[i] + half;
      const l = wi * probabilityBce(p[i], yi);
      total += l;
      if (units !== null) units[i] = l;
      if (g !== null) g[i] = (up === null ? s : s * up[i]) * wi * probabilityBceGrad(p[i], yi);
    }
    return total;
  },
  info: {
    title: 'Binary cross-entropy',
    summary:
      'Negative log-likelihood of Bernoulli targets under predicted probabilities, one independent yes/no per element.',
    formula:
      'ℓ = −w[y′ log p + (1 − y′) log(1 − p)], y′ = y(1 − α) + α/2 (α = labelSmoothing), logs clamped at −100',
    properties: {
      differentiability:
        "Smooth on (0, 1); at p = 0 or 1 the clamped log is flat, but PyTorch's gradient (p − y)/max(p(1 − p), 1e-12) is used.",
      robustness:
        'Not robust to label noise: a confident mistake costs up to 100 (the clamp) and dominates the mean.',
      gradientBehaviour:
        'Gradient (p − y)/(p(1 − p)) with respect to the probability explodes near 0 and 1; through a sigmoid it becomes the tame σ(x) − y.',
      scaleSensitivity: 'Inputs must be probabilities; the loss is in nats per element.',
      classImbalance: 'Each element counts equally; use `weight` (per element) or focal for rare positives.',
    },
    whenToUse: [
      'Binary or multi-label classification when the model already outputs probabilities (a final sigmoid).',
      'Reconstruction of data in [0, 1] (binarised images) with soft targets.',
    ],
    limitations: [
      'Less accurate than binaryCrossEntropyWithLogits: the sigmoid rounds to exactly 0 or 1 for |logit| > 37 in float64 (17 in float32) and the loss saturates at the clamp.',
      'Probabilities or targets outside [0, 1] are rejected, not clipped.',
    ],
    references: [
      'PyTorch torch.nn.functional.binary_cross_entropy',
      'Bishop (2006), Pattern Recognition and Machine Learning, §4.3.2',
    ],
    tasks: ['binary', 'multilabel', 'autoencoder'],
  },
});
