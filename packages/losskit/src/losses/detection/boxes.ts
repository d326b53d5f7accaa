// The geometry the box-regression losses share (GIoU, DIoU, CIoU): one pass over a pair of boxes
// (x1, y1, x2, y2) that gives the loss and, when asked, its gradient with respect to the predicted
// box, written straight into the gradient buffer. Follows torchvision's `_loss_inter_union`,
// `generalized_box_iou_loss`, `distance_box_iou_loss` and `complete_box_iou_loss`.
import { type FloatArray, formatShape, LossInputError, type Tensor } from '../../tensor/index.js';
import { maximumShare } from '../math.js';
import { requireSameShape } from '../validate.js';

/** Which penalty is added to 1 − IoU. */
export type BoxLossKind = 'giou' | 'diou' | 'ciou';

/** 4/π², CIoU's aspect-ratio constant. */
const ASPECT = 4 / (Math.PI * Math.PI);

/**
 * The loss of predicted box `p[o..o+4)` against target `g[o..o+4)` and, when `grad` is given,
 * `weight` × its gradient with respect to the predicted box written to `grad[o..o+4)`.
 *
 * I = intersection area (0 unless both overlaps are > 0), U = area(p) + area(g) − I,
 * IoU = I / (U + ε); C = the smallest enclosing box.
 * - giou: 1 − IoU + (area(C) − U) / (area(C) + ε)
 * - diou: 1 − IoU + ρ² / (diag(C)² + ε), ρ the distance between the centres
 * - ciou: diou + α·v, v = 4/π² (atan(w_g/h_g) − atan(w_p/h_p))², α = v / (1 − IoU + v + ε) held
 *   constant (no gradient through α, as torchvision's `torch.no_grad()`). The angles are taken as
 *   atan2(w, h), equal to atan(w/h) for h > 0 and finite for a box of zero height.
 * Max and min split the gradient in half at a tie, as torch's `maximum`/`minimum` (`maximumShare`).
 */
