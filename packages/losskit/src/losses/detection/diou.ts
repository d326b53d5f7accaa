import { defineBoxLoss } from './defineBoxLoss.js';

/**
 * Distance IoU loss for box regression (Zheng et al. 2020), as torchvision's
 * `distance_box_iou_loss`.
 *
 * ℓ = 1 − IoU + ρ²(a, b) / (c² + ε), with ρ the distance between the centres of the predicted box
 * and the target and c the diagonal of the smallest box enclosing both; IoU = |A ∩ B| /
 * (|A ∪ B| + ε). Inputs and reductions as `giou`.
 *
 * @example
 * diou([[0, 0, 2, 2]], [[1, 1, 3, 3]]).item() // 1 − 1/7 + 2/18 ≈ 0.9683
 */
export const { entry: diouLoss, fn: diou } = defineBoxLoss('diou', 'diou', {
  title: 'Distance IoU (DIoU) loss',
  summary:
    '1 − IoU plus the squared distance between the box centres, relative to the enclosing diagonal: pulls the centres together directly.',
  formula: 'ℓ = 1 − IoU(A, B) + ρ²(centre A, centre B) / c²,  c = diagonal of the enclosing box',
  properties: {
    differentiability: 'Piecewise smooth in the corners, as GIoU.',
    robustness: 'Bounded in [0, 2), as GIoU.',
    gradientBehaviour:
      'The centre term keeps a gradient when one box contains the other, where GIoU has none beyond 1 − IoU; it converges faster than GIoU in the paper.',
    scaleSensitivity: 'Scale-invariant: distances are relative to the enclosing diagonal.',
    classImbalance: 'Not applicable (matched box pairs).',
  },
  whenToUse: [
    'Box regression where predictions often start inside or around the target (anchor-free heads).',
    'As the criterion of DIoU-NMS at inference, to keep training and suppression consistent.',
  ],
  limitations: [
    'Ignores the aspect ratio: boxes with the same centre and IoU but different shapes cost the same (CIoU adds it).',
    'Needs valid corner boxes (x2 ≥ x1, y2 ≥ y1).',
  ],
  references: [
    'Zheng et al. (2020), Distance-IoU Loss: Faster and Better Learning for Bounding Box Regression',
    'torchvision.ops.distance_box_iou_loss',
  ],
  tasks: ['detection'],
});
