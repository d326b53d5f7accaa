import * as tf from '@tensorflow/tfjs-core';
import { binaryCrossEntropyLoss } from '../../losses/classification/binaryCrossEntropy.js';
import { binaryCrossEntropyWithLogitsLoss } from '../../losses/classification/binaryCrossEntropyWithLogits.js';
import { categoricalCrossEntropyLoss } from '../../losses/classification/categoricalCrossEntropy.js';
import { focalLoss } from '../../losses/classification/focal.js';
import { categoricalFocalLoss } from '../../losses/classification/categoricalFocal.js';
import { generalizedCrossEntropyLoss } from '../../losses/classification/generalizedCrossEntropy.js';
import { poly1CrossEntropyLoss } from '../../losses/classification/poly1CrossEntropy.js';
import { type ClassAlpha, requireClassAlpha } from '../../losses/classification/softmaxFocalTerms.js';
import { sparseCategoricalFocalLoss } from '../../losses/classification/sparseCategoricalFocal.js';
import { requireZLossOnLogits } from '../../losses/classification/zLoss.js';
import { sparseCategoricalCrossEntropyLoss } from '../../losses/classification/sparseCategoricalCrossEntropy.js';
import { negativeLogLikelihoodLoss } from '../../losses/classification/negativeLogLikelihood.js';
import { hingeLoss } from '../../losses/classification/hinge.js';
import { squaredHingeLoss } from '../../losses/classification/squaredHinge.js';
import { categoricalHingeLoss } from '../../losses/classification/categoricalHinge.js';
import { multiMarginLoss } from '../../losses/classification/multiMargin.js';
import { softMarginLoss } from '../../losses/classification/softMargin.js';
import { multiLabelSoftMarginLoss } from '../../losses/classification/multiLabelSoftMargin.js';
import { multiLabelMarginLoss } from '../../losses/classification/multiLabelMargin.js';
import { LossInputError, type Tensor, formatShape } from '../../tensor/index.js';
import {
  classCount,
  constant,
  defineTfLoss,
  requireClassAxis,
  requireLabelShape,
  requireSameShape,
} from './define.js';
import { addZLoss, labelCrossEntropy } from './label-cross-entropy.js';
import { clippedLog, logitBce, powFromZero, probabilityBce, reduce } from './ops.js';
import { hinge as clampMinZero, oneHot } from './ops.js';

// The classification losses in TF.js ops, with the core's names, options and semantics (API.md).

/** Element weights multiply the per-element loss when given. */
const weighted = (units: tf.Tensor, weight: Tensor | undefined) =>
  weight === undefined ? units : tf.mul(units, constant(weight));

/** torch `F.binary_cross_entropy` on probabilities (logs clamped at −100), as the core `binaryCrossEntropy`. */
export const { entry: binaryCrossEntropyTf, fn: binaryCrossEntropy } = defineTfLoss(
  'binaryCrossEntropy',
  binaryCrossEntropyLoss,
  {
    check(t, o) {
      requireSameShape('binaryCrossEntropy', 'input', t.input, 'target', t.target);
      if (o.weight !== undefined)
        requireSameShape('binaryCrossEntropy', 'input', t.input, 'options.weight', o.weight);
    },
    compute(t, o) {
      // Keras's label smoothing: y ← y(1 − α) + α/2.
      const a = o.labelSmoothing;
      const y = a === 0 ? t.target : tf.add(tf.mul(t.target, 1 - a), 0.5 * a);
      return reduce(weighted(probabilityBce(t.input, y), o.weight), o.reduction);
    },
  },
);

/** Class weights have shape [C] and are non-negative (their few values are already in memory). */
function requireClassWeight(loss: string, weight: Tensor, classes: number): void {
  if (weight.shape.length !== 1 || weight.shape[0] !== classes) {
    throw new LossInputError(
      loss,
      'options.weight',
      `must have shape [${classes}] (one weight per class), got ${formatShape(weight.shape)}`,
    );
  }
  weight.data.forEach((w, c) => {
    if (w < 0) throw new LossInputError(loss, 'options.weight', `weight ${w} of class ${c} is negative`);
  });
}

