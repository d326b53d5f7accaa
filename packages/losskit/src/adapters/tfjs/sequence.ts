import * as tf from '@tensorflow/tfjs-core';
import { ctcLoss, requireCtcShapes } from '../../losses/sequence/ctc.js';
import { jensenShannonLoss } from '../../losses/sequence/jensenShannon.js';
import { klDivergenceLoss } from '../../losses/sequence/klDivergence.js';
import { labelSmoothingCrossEntropyLoss } from '../../losses/sequence/labelSmoothingCrossEntropy.js';
import { linearCrossEntropyLoss } from '../../losses/sequence/linearCrossEntropy.js';
import { tokenCrossEntropyLoss } from '../../losses/sequence/tokenCrossEntropy.js';
import { LossInputError, formatShape } from '../../tensor/index.js';
import {
  classCount,
  defineTfLoss,
  requireClassAxis,
  requireLabelShape,
  requireRank,
  requireSameShape,
} from './define.js';
import { addZLoss, labelCrossEntropy } from './label-cross-entropy.js';
import { oneHot, reduce } from './ops.js';

// The sequence losses in TF.js ops, with the core's names, options and semantics (API.md).

/** Next-token cross-entropy, `input` [..., T, V] logits and `target` [..., T] ids, as the core `tokenCrossEntropy`. */
export const { entry: tokenCrossEntropyTf, fn: tokenCrossEntropy } = defineTfLoss(
  'tokenCrossEntropy',
  tokenCrossEntropyLoss,
  {
    check(t) {
      requireClassAxis('tokenCrossEntropy', 'input', t.input, 2, '[..., T, V]');
      requireLabelShape('tokenCrossEntropy', 'input', t.input, 'target', t.target);
    },
    compute(t, o) {
      const vocabulary = classCount(t.input);
      const { units, divisor } = labelCrossEntropy(tf.logSoftmax(t.input), t.target, {
        trueCoefficient: 1 - o.labelSmoothing,
        base: o.labelSmoothing / vocabulary,
        classWeight: null,
        ignoreIndex: o.ignoreIndex,
      });
      const withZLoss = addZLoss(units, t.input, t.target, o.zLoss, o.ignoreIndex);
      return reduce(withZLoss, o.reduction, o.normalizer ?? divisor);
    },
  },
);

/** Cross-entropy of `hidden @ weightᵀ` against token ids, as the core `linearCrossEntropy` (logits materialised). */
export const { entry: linearCrossEntropyTf, fn: linearCrossEntropy } = defineTfLoss(
  'linearCrossEntropy',
  linearCrossEntropyLoss,
  {
    check(t) {
      requireClassAxis('linearCrossEntropy', 'hidden', t.hidden, 1, '[..., T, H]');
      requireRank('linearCrossEntropy', 'weight', t.weight, 2, '[V, H]');
      const features = classCount(t.hidden);
      if (t.weight.shape[1] !== features || t.weight.shape[0] === 0) {
        throw new LossInputError(
          'linearCrossEntropy',
          'weight',
          `shape ${formatShape(t.weight.shape)} must be [V, ${features}] with V ≥ 1 (hidden has H = ${features})`,
        );
      }
      requireLabelShape('linearCrossEntropy', 'hidden', t.hidden, 'target', t.target);
    },
    compute(t, o) {
      // TF.js has no fused form: the logits are materialised here, and TF.js's autodiff
      // differentiates the matmul. The core's linearCrossEntropy is the memory-lean one.
      const hiddenSize = classCount(t.hidden);
      const rows = tf.reshape(t.hidden, [-1, hiddenSize]);
      const logits = tf.matMul(rows, t.weight, false, true);
      const vocabulary = t.weight.shape[0];
      const { units, divisor } = labelCrossEntropy(tf.logSoftmax(logits), tf.reshape(t.target, [-1]), {
        trueCoefficient: 1 - o.labelSmoothing,
        base: o.labelSmoothing / vocabulary,
        classWeight: null,
        ignoreIndex: o.ignoreIndex,
      });
      return reduce(tf.reshape(units, t.target.shape), o.reduction, divisor);
    },
  },
);

/** Cross-entropy against a smoothed one-hot target ('others' or 'uniform'), as the core `labelSmoothingCrossEntropy`. */
export const { entry: labelSmoothingCrossEntropyTf, fn: labelSmoothingCrossEntropy } = defineTfLoss(
  'labelSmoothingCrossEntropy',
  labelSmoothingCrossEntropyLoss,
  {
    check(t) {
      requireClassAxis('labelSmoothingCrossEntropy', 'input', t.input, 1, '[..., K]');
      requireLabelShape('labelSmoothingCrossEntropy', 'input', t.input, 'target', t.target);
    },
    compute(t, o) {
      const classes = classCount(t.input);
      const alpha = o.smoothing;
      // 'uniform': α/K everywhere, 1 − α on top for the true class (torch). 'others': the true class
      // 1 − α, each other class α/(K − 1) (nothing to spread over when K = 1).
      const other = o.distribution === 'uniform' ? alpha / classes : classes > 1 ? alpha / (classes - 1) : 0;
      const trueCoefficient = o.distribution === 'uniform' ? 1 - alpha : 1 - alpha - other;
      const { units, divisor } = labelCrossEntropy(tf.logSoftmax(t.input), t.target, {
        trueCoefficient,
        base: other,
        classWeight: null,
        ignoreIndex: o.ignoreIndex,
      });
      return reduce(units, o.reduction, divisor);
    },
  },
);

