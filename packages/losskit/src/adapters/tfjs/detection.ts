import * as tf from '@tensorflow/tfjs-core';
import { ciouLoss } from '../../losses/detection/ciou.js';
import { diouLoss } from '../../losses/detection/diou.js';
import { giouLoss } from '../../losses/detection/giou.js';
import { formatShape, LossInputError } from '../../tensor/index.js';
import { defineTfLoss, requireSameShape } from './define.js';
import { minSplit, reduce, stopGradient } from './ops.js';

// The box-regression losses in TF.js ops, as the core's `giou`, `diou` and `ciou` (torchvision's
// `generalized_box_iou_loss`, `distance_box_iou_loss`, `complete_box_iou_loss`). The core's check
// that x2 ≥ x1 and y2 ≥ y1 reads every box; like the adapter's other value checks, it is left out.

type Boxes = { readonly boxes: tf.Tensor; readonly target: tf.Tensor };

const check = (name: string) => (t: Boxes) => {
  requireSameShape(name, 'boxes', t.boxes, 'target', t.target);
  if (t.boxes.rank === 0 || t.boxes.shape.at(-1) !== 4)
    throw new LossInputError(
      name,
      'boxes',
      `must have shape [..., 4] (x1, y1, x2, y2 on the last axis), got ${formatShape(t.boxes.shape)}`,
    );
};

/** max(a, b) = ½(a + b + |a − b|): a tie splits the gradient in half, as torch's `maximum`. */
const maxSplit = (a: tf.Tensor, b: tf.Tensor) => tf.neg(minSplit(tf.neg(a), tf.neg(b)));

/** Corners, IoU and the enclosing box of each pair (the pieces every box loss needs). */
function geometry(t: Boxes, eps: number) {
  const [x1, y1, x2, y2] = tf.unstack(t.boxes, t.boxes.rank - 1);
  const [a1, b1, a2, b2] = tf.unstack(t.target, t.target.rank - 1);
  const iw = tf.sub(minSplit(x2, a2), maxSplit(x1, a1));
  const ih = tf.sub(minSplit(y2, b2), maxSplit(y1, b1));
  // The overlap counts only where both sides are > 0 (step's gradient is 0, so it is a mask).
  const inter = tf.mul(tf.mul(iw, ih), tf.mul(tf.step(iw), tf.step(ih)));
  const wp = tf.sub(x2, x1);
  const hp = tf.sub(y2, y1);
  const wg = tf.sub(a2, a1);
  const hg = tf.sub(b2, b1);
  const union = tf.sub(tf.add(tf.mul(wp, hp), tf.mul(wg, hg)), inter);
  const iou = tf.div(inter, tf.add(union, eps));
  const cw = tf.sub(maxSplit(x2, a2), minSplit(x1, a1));
  const ch = tf.sub(maxSplit(y2, b2), minSplit(y1, b1));
  return { x1, y1, x2, y2, a1, b1, a2, b2, wp, hp, wg, hg, union, iou, cw, ch };
}

/** 1 − IoU + ρ²/(c² + ε), and the pieces CIoU adds to. */
function distanceIou(t: Boxes, eps: number) {
  const g = geometry(t, eps);
  const diag = tf.add(tf.add(tf.square(g.cw), tf.square(g.ch)), eps);
  const dx = tf.div(tf.sub(tf.add(g.x1, g.x2), tf.add(g.a1, g.a2)), 2);
  const dy = tf.div(tf.sub(tf.add(g.y1, g.y2), tf.add(g.b1, g.b2)), 2);
  const loss = tf.add(tf.sub(1, g.iou), tf.div(tf.add(tf.square(dx), tf.square(dy)), diag));
  return { g, loss };
}

/** Generalized IoU loss, as the core `giou`. */
export const { entry: giouTf, fn: giou } = defineTfLoss('giou', giouLoss, {
  check: check('giou'),
  compute(t, o) {
    const g = geometry(t, o.eps);
    const area = tf.mul(g.cw, g.ch);
    const penalty = tf.div(tf.sub(area, g.union), tf.add(area, o.eps));
    return reduce(tf.add(tf.sub(1, g.iou), penalty), o.reduction);
  },
});

/** Distance IoU loss, as the core `diou`. */
export const { entry: diouTf, fn: diou } = defineTfLoss('diou', diouLoss, {
  check: check('diou'),
  compute: (t, o) => reduce(distanceIou(t, o.eps).loss, o.reduction),
});

/** Complete IoU loss, as the core `ciou` (α without gradient; angles as atan2(w, h)). */
export const { entry: ciouTf, fn: ciou } = defineTfLoss('ciou', ciouLoss, {
  check: check('ciou'),
  compute(t, o) {
    const { g, loss } = distanceIou(t, o.eps);
    const gap = tf.sub(tf.atan2(g.wg, g.hg), tf.atan2(g.wp, g.hp));
    const v = tf.mul(4 / (Math.PI * Math.PI), tf.square(gap));
    const alpha = stopGradient(tf.div(v, tf.add(tf.add(tf.sub(1, g.iou), v), o.eps)));
    return reduce(tf.add(loss, tf.mul(alpha, v)), o.reduction);
  },
});

export const detectionTfLosses = {
  giou: giouTf,
  diou: diouTf,
  ciou: ciouTf,
} as const;