/** `posWeight` is [C] along the last axis, or a single weight ([] or [1]), as the core accepts. */
function requirePosWeightShape(input: tf.Tensor, posWeight: Tensor): void {
  const classes = input.rank === 0 ? 1 : classCount(input);
  const single = posWeight.size === 1 && posWeight.shape.length <= 1;
  if (single || (posWeight.shape.length === 1 && posWeight.shape[0] === classes)) return;
  throw new LossInputError(
    'binaryCrossEntropyWithLogits',
    'options.posWeight',
    `shape ${formatShape(posWeight.shape)} does not broadcast along the last axis of input shape ${formatShape(input.shape)}: expected [${classes}] (one weight per class) or [1]`,
  );
}

/** Binary cross-entropy on logits in log space, with `weight` and `posWeight`, as the core `binaryCrossEntropyWithLogits`. */
export const { entry: binaryCrossEntropyWithLogitsTf, fn: binaryCrossEntropyWithLogits } = defineTfLoss(
  'binaryCrossEntropyWithLogits',
  binaryCrossEntropyWithLogitsLoss,
  {
    check(t, o) {
      const name = 'binaryCrossEntropyWithLogits';
      requireSameShape(name, 'input', t.input, 'target', t.target);
      if (o.weight !== undefined) requireSameShape(name, 'input', t.input, 'options.weight', o.weight);
      if (o.posWeight !== undefined) requirePosWeightShape(t.input, o.posWeight);
    },
    compute(t, o) {
      const x = t.input;
      // Keras's label smoothing: y ← y(1 − α) + α/2.
      const a = o.labelSmoothing;
      const y = a === 0 ? t.target : tf.add(tf.mul(t.target, 1 - a), 0.5 * a);
      // p_c·y·softplus(−x) + (1 − y)·softplus(x), in log space.
      let positive = tf.mul(y, tf.softplus(tf.neg(x)));
      if (o.posWeight !== undefined) {
        const pw = constant(o.posWeight);
        positive = tf.mul(positive, pw.size === 1 ? tf.reshape(pw, []) : pw);
      }
      const units = tf.add(positive, tf.mul(tf.sub(1, y), tf.softplus(x)));
      return reduce(weighted(units, o.weight), o.reduction);
    },
  },
);

/** Cross-entropy against probability (or one-hot) targets [..., C], as the core `categoricalCrossEntropy`. */
export const { entry: categoricalCrossEntropyTf, fn: categoricalCrossEntropy } = defineTfLoss(
  'categoricalCrossEntropy',
  categoricalCrossEntropyLoss,
  {
    check(t) {
      requireClassAxis('categoricalCrossEntropy', 'input', t.input, 1, '[..., C]');
      requireSameShape('categoricalCrossEntropy', 'input', t.input, 'target', t.target);
    },
    compute(t, o) {
      const classes = classCount(t.input);
      const logProbs = o.fromLogits ? tf.logSoftmax(t.input) : clippedLog(t.input);
      const alpha = o.labelSmoothing;
      const smoothed = alpha === 0 ? t.target : tf.add(tf.mul(t.target, 1 - alpha), alpha / classes);
      return reduce(tf.neg(tf.sum(tf.mul(smoothed, logProbs), -1)), o.reduction);
    },
  },
);