type Kind = 'logits' | 'logProbs' | 'probs';

/** log P along the last axis from a distribution given as logits, log-probabilities or probabilities. */
function logDistribution(x: tf.Tensor, kind: Kind): tf.Tensor {
  if (kind === 'logits') return tf.logSoftmax(x);
  if (kind === 'logProbs') return x;
  return tf.log(x);
}

/** KL(P‖Q) with Q = `input` (approximating) and P = `target` (reference), as the core `klDivergence`. */
export const { entry: klDivergenceTf, fn: klDivergence } = defineTfLoss('klDivergence', klDivergenceLoss, {
  check(t) {
    requireClassAxis('klDivergence', 'input', t.input, 1, '[..., C]');
    requireSameShape('klDivergence', 'input', t.input, 'target', t.target);
  },
  compute(t, o) {
    // P and log P of the target; terms where P = 0 are 0 (0·log 0 = 0).
    let p: tf.Tensor;
    let logP: tf.Tensor;
    let q = t.input;
    if (o.targetKind === 'probs') {
      p = t.target;
      const hasMass = tf.greater(p, 0);
      logP = tf.log(tf.where(hasMass, p, tf.onesLike(p)));
      // Q = 0 is allowed where P = 0; keep its log finite there so that 0·log Q is 0, not NaN.
      if (o.inputKind === 'probs') q = tf.where(hasMass, q, tf.onesLike(q));
    } else {
      logP = logDistribution(t.target, o.targetKind);
      p = tf.exp(logP);
    }
    const units = tf.mul(p, tf.sub(logP, logDistribution(q, o.inputKind)));
    return reduce(units, o.reduction);
  },
});

/** log(eᵃ + eᵇ + …) elementwise over tensors of one shape (a stack reduced by log-sum-exp). */
const logAddAll = (parts: tf.Tensor[]): tf.Tensor => tf.logSumExp(tf.stack(parts), 0);

/**
 * CTC, `input` [N, T, C], as the core `ctc`: the same forward recursion in log space over the
 * extended labels (blank, y₁, blank, …, blank), one step of TF.js ops per time step, and TF.js's
 * autodiff for the gradient. "−∞" is −1e30 (float32 arithmetic on it stays finite, so no NaN
 * reaches the gradient), and frames past a sample's input length leave its α unchanged.
 * The adapter reads no data: an impossible alignment gives Infinity (torch) unless zeroInfinity.
 */
