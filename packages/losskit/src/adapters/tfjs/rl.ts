import * as tf from '@tensorflow/tfjs-core';
import { clippedValueLossLoss } from '../../losses/rl/clippedValueLoss.js';
import { entropyBonusLoss } from '../../losses/rl/entropyBonus.js';
import { grpoLoss } from '../../losses/rl/grpo.js';
import { policyGradientLoss } from '../../losses/rl/policyGradient.js';
import { ppoClipLoss } from '../../losses/rl/ppoClip.js';
import { valueLossLoss } from '../../losses/rl/valueLoss.js';
import { LossInputError, formatShape } from '../../tensor/index.js';
import { defineTfLoss, requireClassAxis, requireRank, requireSameShape } from './define.js';
import { abs0, divideOrZero, reduce } from './ops.js';

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

/** Σ p·log p per row (the negative entropy), as the core `entropyBonus`. */
export const { entry: entropyBonusTf, fn: entropyBonus } = defineTfLoss('entropyBonus', entropyBonusLoss, {
  check: (t) => requireClassAxis('entropyBonus', 'logits', t.logits, 1, '[..., A]'),
  compute(t, o) {
    const logP = tf.logSoftmax(t.logits);
    return reduce(tf.sum(tf.mul(tf.exp(logP), logP), -1), o.reduction);
  },
});

/** max((V − R)², (V_old + clip(V − V_old, −c, c) − R)²), as the core `clippedValueLoss`. */
export const { entry: clippedValueLossTf, fn: clippedValueLoss } = defineTfLoss(
  'clippedValueLoss',
  clippedValueLossLoss,
  {
    check(t) {
      requireSameShape('clippedValueLoss', 'values', t.values, 'oldValues', t.oldValues);
      requireSameShape('clippedValueLoss', 'values', t.values, 'returns', t.returns);
    },
    compute(t, o) {
      const plain = tf.squaredDifference(t.values, t.returns);
      const step = tf.clipByValue(tf.sub(t.values, t.oldValues), -o.clipRange, o.clipRange);
      const clipped = tf.squaredDifference(tf.add(t.oldValues, step), t.returns);
      // max(a, b) = ½(a + b + |a − b|): a tie splits the gradient, as torch's `maximum`.
      const larger = tf.mul(0.5, tf.add(tf.add(plain, clipped), abs0(tf.sub(plain, clipped))));
      return reduce(larger, o.reduction);
    },
  },
);

/**
 * GRPO's token-level clipped surrogate plus β·(e^{ref − lp} − (ref − lp) − 1), over the tokens
 * with mask 1, aggregated per token, per sequence or by B·T, as the core `grpo`.
 */
export const { entry: grpoTf, fn: grpo } = defineTfLoss('grpo', grpoLoss, {
  check(t) {
    requireRank('grpo', 'logProbs', t.logProbs, 2, '[B, T]');
    requireSameShape('grpo', 'logProbs', t.logProbs, 'oldLogProbs', t.oldLogProbs);
    requireSameShape('grpo', 'logProbs', t.logProbs, 'refLogProbs', t.refLogProbs);
    requireSameShape('grpo', 'logProbs', t.logProbs, 'mask', t.mask);
    const batch = t.logProbs.shape[0];
    if (t.advantages.rank !== 1 || t.advantages.shape[0] !== batch) {
      throw new LossInputError(
        'grpo',
        'advantages',
        `shape ${formatShape(t.advantages.shape)} must be [B] = [${batch}], one advantage per row of logProbs ${formatShape(t.logProbs.shape)}`,
      );
    }
  },
  compute(t, o) {
    const [batch, tokens] = t.logProbs.shape;
    const advantages = tf.reshape(t.advantages, [batch, 1]);
    const ratio = tf.exp(tf.sub(t.logProbs, t.oldLogProbs));
    const high = o.clipEpsilonHigh ?? o.clipEpsilon;
    const unclipped = tf.mul(ratio, advantages);
    const clipped = tf.mul(tf.clipByValue(ratio, 1 - o.clipEpsilon, 1 + high), advantages);
    let perToken = tf.neg(tf.minimum(unclipped, clipped));
    if (o.beta !== 0) {
      const d = tf.sub(t.refLogProbs, t.logProbs);
      perToken = tf.add(perToken, tf.mul(o.beta, tf.sub(tf.sub(tf.exp(d), d), 1)));
    }
    const masked = tf.mul(perToken, t.mask);
    if (o.aggregate === 'token') return divideOrZero(tf.sum(masked), tf.sum(t.mask));
    if (o.aggregate === 'constant') return divideOrZero(tf.sum(masked), batch * tokens);
    // 'sequence': each sequence's token mean, averaged over the sequences with a token left.
    const lengths = tf.sum(t.mask, 1);
    const perSequence = divideOrZero(tf.sum(masked, 1), lengths);
    return divideOrZero(tf.sum(perSequence), tf.sum(tf.cast(tf.greater(lengths, 0), 'float32')));
  },
});

export const rlTfLosses = {
  policyGradient: policyGradientTf,
  valueLoss: valueLossTf,
  ppoClip: ppoClipTf,
  entropyBonus: entropyBonusTf,
  clippedValueLoss: clippedValueLossTf,
  grpo: grpoTf,
} as const;
