import * as tf from '@tensorflow/tfjs-core';
import { binaryCrossEntropyLoss } from '../../losses/classification/binaryCrossEntropy.js';
import { binaryCrossEntropyWithLogitsLoss } from '../../losses/classification/binaryCrossEntropyWithLogits.js';
import { categoricalCrossEntropyLoss } from '../../losses/classification/categoricalCrossEntropy.js';
import { focalLoss } from '../../losses/classification/focal.js';
import { sparseCategoricalCrossEntropyLoss } from '../../losses/classification/sparseCategoricalCrossEntropy.js';
import { LossInputError, type Tensor, formatShape } from '../../tensor/index.js';
import {
  classCount,
  constant,
  defineTfLoss,
  requireClassAxis,
  requireLabelShape,
  requireSameShape,
} from './define.js';
import { labelCrossEntropy } from './label-cross-entropy.js';
import { clippedLog, logitBce, powFromZero, probabilityBce, reduce } from './ops.js';

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
    compute: (t, o) => reduce(weighted(probabilityBce(t.input, t.target), o.weight), o.reduction),
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
      const y = t.target;
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
      return reduce(units, o.reduction, divisor);
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

export const classificationTfLosses = {
  binaryCrossEntropy: binaryCrossEntropyTf,
  binaryCrossEntropyWithLogits: binaryCrossEntropyWithLogitsTf,
  categoricalCrossEntropy: categoricalCrossEntropyTf,
  sparseCategoricalCrossEntropy: sparseCategoricalCrossEntropyTf,
  focal: focalTf,
} as const;