export const { entry: ctcTf, fn: ctc } = defineTfLoss('ctc', ctcLoss, {
  check(t, o) {
    requireCtcShapes('ctc', t, o.blank);
  },
  compute(t, o) {
    const [batch, time, classes] = t.input.shape;
    const labels = t.targets.shape[1] ?? 0;
    const width = 2 * labels + 1;
    const NEG = -1e30;
    const logProbs = o.inputKind === 'logits' ? tf.logSoftmax(t.input) : t.input;
    // Extended labels [N, L] and their log-probabilities per frame [N, T, L] (a one-hot product).
    const blanks = tf.fill([batch, labels], o.blank);
    const extended = tf.concat(
      [tf.reshape(tf.stack([blanks, t.targets], 2), [batch, 2 * labels]), tf.fill([batch, 1], o.blank)],
      1,
    );
    const emissions = tf.matMul(logProbs, oneHot(extended, classes), false, true);
    // Position s may be entered from s − 2 when it is a label (odd s ≥ 3) unlike the one before.
    const position = tf.range(0, width, 1, 'float32');
    const labelPosition = tf.logicalAnd(tf.equal(tf.mod(position, 2), 1), tf.greaterEqual(position, 3));
    /** `a` [N, L] moved `by` positions to the right along L, `fill` coming in from the left. */
    const shifted = (a: tf.Tensor, by: number, fill: number) =>
      by >= width
        ? tf.fill([batch, width], fill)
        : tf.concat([tf.fill([batch, by], fill), tf.slice(a, [0, 0], [batch, width - by])], 1);
    const skip = tf.logicalAnd(
      tf.notEqual(extended, shifted(extended, 2, -1)),
      tf.broadcastTo(labelPosition, [batch, width]),
    );
    const none = tf.fill([batch, width], NEG);
    const frame = (k: number) =>
      tf.reshape(tf.slice(emissions, [0, k, 0], [batch, 1, width]), [batch, width]);

    let alpha = tf.where(tf.broadcastTo(tf.less(position, 2), [batch, width]), frame(0), none);
    const lengths = tf.reshape(t.inputLengths, [batch, 1]);
    for (let k = 1; k < time; k++) {
      const into = logAddAll([alpha, shifted(alpha, 1, NEG), tf.where(skip, shifted(alpha, 2, NEG), none)]);
      const active = tf.broadcastTo(tf.less(tf.scalar(k), lengths), [batch, width]);
      alpha = tf.where(active, tf.add(into, frame(k)), alpha);
    }
    // log p = α(L − 1) ⊕ α(L − 2) at the sample's own L = 2Sₙ + 1.
    const lastLabel = tf.reshape(tf.mul(t.targetLengths, 2), [batch, 1]);
    const ends = tf.logicalOr(tf.equal(position, lastLabel), tf.equal(position, tf.sub(lastLabel, 1)));
    const losses = tf.neg(tf.logSumExp(tf.where(ends, alpha, none), 1));
    // Alignments need Sₙ + (equal consecutive labels within the target) frames.
    const index = tf.range(1, Math.max(labels, 1), 1, 'float32');
    const repeats =
      labels < 2
        ? tf.zeros([batch])
        : tf.sum(
            tf.cast(
              tf.logicalAnd(
                tf.equal(
                  tf.slice(t.targets, [0, 1], [batch, labels - 1]),
                  tf.slice(t.targets, [0, 0], [batch, labels - 1]),
                ),
                tf.less(index, tf.reshape(t.targetLengths, [batch, 1])),
              ),
              'float32',
            ),
            1,
          );
    const impossible = tf.less(t.inputLengths, tf.add(t.targetLengths, repeats));
    const units = tf.where(
      impossible,
      tf.fill([batch], o.zeroInfinity ? 0 : Number.POSITIVE_INFINITY),
      losses,
    );
    if (o.reduction !== 'mean') return reduce(units, o.reduction);
    return reduce(tf.div(units, tf.maximum(t.targetLengths, 1)), 'mean');
  },
});

/** A log of −1e30 for a probability of 0: its term is 0, and a log-sum-exp over it stays finite. */
const LOG_ZERO = -1e30;

/** The floor under a differentiated probability before its log (a comparison has no gradient). */
const PROBABILITY_FLOOR = 1e-30;

/**
 * A distribution and its log along the last axis, from logits, log-probabilities or
 * probabilities. A probability of 0 in the target gets the log −1e30; the input's are floored at
 * 1e-30 instead, which keeps its gradient a TF.js op (0·log 1e-30 is 0 too).
 */
function withLog(x: tf.Tensor, kind: Kind, differentiated: boolean): [tf.Tensor, tf.Tensor] {
  if (kind !== 'probs') {
    const logX = logDistribution(x, kind);
    return [tf.exp(logX), logX];
  }
  if (differentiated) return [x, tf.log(tf.maximum(x, PROBABILITY_FLOOR))];
  const hasMass = tf.greater(x, 0);
  return [x, tf.where(hasMass, tf.log(tf.where(hasMass, x, tf.onesLike(x))), tf.fill(x.shape, LOG_ZERO))];
}

/**
 * β·KL(P‖M) + (1 − β)·KL(Q‖M), M = βP + (1 − β)Q, Q = `input`, P = `target`, as the core
 * `jensenShannon`: log M as a log-sum-exp of log β + log P and log(1 − β) + log Q.
 */
export const { entry: jensenShannonTf, fn: jensenShannon } = defineTfLoss(
  'jensenShannon',
  jensenShannonLoss,
  {
    check(t) {
      requireClassAxis('jensenShannon', 'input', t.input, 1, '[..., C]');
      requireSameShape('jensenShannon', 'input', t.input, 'target', t.target);
    },
    compute(t, o) {
      const [p, logP] = withLog(t.target, o.targetKind, false);
      const [q, logQ] = withLog(t.input, o.inputKind, true);
      const logM = logAddAll([tf.add(logP, Math.log(o.beta)), tf.add(logQ, Math.log1p(-o.beta))]);
      const units = tf.add(
        tf.mul(o.beta, tf.mul(p, tf.sub(logP, logM))),
        tf.mul(1 - o.beta, tf.mul(q, tf.sub(logQ, logM))),
      );
      return reduce(units, o.reduction);
    },
  },
);

export const sequenceTfLosses = {
  tokenCrossEntropy: tokenCrossEntropyTf,
  labelSmoothingCrossEntropy: labelSmoothingCrossEntropyTf,
  linearCrossEntropy: linearCrossEntropyTf,
  klDivergence: klDivergenceTf,
  ctc: ctcTf,
  jensenShannon: jensenShannonTf,
} as const;
