import * as tf from '@tensorflow/tfjs-core';
import { bceDiceLoss } from '../../losses/segmentation/bceDice.js';
import { bceIouLoss } from '../../losses/segmentation/bceIou.js';
import { diceLoss } from '../../losses/segmentation/dice.js';
import { iouLoss } from '../../losses/segmentation/iou.js';
import { tverskyLoss } from '../../losses/segmentation/tversky.js';
import { lovaszHingeLoss } from '../../losses/segmentation/lovaszHinge.js';
import { lovaszSoftmaxLoss } from '../../losses/segmentation/lovaszSoftmax.js';
import { requireClassAxis, requireLabelShape } from '../../losses/shape-checks.js';
import { lovaszRows } from './lovasz.js';
import { type ResolvedOptions, defineTfLoss, requireMinRank, requireSameShape } from './define.js';
import { divideOrZero, logitBce, meanOrZero, oneHot, powFromZero, probabilityBce } from './ops.js';

// The segmentation losses in TF.js ops, with the core's names, options and semantics (API.md),
// and the building blocks of the Dice and IoU metrics (./metrics.ts).

/** Which overlap ratio. */
export type Overlap = 'dice' | 'iou';
/** `'batch'`: one score over every element; `'sample'`: the mean of one score per index of the first axis. */
export type Aggregate = ResolvedOptions<'dice'>['aggregate'];

/** The boundary checks of every segmentation loss and score: `'sample'` needs a first (batch) axis. */
export function checkSegmentation(
  loss: string,
  input: tf.Tensor,
  target: tf.Tensor,
  aggregate: Aggregate,
  inputName = 'input',
): void {
  if (aggregate === 'sample') requireMinRank(loss, inputName, input, 1, "[N, ...] for aggregate 'sample'");
  requireSameShape(loss, inputName, input, 'target', target);
}

/**
 * The mean over groups of the overlap score from probabilities p and targets y: one group for
 * `'batch'`, one per index of the first axis for `'sample'`. Dice (2I + ε)/(P + Y + ε), IoU
 * (I + ε)/(P + Y − I + ε), with I = Σpy, P = Σp, Y = Σy. No groups (an empty `'sample'` batch)
 * score 1.
 */
export function overlapScore(
  kind: Overlap,
  p: tf.Tensor,
  y: tf.Tensor,
  eps: number,
  aggregate: Aggregate,
): tf.Tensor {
  const groups = aggregate === 'batch' ? 1 : p.shape[0];
  if (groups === 0) return tf.add(tf.mul(tf.sum(p), 0), 1);
  const rows = [groups, p.size / groups]; // a 0-d input is one group of one element
  const pr = tf.reshape(p, rows);
  const yr = tf.reshape(y, rows);
  const inter = tf.sum(tf.mul(pr, yr), 1);
  const sumP = tf.sum(pr, 1);
  const sumY = tf.sum(yr, 1);
  const score =
    kind === 'dice'
      ? tf.div(tf.add(tf.mul(2, inter), eps), tf.add(tf.add(sumP, sumY), eps))
      : tf.div(tf.add(inter, eps), tf.add(tf.sub(tf.add(sumP, sumY), inter), eps));
  return tf.mean(score);
}

/** The predicted probabilities: an element-wise sigmoid of logits, or the input itself. */
export const probabilities = (x: tf.Tensor, fromLogits: boolean): tf.Tensor =>
  fromLogits ? tf.sigmoid(x) : x;

/** The overlap loss, mean over groups of 1 − score. */
function overlapLoss(
  kind: Overlap,
  x: tf.Tensor,
  y: tf.Tensor,
  o: { eps: number; fromLogits: boolean; aggregate: Aggregate },
): tf.Tensor {
  return tf.sub(1, overlapScore(kind, probabilities(x, o.fromLogits), y, o.eps, o.aggregate));
}

/** Mean binary cross-entropy over every element: log space for logits, torch's BCE for probabilities. */
function bceMean(x: tf.Tensor, y: tf.Tensor, fromLogits: boolean): tf.Tensor {
  return meanOrZero(fromLogits ? logitBce(x, y) : probabilityBce(x, y));
}

/** α·BCE(mean) + (1 − α)·overlap loss. */
function combined(
  kind: Overlap,
  x: tf.Tensor,
  y: tf.Tensor,
  o: { alpha: number; eps: number; fromLogits: boolean; aggregate: Aggregate },
) {
  return tf.add(
    tf.mul(o.alpha, bceMean(x, y, o.fromLogits)),
    tf.mul(1 - o.alpha, overlapLoss(kind, x, y, o)),
  );
}

/** Soft Dice loss 1 − (2Σpy + ε)/(Σp + Σy + ε), as the core `dice`. */
export const { entry: diceTf, fn: dice } = defineTfLoss('dice', diceLoss, {
  check: (t, o) => checkSegmentation('dice', t.input, t.target, o.aggregate),
  compute: (t, o) => overlapLoss('dice', t.input, t.target, o),
});

/** Soft IoU (Jaccard) loss 1 − (Σpy + ε)/(Σ(p + y − py) + ε), as the core `iou`. */
export const { entry: iouTf, fn: iou } = defineTfLoss('iou', iouLoss, {
  check: (t, o) => checkSegmentation('iou', t.input, t.target, o.aggregate),
  compute: (t, o) => overlapLoss('iou', t.input, t.target, o),
});

/** α·BCE + (1 − α)·Dice, as the core `bceDice`. */
export const { entry: bceDiceTf, fn: bceDice } = defineTfLoss('bceDice', bceDiceLoss, {
  check: (t, o) => checkSegmentation('bceDice', t.input, t.target, o.aggregate),
  compute: (t, o) => combined('dice', t.input, t.target, o),
});