/** Cross-entropy against integer labels [...] (classes last), as the core `sparseCategoricalCrossEntropy`. */
export const { entry: sparseCategoricalCrossEntropyTf, fn: sparseCategoricalCrossEntropy } = defineTfLoss(
  'sparseCategoricalCrossEntropy',
  sparseCategoricalCrossEntropyLoss,
  {
    check(t, o) {
      const name = 'sparseCategoricalCrossEntropy';
      requireClassAxis(name, 'input', t.input, 1, '[..., C]');
      requireLabelShape(name, 'input', t.input, 'target', t.target);
      if (o.weight !== undefined) requireClassWeight(name, o.weight, classCount(t.input));
      requireZLossOnLogits(name, o.zLoss, o.fromLogits);
    },
    compute(t, o) {
      const classes = classCount(t.input);
      const logProbs = o.fromLogits ? tf.logSoftmax(t.input) : clippedLog(t.input);
      const { units, divisor } = labelCrossEntropy(logProbs, t.target, {
        trueCoefficient: 1 - o.labelSmoothing,
        base: o.labelSmoothing / classes,
        classWeight: o.weight === undefined ? null : constant(o.weight),
        ignoreIndex: o.ignoreIndex,
      });
      return reduce(addZLoss(units, t.input, t.target, o.zLoss, o.ignoreIndex), o.reduction, divisor);
    },
  },
);

/**
 * Sigmoid focal loss (torchvision: α for positives, 1 − α for negatives), as the core `focal`:
 * α_t·CE·(1 − p_t)^γ on logits (log space) or, with `fromLogits: false`, probabilities.
 *
 * @example
 * focal(tf.tensor1d([2, -1]), tf.tensor1d([1, 0])).dataSync()[0] // 0.0087222… (float32)
 */
export const { entry: focalTf, fn: focal } = defineTfLoss('focal', focalLoss, {
  check: (t) => requireSameShape('focal', 'input', t.input, 'target', t.target),
  compute(t, o) {
    const x = t.input;
    const y = t.target;
    const notY = tf.sub(1, y);
    // q = 1 − p_t, the probability of the wrong answer; with logits, σ(−x) stands for 1 − σ(x).
    let ce: tf.Tensor;
    let q: tf.Tensor;
    if (o.fromLogits) {
      ce = logitBce(x, y);
      q = tf.add(tf.mul(y, tf.sigmoid(tf.neg(x))), tf.mul(notY, tf.sigmoid(x)));
    } else {
      ce = probabilityBce(x, y);
      q = tf.add(tf.mul(y, tf.sub(1, x)), tf.mul(notY, x));
    }
    let units = tf.mul(ce, powFromZero(q, o.gamma));
    if (o.alpha !== null) units = tf.mul(units, tf.add(tf.mul(y, o.alpha), tf.mul(notY, 1 - o.alpha)));
    return reduce(units, o.reduction);
  },
});

/**
 * Negative log-likelihood of labels [...] given log-probabilities [..., C], with class weights and
 * ignoreIndex, as the core `negativeLogLikelihood` (torch `F.nll_loss`, classes last).
 */
export const { entry: negativeLogLikelihoodTf, fn: negativeLogLikelihood } = defineTfLoss(
  'negativeLogLikelihood',
  negativeLogLikelihoodLoss,
  {
    check(t, o) {
      const name = 'negativeLogLikelihood';
      requireClassAxis(name, 'input', t.input, 1, '[..., C]');
      requireLabelShape(name, 'input', t.input, 'target', t.target);
      if (o.weight !== undefined) requireClassWeight(name, o.weight, classCount(t.input));
    },
    compute(t, o) {
      // The label cross-entropy of the input taken as log-probabilities, without smoothing.
      const { units, divisor } = labelCrossEntropy(t.input, t.target, {
        trueCoefficient: 1,
        base: 0,
        classWeight: o.weight === undefined ? null : constant(o.weight),
        ignoreIndex: o.ignoreIndex,
      });
      return reduce(units, o.reduction, divisor);
    },
  },
);

/** Hinge labels as ±1: 0 → −1, ±1 unchanged (y − 1 + |y|; the core checks the labels). */
const signedHingeLabels = (y: tf.Tensor) => tf.sub(tf.add(y, tf.abs(y)), 1);

/** Hinge loss max(0, 1 − y·x) (gradient passing at the kink), labels ±1 or 0/1, as the core `hinge`. */
export const { entry: hingeTf, fn: hinge } = defineTfLoss('hinge', hingeLoss, {
  check: (t) => requireSameShape('hinge', 'input', t.input, 'target', t.target),
  compute: (t, o) =>
    reduce(clampMinZero(tf.sub(1, tf.mul(signedHingeLabels(t.target), t.input))), o.reduction),
});