export function boxPairLoss(
  kind: BoxLossKind,
  p: FloatArray,
  g: FloatArray,
  o: number,
  eps: number,
  grad: FloatArray | null,
  weight: number,
): number {
  const x1 = p[o];
  const y1 = p[o + 1];
  const x2 = p[o + 2];
  const y2 = p[o + 3];
  const a1 = g[o];
  const b1 = g[o + 1];
  const a2 = g[o + 2];
  const b2 = g[o + 3];
  const wp = x2 - x1;
  const hp = y2 - y1;
  const wg = a2 - a1;
  const hg = b2 - b1;
  const iw = Math.min(x2, a2) - Math.max(x1, a1);
  const ih = Math.min(y2, b2) - Math.max(y1, b1);
  const overlaps = iw > 0 && ih > 0;
  const inter = overlaps ? iw * ih : 0;
  const union = wp * hp + wg * hg - inter;
  const ue = union + eps;
  const iou = inter / ue;
  const cw = Math.max(x2, a2) - Math.min(x1, a1);
  const ch = Math.max(y2, b2) - Math.min(y1, b1);

  let penalty: number;
  let area = 0;
  let diag = 0;
  let rho = 0;
  let dx = 0;
  let dy = 0;
  let v = 0;
  let alpha = 0;
  let angleGap = 0;
  if (kind === 'giou') {
    area = cw * ch;
    penalty = (area - union) / (area + eps);
  } else {
    diag = cw * cw + ch * ch + eps;
    dx = (x1 + x2 - a1 - a2) / 2;
    dy = (y1 + y2 - b1 - b2) / 2;
    rho = dx * dx + dy * dy;
    penalty = rho / diag;
    if (kind === 'ciou') {
      angleGap = Math.atan2(wg, hg) - Math.atan2(wp, hp);
      v = ASPECT * angleGap * angleGap;
      alpha = v / (1 - iou + v + eps);
      penalty += alpha * v;
    }
  }
  const loss = 1 - iou + penalty;
  if (grad === null) return loss;

  // ∂I and ∂U with respect to x1, y1, x2, y2 of the predicted box.
  const mx1 = overlaps ? maximumShare(x1, a1) : 0;
  const my1 = overlaps ? maximumShare(y1, b1) : 0;
  const mx2 = overlaps ? maximumShare(a2, x2) : 0;
  const my2 = overlaps ? maximumShare(b2, y2) : 0;
  const dI0 = -ih * mx1;
  const dI1 = -iw * my1;
  const dI2 = ih * mx2;
  const dI3 = iw * my2;
  const dU0 = -hp - dI0;
  const dU1 = -wp - dI1;
  const dU2 = hp - dI2;
  const dU3 = wp - dI3;
  // −∂IoU = −(∂I·(U + ε) − I·∂U) / (U + ε)².
  const q = inter / ue;
  let d0 = -(dI0 - q * dU0) / ue;
  let d1 = -(dI1 - q * dU1) / ue;
  let d2 = -(dI2 - q * dU2) / ue;
  let d3 = -(dI3 - q * dU3) / ue;
  // The enclosing box's sides: min(x1, a1), min(y1, b1), max(x2, a2), max(y2, b2).
  const cx1 = maximumShare(a1, x1);
  const cy1 = maximumShare(b1, y1);
  const cx2 = maximumShare(x2, a2);
  const cy2 = maximumShare(y2, b2);
  if (kind === 'giou') {
    // ∂[(C − U)/(C + ε)] = (∂C − ∂U)/(C + ε) − (C − U)·∂C/(C + ε)².
    const ce = area + eps;
    const r = (area - union) / ce;
    const dC0 = -ch * cx1;
    const dC1 = -cw * cy1;
    const dC2 = ch * cx2;
    const dC3 = cw * cy2;
    d0 += (dC0 - dU0 - r * dC0) / ce;
    d1 += (dC1 - dU1 - r * dC1) / ce;
    d2 += (dC2 - dU2 - r * dC2) / ce;
    d3 += (dC3 - dU3 - r * dC3) / ce;
  } else {
    // ∂(ρ²/D) = ∂ρ²/D − ρ²·∂D/D², with ∂ρ²/∂x1 = ∂ρ²/∂x2 = dx and ∂D/∂x1 = −2·cw·[x1 is the min].
    const r = rho / diag;
    d0 += (dx + r * 2 * cw * cx1) / diag;
    d1 += (dy + r * 2 * ch * cy1) / diag;
    d2 += (dx - r * 2 * cw * cx2) / diag;
    d3 += (dy - r * 2 * ch * cy2) / diag;
    if (kind === 'ciou') {
      // α·∂v, with ∂v/∂θp = −2·(4/π²)·(θg − θp), θp = atan2(wp, hp).
      const norm = wp * wp + hp * hp;
      if (norm > 0) {
        const k = (-2 * ASPECT * angleGap * alpha) / norm;
        // ∂θp/∂wp = hp/norm, ∂θp/∂hp = −wp/norm; wp = x2 − x1, hp = y2 − y1.
        d0 -= k * hp;
        d2 += k * hp;
        d1 += k * wp;
        d3 -= k * wp;
      }
    }
  }
  grad[o] = weight * d0;
  grad[o + 1] = weight * d1;
  grad[o + 2] = weight * d2;
  grad[o + 3] = weight * d3;
  return loss;
}

/**
 * The checks every box loss makes: `boxes` and `target` of one shape [..., 4] (x1, y1, x2, y2),
 * and no box with x2 < x1 or y2 < y1 in either (a zero-width or zero-height box is allowed).
 */
export function requireBoxes(loss: string, boxes: Tensor, target: Tensor): void {
  requireSameShape(loss, 'boxes', boxes, 'target', target);
  const last = boxes.shape.at(-1);
  if (boxes.shape.length === 0 || last !== 4)
    throw new LossInputError(
      loss,
      'boxes',
      `must have shape [..., 4] (x1, y1, x2, y2 on the last axis), got ${formatShape(boxes.shape)}`,
    );
  for (const [name, t] of [
    ['boxes', boxes],
    ['target', target],
  ] as const) {
    const d = t.data;
    for (let o = 0; o < d.length; o += 4) {
      if (d[o + 2] < d[o] || d[o + 3] < d[o + 1])
        throw new LossInputError(
          loss,
          name,
          `box ${o / 4} is (${d[o]}, ${d[o + 1]}, ${d[o + 2]}, ${d[o + 3]}): x2 must be >= x1 and y2 >= y1 (corners as x1, y1, x2, y2)`,
        );
    }
  }
}
