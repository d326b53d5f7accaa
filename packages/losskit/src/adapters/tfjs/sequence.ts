import * as tf from '@tensorflow/tfjs-core';
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
import { labelCrossEntropy } from './label-cross-entropy.js';
import { reduce } from './ops.js';

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
      return reduce(units, o.reduction, o.normalizer ?? divisor);
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

export const sequenceTfLosses = {
  tokenCrossEntropy: tokenCrossEntropyTf,
  labelSmoothingCrossEntropy: labelSmoothingCrossEntropyTf,
  linearCrossEntropy: linearCrossEntropyTf,
  klDivergence: klDivergenceTf,
} as const;