/** Squared hinge loss max(0, 1 − y·x)², labels ±1 or 0/1, as the core `squaredHinge`. */
export const { entry: squaredHingeTf, fn: squaredHinge } = defineTfLoss('squaredHinge', squaredHingeLoss, {
  check: (t) => requireSameShape('squaredHinge', 'input', t.input, 'target', t.target),
  compute: (t, o) =>
    reduce(tf.square(clampMinZero(tf.sub(1, tf.mul(signedHingeLabels(t.target), t.input)))), o.reduction),
});

/** Categorical hinge max(0, 1 + max((1 − y)·x) − Σ y·x) per row, as the core `categoricalHinge` (Keras). */
export const { entry: categoricalHingeTf, fn: categoricalHinge } = defineTfLoss(
  'categoricalHinge',
  categoricalHingeLoss,
  {
    check(t) {
      requireClassAxis('categoricalHinge', 'input', t.input, 1, '[..., C]');
      requireSameShape('categoricalHinge', 'input', t.input, 'target', t.target);
    },
    compute(t, o) {
      const pos = tf.sum(tf.mul(t.target, t.input), -1);
      const neg = tf.max(tf.mul(tf.sub(1, t.target), t.input), -1);
      return reduce(clampMinZero(tf.add(tf.sub(neg, pos), 1)), o.reduction);
    },
  },
);

/**
 * Multi-class margin loss (w_y/C)·Σ_{c≠y} max(0, m − x_y + x_c)^p, as the core `multiMargin`
 * (torch `F.multi_margin_loss`; relu's gradient is 0 at 0, torch's strict z > 0).
 */
export const { entry: multiMarginTf, fn: multiMargin } = defineTfLoss('multiMargin', multiMarginLoss, {
  check(t, o) {
    requireClassAxis('multiMargin', 'input', t.input, 1, '[..., C]');
    requireLabelShape('multiMargin', 'input', t.input, 'target', t.target);
    if (o.weight !== undefined) requireClassWeight('multiMargin', o.weight, classCount(t.input));
  },
  compute(t, o) {
    const classes = classCount(t.input);
    const rows = oneHot(t.target, classes);
    const trueScore = tf.sum(tf.mul(rows, t.input), -1, true);
    const violation = tf.relu(tf.add(tf.sub(o.margin, trueScore), t.input));
    const powered = o.p === 1 ? violation : tf.square(violation);
    let units = tf.div(tf.sum(tf.mul(powered, tf.sub(1, rows)), -1), classes);
    if (o.weight !== undefined) units = tf.mul(units, tf.sum(tf.mul(rows, constant(o.weight)), -1));
    return reduce(units, o.reduction);
  },
});

/** Soft-margin loss softplus(−y·x), labels ±1, as the core `softMargin` (torch `F.soft_margin_loss`). */
export const { entry: softMarginTf, fn: softMargin } = defineTfLoss('softMargin', softMarginLoss, {
  check: (t) => requireSameShape('softMargin', 'input', t.input, 'target', t.target),
  compute: (t, o) => reduce(tf.softplus(tf.neg(tf.mul(t.target, t.input))), o.reduction),
});

/**
 * Multi-label soft-margin loss (1/C)·Σ_c w_c·softplus((1 − 2y_c)·x_c) per row, in log space, as
 * the core `multiLabelSoftMargin` (torch `F.multilabel_soft_margin_loss`).
 */
export const { entry: multiLabelSoftMarginTf, fn: multiLabelSoftMargin } = defineTfLoss(
  'multiLabelSoftMargin',
  multiLabelSoftMarginLoss,
  {
    check(t, o) {
      const name = 'multiLabelSoftMargin';
      requireClassAxis(name, 'input', t.input, 1, '[..., C]');
      requireSameShape(name, 'input', t.input, 'target', t.target);
      if (o.weight !== undefined) requireClassWeight(name, o.weight, classCount(t.input));
    },
    compute(t, o) {
      let terms = tf.softplus(tf.mul(tf.sub(1, tf.mul(2, t.target)), t.input));
      if (o.weight !== undefined) terms = tf.mul(terms, constant(o.weight));
      return reduce(tf.div(tf.sum(terms, -1), classCount(t.input)), o.reduction);
    },
  },
);

