import { defineBceOverlapLoss } from './defineOverlapLoss.js';

/**
 * BCE + IoU: a weighted sum of the pixel-wise binary cross-entropy and the IoU loss.
 *
 * ℓ = α·BCE + (1 − α)·IoU, where BCE is the mean over every element (torch
 * `binary_cross_entropy`: logs clamped at −100, gradient (p − y)/max(p(1 − p), 1e-12); with
 * `fromLogits`, the log-space (1 − y)·softplus(x) + y·softplus(−x), finite for ±1e4) and IoU is
 * `iou` with the same `eps`, `fromLogits` and `aggregate`. `input` [N, ...] (any shape with
 * 'batch') and `target` (same shape, values in [0, 1]); the value is 0-d (no `reduction`).
 *
 * @example
 * bceIou([[0.9, 0.1, 0.8, 0.2]], [[1, 0, 1, 0]]).item() // 0.2125602322464198
 */
export const { entry: bceIouLoss, fn: bceIou } = defineBceOverlapLoss('bceIou', 'iou', {
  title: 'BCE + IoU loss',
  summary:
    'Pixel-wise binary cross-entropy plus IoU: stable per-pixel gradients together with an intersection-over-union objective.',
  formula: 'ℓ = α·mean(BCE(p, y)) + (1 − α)·(1 − (Σpy + ε)/(Σ(p + y − py) + ε))',
  properties: {
    differentiability: 'Smooth in the probabilities; through the sigmoid with logits.',
    robustness:
      'The BCE term keeps gradients informative on empty or tiny masks where IoU alone is unstable.',
    gradientBehaviour:
      'BCE gives dense per-pixel gradients; IoU adds a global overlap push that is stricter than Dice at the same overlap.',
    scaleSensitivity:
      'The BCE part is a per-pixel mean and the IoU part a ratio, so neither grows with image size.',
    classImbalance:
      'IoU counters foreground/background imbalance; BCE alone would be dominated by the background.',
  },
  whenToUse: [
    'Binary segmentation evaluated with IoU / Jaccard, when IoU alone trains unstably.',
    'Salient-object detection and matting-style masks (BASNet-style hybrid losses).',
  ],
  limitations: [
    'α must be tuned; the two terms have different scales early in training.',
    'Probability inputs pay the BCE clamp (loss ≤ 100 per pixel, huge gradient at p ∈ {0, 1}); prefer fromLogits for raw network outputs.',
  ],
  references: [
    'Qin et al. (2019), BASNet: Boundary-Aware Salient Object Detection (BCE + IoU hybrid loss)',
    'Rahman & Wang (2016), Optimizing Intersection-Over-Union in Deep Neural Networks for Image Segmentation',
    'PyTorch torch.nn.functional.binary_cross_entropy',
  ],
  tasks: ['segmentation'],
});
