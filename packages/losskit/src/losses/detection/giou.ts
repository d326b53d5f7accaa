import { defineBoxLoss } from './defineBoxLoss.js';

/**
 * Generalized IoU loss for box regression (Rezatofighi et al. 2019), as torchvision's
 * `generalized_box_iou_loss`.
 *
 * ℓ = 1 − IoU + (|C| − |A ∪ B|) / (|C| + ε), IoU = |A ∩ B| / (|A ∪ B| + ε), with C the smallest
 * box enclosing the predicted box A and the target B. `boxes` (the gradient's input) and
 * `target` are [..., 4] as (x1, y1, x2, y2) with x2 ≥ x1 and y2 ≥ y1 (a box that breaks this is
 * a `LossInputError`); one unit per box, reduced by `reduction` (`'none'` has the shape without
 * the last axis). ℓ ∈ [0, 2): unlike 1 − IoU it keeps a gradient when the boxes do not overlap.
 *
 * @example
 * giou([[0, 0, 2, 2]], [[1, 1, 3, 3]]).item() // 1 − 1/7 + (9 − 7)/9 ≈ 1.0794
 */
export const { entry: giouLoss, fn: giou } = defineBoxLoss('giou', 'giou', {
  title: 'Generalized IoU (GIoU) loss',
  summary:
    'Box regression on the overlap itself: 1 − IoU, plus the empty share of the box that encloses both, so that disjoint boxes still get a gradient.',
  formula: 'ℓ = 1 − IoU(A, B) + (|C| − |A ∪ B|) / |C|,  C = smallest box enclosing A and B',
  properties: {
    differentiability:
      'Piecewise smooth in the corners; kinks where an edge of one box crosses an edge of the other.',
    robustness:
      'Bounded in [0, 2): a wildly wrong box costs at most 2, so a few bad anchors cannot dominate the batch.',
    gradientBehaviour:
      'Disjoint boxes are pulled together through the enclosing-box term; once they overlap, the IoU term takes over. Convergence slows when one box contains the other (the penalty is then 0).',
    scaleSensitivity:
      'Scale-invariant: the loss of a pair does not change when both boxes are scaled, so small and large objects weigh alike (unlike an L1 loss on coordinates).',
    classImbalance: 'Not applicable (a loss on matched box pairs; balance the matching instead).',
  },
  whenToUse: [
    'Bounding-box regression in object detection, on matched (predicted, ground-truth) pairs.',
    'When the metric is IoU-based (mAP at IoU thresholds) and coordinates are in pixels of varied scale.',
  ],
  limitations: [
    'Needs valid corner boxes (x2 ≥ x1, y2 ≥ y1): decode the network output accordingly (e.g. exp of widths).',
    'Slow when a prediction lies inside the target (GIoU reduces to 1 − IoU there); DIoU/CIoU add a centre-distance term for that.',
  ],
  references: [
    'Rezatofighi et al. (2019), Generalized Intersection over Union: A Metric and a Loss for Bounding Box Regression',
    'torchvision.ops.generalized_box_iou_loss',
  ],
  tasks: ['detection'],
});
