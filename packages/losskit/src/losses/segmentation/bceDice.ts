import { defineBceOverlapLoss } from './defineOverlapLoss.js';

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
export const { entry: bceDiceLoss, fn: bceDice } = defineBceOverlapLoss('bceDice', 'dice', {
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
  references: [
    'Isensee et al. (2021), nnU-Net (Dice + cross-entropy)',
    'Milletari, Navab & Ahmadi (2016), V-Net',
    'PyTorch torch.nn.functional.binary_cross_entropy',
  ],
  tasks: ['segmentation'],
});
