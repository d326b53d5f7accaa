import { defineBoxLoss } from './defineBoxLoss.js';

/**
 * Complete IoU loss for box regression (Zheng et al. 2020), as torchvision's
 * `complete_box_iou_loss`.
 *
 * ℓ = 1 − IoU + ρ²/(c² + ε) + α·v, v = 4/π²·(atan(w_t/h_t) − atan(w/h))², α = v / (1 − IoU + v + ε)
 * treated as a constant (no gradient flows through α, as torchvision's `torch.no_grad()`). The
 * angles are computed as atan2(w, h), which equals atan(w/h) for h > 0 and stays finite for a box
 * of zero height (torch gives NaN when both sides are 0). Inputs and reductions as `giou`.
 *
 * @example
 * ciou([[0, 0, 2, 2]], [[1, 1, 3, 3]]).item() // equal aspect ratios: v = 0, the DIoU value ≈ 0.9683
 */
export const { entry: ciouLoss, fn: ciou } = defineBoxLoss('ciou', 'ciou', {
  title: 'Complete IoU (CIoU) loss',
  summary:
    'DIoU plus an aspect-ratio term: overlap, centre distance and shape, the three geometric factors of a box fit.',
  formula: 'ℓ = 1 − IoU + ρ²/c² + α·v,  v = (4/π²)(atan(w_t/h_t) − atan(w/h))²,  α = v / (1 − IoU + v)',
  properties: {
    differentiability:
      'Piecewise smooth in the corners; α is held constant in the gradient (the paper and torchvision), so the gradient is not that of the value.',
    robustness: 'Bounded: 1 − IoU + ρ²/c² < 2 and α·v ≤ 1.',
    gradientBehaviour:
      'The aspect term matters once the boxes overlap well (α grows as IoU → 1); far apart, the centre term dominates.',
    scaleSensitivity: 'Scale-invariant, as DIoU.',
    classImbalance: 'Not applicable (matched box pairs).',
  },
  whenToUse: [
    'Box regression in modern one-stage detectors (the YOLO family defaults to it).',
    'When predicted boxes overlap their targets but keep the wrong aspect ratio.',
  ],
  limitations: [
    'Its gradient is not the derivative of its value (α without gradient): finite differences do not check it.',
    'Needs valid corner boxes (x2 ≥ x1, y2 ≥ y1).',
  ],
  references: [
    'Zheng et al. (2020), Distance-IoU Loss: Faster and Better Learning for Bounding Box Regression (CIoU in §3.3)',
    'torchvision.ops.complete_box_iou_loss',
  ],
  tasks: ['detection'],
});
