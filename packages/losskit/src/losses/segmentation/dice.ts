import { defineOverlapLoss } from './defineOverlapLoss.js';

/**
 * Soft Dice loss for binary segmentation.
 *
 * With p the predicted probabilities (σ(input) when `fromLogits`) and y the target:
 * ℓ = 1 − (2Σpy + ε)/(Σp + Σy + ε). `aggregate: 'batch'` sums over every element for one score;
 * `'sample'` computes one score per index of the first axis and averages the losses. ε stays in
 * numerator and denominator, so an empty target with an empty prediction gives 0 and each false
 * positive on an empty target raises the loss. `input` [N, ...] (any shape with 'batch') and
 * `target` (same shape, values in [0, 1]); the value is 0-d (no `reduction`). Logits go through
 * σ(x)σ(−x) in the gradient, finite for ±1e4.
 *
 * @example
 * dice([[0.9, 0.1, 0.8, 0.2]], [[1, 0, 1, 0]]).item() // 0.14999962500093733
 */
export const { entry: diceLoss, fn: dice } = defineOverlapLoss('dice', 'dice', {
  title: 'Dice loss',
  summary: 'One minus the soft Dice coefficient (F1 overlap) between the predicted mask and the target mask.',
  formula: 'ℓ = 1 − (2Σpy + ε)/(Σp + Σy + ε)',
  properties: {
    differentiability:
      'Smooth in the probabilities (a ratio of sums); with logits, smooth through the sigmoid.',
    robustness:
      'A global ratio: single pixels matter little, but small structures can be missed entirely without a pixel-wise term.',
    gradientBehaviour:
      'Gradients depend on the whole mask and can be large and unstable when the sums are small (tiny or empty objects).',
    scaleSensitivity: 'Invariant to the number of pixels: depends only on overlap fractions, not image size.',
    classImbalance: 'Designed for it: the background does not swamp the score, unlike pixel-wise BCE.',
  },
  whenToUse: [
    'Binary or per-class segmentation with a small foreground (medical imaging, defects).',
    'When the evaluation metric is Dice/F1 and you want to optimise it directly.',
  ],
  limitations: [
    'Noisy, unstable gradients early in training and for empty masks; combine with BCE (see bceDice).',
    "'batch' and 'sample' aggregation weigh images differently: with 'sample', an image with a tiny object counts as much as one with a large object.",
    'Soft Dice on probabilities is not the thresholded Dice metric (see diceScore).',
  ],
  references: [
    'Milletari, Navab & Ahmadi (2016), V-Net: Fully Convolutional Neural Networks for Volumetric Medical Image Segmentation',
    'Sudre et al. (2017), Generalised Dice overlap as a deep learning loss function for highly unbalanced segmentations',
  ],
  tasks: ['segmentation'],
});
