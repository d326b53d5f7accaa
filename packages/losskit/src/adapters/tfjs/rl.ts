import * as tf from '@tensorflow/tfjs-core';
import { policyGradientLoss } from '../../losses/rl/policyGradient.js';
import { ppoClipLoss } from '../../losses/rl/ppoClip.js';
import { valueLossLoss } from '../../losses/rl/valueLoss.js';
import { defineTfLoss, requireSameShape } from './define.js';
import { reduce } from './ops.js';

// The reinforcement-learning losses in TF.js ops, with the core's names, options and semantics
// (API.md). Advantages, returns and old log-probabilities are constants: no gradient.

/** The ε added to the standard deviation when advantages are normalised (API.md). */
const ADVANTAGE_STD_EPS = 1e-8;

/** (A − mean(A))/(std(A) + 1e-8) over the whole tensor, unbiased std; skipped for fewer than two samples. */
function normalized(advantages: tf.Tensor): tf.Tensor {
  const n = advantages.size;
  if (n < 2) return advantages;
  const centered = tf.sub(advantages, tf.mean(advantages));
  const std = tf.sqrt(tf.div(tf.sum(tf.square(centered)), n - 1));
  return tf.div(centered, tf.add(std, ADVANTAGE_STD_EPS));
}

/** REINFORCE surrogate −E[log π(a|s)·A], as the core `policyGradient`. */
export const { entry: policyGradientTf, fn: policyGradient } = defineTfLoss(
  'policyGradient',
  policyGradientLoss,
  {
    check: (t) => requireSameShape('policyGradient', 'logProbs', t.logProbs, 'advantages', t.advantages),
    compute(t, o) {
      const advantages = o.normalizeAdvantages ? normalized(t.advantages) : t.advantages;
      return reduce(tf.neg(tf.mul(t.logProbs, advantages)), o.reduction);
    },
  },
);

/** Value regression E[(V − R)²] (no ½), as the core `valueLoss`. */
export const { entry: valueLossTf, fn: valueLoss } = defineTfLoss('valueLoss', valueLossLoss, {
  check: (t) => requireSameShape('valueLoss', 'values', t.values, 'returns', t.returns),
  compute: (t, o) => reduce(tf.squaredDifference(t.values, t.returns), o.reduction),
});

/** PPO's clipped surrogate, negated to a loss, as the core `ppoClip`. */
export const { entry: ppoClipTf, fn: ppoClip } = defineTfLoss('ppoClip', ppoClipLoss, {
  check(t) {
    requireSameShape('ppoClip', 'logProbs', t.logProbs, 'oldLogProbs', t.oldLogProbs);
    requireSameShape('ppoClip', 'logProbs', t.logProbs, 'advantages', t.advantages);
  },
  compute(t, o) {
    // −min(rA, clip(r, 1 − ε, 1 + ε)A), r = exp(logProbs − oldLogProbs). The gradient follows the
    // unclipped branch where it is the minimum (ties included), as torch's autograd does.
    const ratio = tf.exp(tf.sub(t.logProbs, t.oldLogProbs));
    const unclipped = tf.mul(ratio, t.advantages);
    const clipped = tf.mul(tf.clipByValue(ratio, 1 - o.clipEpsilon, 1 + o.clipEpsilon), t.advantages);
    return reduce(tf.neg(tf.minimum(unclipped, clipped)), o.reduction);
  },
});

export const rlTfLosses = {
  policyGradient: policyGradientTf,
  valueLoss: valueLossTf,
  ppoClip: ppoClipTf,
} as const;