/**
 * Multi-label margin loss (1/C)·Σ_{j∈targets} Σ_{i∉targets} max(0, 1 − x_j + x_i) per row, the
 * targets a row's labels up to its first −1, as the core `multiLabelMargin` (torch
 * `F.multilabel_margin_loss`).
 */
export const { entry: multiLabelMarginTf, fn: multiLabelMargin } = defineTfLoss(
  'multiLabelMargin',
  multiLabelMarginLoss,
  {
    check(t) {
      requireClassAxis('multiLabelMargin', 'input', t.input, 1, '[..., C]');
      requireSameShape('multiLabelMargin', 'input', t.input, 'target', t.target);
    },
    compute(t, o) {
      const classes = classCount(t.input);
      // Entries before the first −1 are listed; each listed class counts as often as it appears.
      const listed = tf.cast(
        tf.equal(tf.cumsum(tf.cast(tf.less(t.target, 0), 'float32'), t.target.rank - 1), 0),
        'float32',
      );
      const counts = tf.sum(tf.mul(oneHot(t.target, classes), tf.expandDims(listed, -1)), -2);
      const others = tf.cast(tf.equal(counts, 0), 'float32');
      // z[..., j, i] = 1 − x_j + x_i, weighted by j's count and by i not being a target.
      const z = tf.add(tf.sub(1, tf.expandDims(t.input, -1)), tf.expandDims(t.input, -2));
      const pairs = tf.mul(tf.mul(tf.relu(z), tf.expandDims(counts, -1)), tf.expandDims(others, -2));
      return reduce(tf.div(tf.sum(pairs, [-2, -1]), classes), o.reduction);
    },
  },
);

/** Softmax cross-entropy plus ε·(1 − Σ y·softmax(x)) on logits [..., C], as the core `poly1CrossEntropy`. */
export const { entry: poly1CrossEntropyTf, fn: poly1CrossEntropy } = defineTfLoss(
  'poly1CrossEntropy',
  poly1CrossEntropyLoss,
  {
    check(t) {
      requireClassAxis('poly1CrossEntropy', 'input', t.input, 1, '[..., C]');
      requireSameShape('poly1CrossEntropy', 'input', t.input, 'target', t.target);
    },
    compute(t, o) {
      const logProbs = tf.logSoftmax(t.input);
      const crossEntropy = tf.neg(tf.sum(tf.mul(t.target, logProbs), -1));
      const truth = tf.sum(tf.mul(t.target, tf.exp(logProbs)), -1);
      return reduce(tf.add(crossEntropy, tf.mul(o.epsilon, tf.sub(1, truth))), o.reduction);
    },
  },
);

/** (1 − p_y^q)/q against integer labels, as the core `generalizedCrossEntropy` (−expm1(q·log p_y)/q). */
export const { entry: generalizedCrossEntropyTf, fn: generalizedCrossEntropy } = defineTfLoss(
  'generalizedCrossEntropy',
  generalizedCrossEntropyLoss,
  {
    check(t) {
      requireClassAxis('generalizedCrossEntropy', 'input', t.input, 1, '[..., C]');
      requireLabelShape('generalizedCrossEntropy', 'input', t.input, 'target', t.target);
    },
    compute(t, o) {
      const logProbs = o.fromLogits ? tf.logSoftmax(t.input) : clippedLog(t.input);
      const logTrue = tf.sum(tf.mul(oneHot(t.target, classCount(t.input)), logProbs), -1);
      return reduce(tf.div(tf.neg(tf.expm1(tf.mul(o.q, logTrue))), o.q), o.reduction);
    },
  },
);

