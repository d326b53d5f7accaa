import { defineLoss } from '../define.js';
import {
  aggregateOption,
  alphaOption,
  bceMean,
  epsOption,
  fromLogitsOption,
  groupCount,
  overlapLoss,
  scalar,
  validateSegmentation,
} from './overlap.js';

/**
 * BCE + Dice: a weighted sum of the pixel-wise binary cross-entropy and the Dice loss.
 *
 * ℓ = α·BCE + (1 − α)·Dice, where BCE is the mean over every element (torch
 * `binary_cross_entropy`: logs clamped at −100, gradient (p − y)/max(p(1 − p), 1e-12); with
 * `fromLogits`, the log-space (1 − y)·softplus(x) + y·softplus(−x), finite for ±1e4) and Dice is
 * `dice` with the same `eps`, `fromLogits` and `aggregate`. `input` [N, ...] (any shape with
 * 'batch') and `target` (same shape, values in [0, 1]); the value is 0-d (no `reduction`).
 *
 * @example
 * bceDice([[0.9, 0.1, 0.8, 0.2]], [[1, 0, 1, 0]]).item() // 0.15712582924347768
 */
export const { entry: bceDiceLoss, fn: bceDice } = defineLoss({
  kind: 'custom',
  name: 'bceDice',
  family: 'segmentation',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: {
    alpha: alphaOption(),
    eps: epsOption(),
    fromLogits: fromLogitsOption(),
    aggregate: aggregateOption(),
  },
  validate(t, options) {
    validateSegmentation('bceDice', t.input, t.target, options);
  },
  valueShape: () => [],
  compute({ t, options, upstream, grads, dtype }) {
    const { alpha, eps, fromLogits, aggregate } = options;
    const u = upstream === null ? 1 : upstream[0];
    const x = t.input.data;
    const y = t.target.data;
    const g = grads?.input ?? null;
    const bce = bceMean(x, y, fromLogits, u * alpha, g);
    const overlap = overlapLoss(
      'dice',
      x,
      y,
      groupCount(t.input, aggregate),
      eps,
      fromLogits,
      u * (1 - alpha),
      g,
    );
    return scalar(alpha * bce + (1 - alpha) * overlap, dtype);
  },
  info: {
    title: 'BCE + Dice loss',
    summary:
      'Pixel-wise binary cross-entropy plus Dice: stable per-pixel gradients together with an overlap objective.',
    formula: 'ℓ = α·mean(BCE(p, y)) + (1 − α)·(1 − (2Σpy + ε)/(Σp + Σy + ε))',
    properties: {
      differentiability: 'Smooth in the probabilities; through the sigmoid with logits.',
      robustness:
        'The BCE term keeps gradients informative on empty or tiny masks where Dice alone is unstable.',
      gradientBehaviour:
        'BCE gives dense per-pixel gradients from the start of training; Dice adds a global overlap push.',
      scaleSensitivity:
        'The BCE part is a per-pixel mean and the Dice part a ratio, so neither grows with image size.',
      classImbalance:
        'Dice counters foreground/background imbalance; BCE alone would be dominated by the background.',
    },
    whenToUse: [
      'The default for binary segmentation with small or variable foreground (e.g. U-Net baselines, Kaggle segmentation).',
      'When Dice alone trains unstably.',
    ],
    limitations: [
      'α must be tuned; the two terms have different scales early in training.',
      'Probability inputs pay the BCE clamp (loss ≤ 100 per pixel, huge gradient at p ∈ {0, 1}); prefer fromLogits for raw network outputs.',
    ],
    hyperparameters: [
      { name: 'alpha', typical: '0.5', effect: 'Weight of BCE; 1 − alpha weighs Dice.' },
      { name: 'eps', typical: '1e-5 to 1', effect: 'Dice smoothing in numerator and denominator.' },
    ],
    references: [
      'Isensee et al. (2021), nnU-Net (Dice + cross-entropy)',
      'Milletari, Navab & Ahmadi (2016), V-Net',
      'PyTorch torch.nn.functional.binary_cross_entropy',
    ],
    tasks: ['segmentation'],
  },
});