/** α·BCE + (1 − α)·IoU, as the core `bceIou`. */
export const { entry: bceIouTf, fn: bceIou } = defineTfLoss('bceIou', bceIouLoss, {
  check: (t, o) => checkSegmentation('bceIou', t.input, t.target, o.aggregate),
  compute: (t, o) => combined('iou', t.input, t.target, o),
});

/**
 * (1 − (TP + ε)/(TP + α·FP + β·FN + ε))^γ per group, mean over groups, as the core `tversky`;
 * 1 − TI written as (α·FP + β·FN)/(TP + α·FP + β·FN + ε), and q^γ with gradient 0 at q = 0.
 */
export const { entry: tverskyTf, fn: tversky } = defineTfLoss('tversky', tverskyLoss, {
  check: (t, o) => checkSegmentation('tversky', t.input, t.target, o.aggregate),
  compute(t, o) {
    const p = probabilities(t.input, o.fromLogits);
    const groups = o.aggregate === 'batch' ? 1 : p.shape[0];
    if (groups === 0) return tf.mul(tf.sum(p), 0);
    const rows = [groups, p.size / groups]; // a 0-d input is one group of one element
    const pr = tf.reshape(p, rows);
    const yr = tf.reshape(t.target, rows);
    const tp = tf.sum(tf.mul(pr, yr), 1);
    const fp = tf.sum(tf.mul(pr, tf.sub(1, yr)), 1);
    const fn = tf.sum(tf.mul(tf.sub(1, pr), yr), 1);
    const weighted = tf.add(tf.mul(o.alpha, fp), tf.mul(o.beta, fn));
    const q = tf.div(weighted, tf.add(tf.add(tp, weighted), o.eps));
    return tf.mean(o.gamma === 1 ? q : powFromZero(q, o.gamma));
  },
});

/**
 * The Lovász hinge, as the core `lovaszHinge`: errors relu(1 − x(2y − 1)) per group (every
 * element, or each index of the first axis with `perImage`), the Lovász extension of each group
 * (`lovaszRows`, a custom-gradient op around `tf.topk`), mean over groups.
 */
export const { entry: lovaszHingeTf, fn: lovaszHinge } = defineTfLoss('lovaszHinge', lovaszHingeLoss, {
  check(t) {
    requireMinRank('lovaszHinge', 'input', t.input, 1, '[N, ...]');
    requireSameShape('lovaszHinge', 'input', t.input, 'target', t.target);
  },
  compute(t, o) {
    const x = t.input;
    const groups = o.perImage ? x.shape[0] : 1;
    if (groups === 0 || x.size === 0) return tf.mul(tf.sum(x), 0);
    const rows = [groups, x.size / groups];
    const y = tf.reshape(t.target, rows);
    const errors = tf.relu(tf.sub(1, tf.mul(tf.reshape(x, rows), tf.sub(tf.mul(y, 2), 1))));
    return tf.mean(lovaszRows(errors, y, tf.onesLike(y)));
  },
});

/**
 * Lovász-Softmax, as the core `lovaszSoftmax`: per group and class c, the Lovász extension of
 * the errors |[y = c] − softmax(x)_c| (written fg + p − 2·fg·p) over the pixels not ignored; the
 * mean over all classes or over those present in the group, then over groups.
 */
export const { entry: lovaszSoftmaxTf, fn: lovaszSoftmax } = defineTfLoss(
  'lovaszSoftmax',
  lovaszSoftmaxLoss,
  {
    check(t) {
      requireClassAxis('lovaszSoftmax', 'input', t.input, 2, '[N, ..., C]');
      requireLabelShape('lovaszSoftmax', 'input', t.input, 'target', t.target);
    },
    compute(t, o) {
      const x = t.input;
      const c = x.shape[x.rank - 1];
      const pixels = x.size / c;
      const groups = o.perImage ? x.shape[0] : 1;
      if (groups === 0 || pixels === 0) return tf.mul(tf.sum(x), 0);
      const n = pixels / groups;
      const rows = [groups * c, n];
      const labels = tf.reshape(t.target, [groups, n]);
      const valid =
        o.ignoreIndex === undefined
          ? tf.onesLike(labels)
          : tf.cast(tf.notEqual(labels, o.ignoreIndex), 'float32');
      // [groups, c, n]: one row of n pixels per group and class.
      const fg = tf.mul(tf.transpose(oneHot(labels, c), [0, 2, 1]), tf.expandDims(valid, 1));
      const p = tf.transpose(tf.softmax(tf.reshape(x, [groups, n, c])), [0, 2, 1]);
      const errors = tf.sub(tf.add(fg, p), tf.mul(tf.mul(fg, p), 2));
      const validRows = tf.reshape(tf.tile(tf.expandDims(valid, 1), [1, c, 1]), rows);
      const perClass = tf.reshape(lovaszRows(tf.reshape(errors, rows), tf.reshape(fg, rows), validRows), [
        groups,
        c,
      ]);
      if (o.classes === 'all') return tf.mean(perClass);
      const present = tf.cast(tf.greater(tf.sum(fg, 2), 0), 'float32');
      return tf.mean(divideOrZero(tf.sum(tf.mul(perClass, present), 1), tf.sum(present, 1)));
    },
  },
);

export const segmentationTfLosses = {
  dice: diceTf,
  iou: iouTf,
  bceDice: bceDiceTf,
  bceIou: bceIouTf,
  tversky: tverskyTf,
  lovaszHinge: lovaszHingeTf,
  lovaszSoftmax: lovaszSoftmaxTf,
} as const;
