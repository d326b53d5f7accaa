import { defineOverlapLoss } from './defineOverlapLoss.js';

/**
 * Soft IoU (Jaccard) loss for binary segmentation.
 *
 * With p the predicted probabilities (σ(input) when `fromLogits`) and y the target:
 * ℓ = 1 − (Σpy + ε)/(Σ(p + y − py) + ε). `aggregate: 'batch'` sums over every element for one
 * score; `'sample'` computes one score per index of the first axis and averages the losses.
 * ε stays in numerator and denominator, so an empty target with an empty prediction gives 0 and
 * each false positive on an empty target raises the loss. `input` [N, ...] (any shape with
 * 'batch') and `target` (same shape, values in [0, 1]); the value is 0-d (no `reduction`).
 * Logits go through σ(x)σ(−x) in the gradient, finite for ±1e4.
 *
 * @example
 * iou([[0.9, 0.1, 0.8, 0.2]], [[1, 0, 1, 0]]).item() // 0.26086843100682156
 */
export const { entry: iouLoss, fn: iou } = defineOverlapLoss('iou', 'iou', {
  title: 'IoU (Jaccard) loss',
  summary: 'One minus the soft intersection-over-union between the predicted mask and the target mask.',
  formula: 'ℓ = 1 − (Σpy + ε)/(Σ(p + y − py) + ε)',
  properties: {
    differentiability:
      'Smooth in the probabilities (a ratio of sums); with logits, smooth through the sigmoid.',
    robustness:
      'A global ratio: insensitive to individual pixels, but small objects can be missed without a pixel-wise term.',
    gradientBehaviour:
      'Penalises errors more strongly than Dice at the same overlap (IoU ≤ Dice); gradients are unstable when the sums are small.',
    scaleSensitivity: 'Invariant to the number of pixels: depends only on overlap fractions.',
    classImbalance: 'Designed for it: the background does not swamp the score.',
  },
  whenToUse: [
    'Segmentation evaluated with IoU / Jaccard (mIoU benchmarks).',
    'Foreground much smaller than the background.',
  ],
  limitations: [
    'Noisy gradients for empty or tiny masks; combine with BCE (see bceIou) or use the Lovász hinge for a tighter IoU surrogate.',
    'Soft IoU on probabilities is not the thresholded IoU metric (see iouScore).',
  ],
  references: [
    'Rahman & Wang (2016), Optimizing Intersection-Over-Union in Deep Neural Networks for Image Segmentation',
    'Jaccard (1912), The distribution of the flora in the alpine zone',
  ],
  tasks: ['segmentation'],
});
