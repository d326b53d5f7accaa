import * as tf from '@tensorflow/tfjs-core';
import { dpoLoss } from '../../losses/alignment/dpo.js';
import { orpoLoss } from '../../losses/alignment/orpo.js';
import { simpoLoss } from '../../losses/alignment/simpo.js';
import { defineTfLoss, requireSameShape } from './define.js';
import { reduce } from './ops.js';

// The preference-optimisation losses in TF.js ops, as the core's `dpo`, `simpo` and `orpo`.
// orpo's check that log-probabilities are < 0 reads every value; like the adapter's other value
// checks, it is left out.

/** −(1 − ε)·log σ(z) − ε·log σ(−z) = (1 − ε)·softplus(−z) + ε·softplus(z). */
const smoothedLogistic = (z: tf.Tensor, eps: number) =>
  tf.add(tf.mul(1 - eps, tf.softplus(tf.neg(z))), tf.mul(eps, tf.softplus(z)));

/** Direct preference optimisation, as the core `dpo`. */
export const { entry: dpoTf, fn: dpo } = defineTfLoss('dpo', dpoLoss, {
  check(t) {
    for (const name of ['policyRejected', 'referenceChosen', 'referenceRejected'] as const)
      requireSameShape('dpo', 'policyChosen', t.policyChosen, name, t[name]);
  },
  compute(t, o) {
    const delta = tf.sub(
      tf.sub(t.policyChosen, t.referenceChosen),
      tf.sub(t.policyRejected, t.referenceRejected),
    );
    const z = tf.mul(o.beta, delta);
    const eps = o.labelSmoothing;
    let units: tf.Tensor;
    if (o.lossType === 'sigmoid') units = smoothedLogistic(z, eps);
    else if (o.lossType === 'hinge') units = tf.relu(tf.sub(1, z));
    else if (o.lossType === 'ipo') units = tf.square(tf.sub(delta, 1 / (2 * o.beta)));
    else
      units = tf.div(
        tf.sub(tf.mul(1 - eps, tf.softplus(tf.neg(z))), tf.mul(eps, tf.softplus(z))),
        1 - 2 * eps,
      );
    return reduce(units, o.reduction);
  },
});

/** Simple preference optimisation, as the core `simpo`. */
export const { entry: simpoTf, fn: simpo } = defineTfLoss('simpo', simpoLoss, {
  check: (t) => requireSameShape('simpo', 'chosen', t.chosen, 'rejected', t.rejected),
  compute(t, o) {
    const z = tf.sub(tf.mul(o.beta, tf.sub(t.chosen, t.rejected)), o.gamma);
    return reduce(smoothedLogistic(z, o.labelSmoothing), o.reduction);
  },
});

/** Odds-ratio preference term, as the core `orpo`. */
export const { entry: orpoTf, fn: orpo } = defineTfLoss('orpo', orpoLoss, {
  check: (t) => requireSameShape('orpo', 'chosen', t.chosen, 'rejected', t.rejected),
  compute(t, o) {
    const logOdds = (p: tf.Tensor) => tf.sub(p, tf.log1p(tf.neg(tf.exp(p))));
    const z = tf.sub(logOdds(t.chosen), logOdds(t.rejected));
    return reduce(tf.mul(o.beta, tf.softplus(tf.neg(z))), o.reduction);
  },
});

export const alignmentTfLosses = {
  dpo: dpoTf,
  simpo: simpoTf,
  orpo: orpoTf,
} as const;