/**
 * Per-row softmax focal loss −Σ_c α_c y_c (1 − p_c)^γ log p_c of `input` [..., C] against dense
 * rows `y`: p = softmax (1 − p as −expm1(log p)) or probabilities clipped to [1e-7, 1].
 */
function softmaxFocalUnits(
  input: tf.Tensor,
  y: tf.Tensor,
  o: { readonly alpha: ClassAlpha; readonly gamma: number; readonly fromLogits: boolean },
): tf.Tensor {
  let logProbs: tf.Tensor;
  let complement: tf.Tensor;
  if (o.fromLogits) {
    logProbs = tf.logSoftmax(input);
    complement = tf.neg(tf.expm1(logProbs));
  } else {
    const p = tf.clipByValue(input, 1e-7, 1);
    logProbs = tf.log(p);
    complement = tf.sub(1, p);
  }
  let terms = tf.mul(tf.mul(y, powFromZero(complement, o.gamma)), logProbs);
  if (typeof o.alpha === 'number') terms = tf.mul(terms, o.alpha);
  else if (o.alpha !== null) terms = tf.mul(terms, tf.tensor1d(Array.from(o.alpha), 'float32'));
  return tf.neg(tf.sum(terms, -1));
}

/** Softmax focal loss against dense target rows [..., C], as the core `categoricalFocal`. */
export const { entry: categoricalFocalTf, fn: categoricalFocal } = defineTfLoss(
  'categoricalFocal',
  categoricalFocalLoss,
  {
    check(t, o) {
      requireClassAxis('categoricalFocal', 'input', t.input, 1, '[..., C]');
      requireSameShape('categoricalFocal', 'input', t.input, 'target', t.target);
      requireClassAlpha('categoricalFocal', o.alpha, classCount(t.input));
    },
    compute: (t, o) => reduce(softmaxFocalUnits(t.input, t.target, o), o.reduction),
  },
);

/** Softmax focal loss against integer labels [...], ignored positions out of the mean, as the core `sparseCategoricalFocal`. */
export const { entry: sparseCategoricalFocalTf, fn: sparseCategoricalFocal } = defineTfLoss(
  'sparseCategoricalFocal',
  sparseCategoricalFocalLoss,
  {
    check(t, o) {
      requireClassAxis('sparseCategoricalFocal', 'input', t.input, 1, '[..., C]');
      requireLabelShape('sparseCategoricalFocal', 'input', t.input, 'target', t.target);
      requireClassAlpha('sparseCategoricalFocal', o.alpha, classCount(t.input));
    },
    compute(t, o) {
      const units = softmaxFocalUnits(t.input, oneHot(t.target, classCount(t.input)), o);
      if (o.ignoreIndex === undefined) return reduce(units, o.reduction);
      const counted = tf.cast(tf.notEqual(t.target, o.ignoreIndex), 'float32');
      return reduce(tf.mul(units, counted), o.reduction, tf.sum(counted));
    },
  },
);

export const classificationTfLosses = {
  binaryCrossEntropy: binaryCrossEntropyTf,
  binaryCrossEntropyWithLogits: binaryCrossEntropyWithLogitsTf,
  categoricalCrossEntropy: categoricalCrossEntropyTf,
  sparseCategoricalCrossEntropy: sparseCategoricalCrossEntropyTf,
  focal: focalTf,
  poly1CrossEntropy: poly1CrossEntropyTf,
  generalizedCrossEntropy: generalizedCrossEntropyTf,
  categoricalFocal: categoricalFocalTf,
  sparseCategoricalFocal: sparseCategoricalFocalTf,
  negativeLogLikelihood: negativeLogLikelihoodTf,
  hinge: hingeTf,
  squaredHinge: squaredHingeTf,
  categoricalHinge: categoricalHingeTf,
  multiMargin: multiMarginTf,
  softMargin: softMarginTf,
  multiLabelSoftMargin: multiLabelSoftMarginTf,
  multiLabelMargin: multiLabelMarginTf,
} as const;
