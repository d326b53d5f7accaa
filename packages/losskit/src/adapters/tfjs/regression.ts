import * as tf from '@tensorflow/tfjs-core';
import { huberLoss } from '../../losses/regression/huber.js';
import { maeLoss } from '../../losses/regression/mae.js';
import { mseLoss } from '../../losses/regression/mse.js';
import { smoothL1Loss } from '../../losses/regression/smoothL1.js';
import { defineTfLoss, requireSameShape } from './define.js';
import { abs0, reduce } from './ops.js';
import {
  cosineDistanceTf,
  gaussianNllTf,
  logCoshTf,
  meanAbsolutePercentageErrorTf,
  meanSquaredLogarithmicErrorTf,
  poissonNllTf,
  quantileTf,
} from './regression-parity.js';

// The regression losses in TF.js ops. Semantics, options and defaults: the core's `mse`, `mae`,
// `huber` and `smoothL1` (torch `F.mse_loss`, `F.l1_loss`, `F.huber_loss`, `F.smooth_l1_loss`).

const sameShape = (name: string) => (t: { readonly input: tf.Tensor; readonly target: tf.Tensor }) =>
  requireSameShape(name, 'input', t.input, 'target', t.target);

/** Mean squared error (x − y)², as the core `mse`. */
export const { entry: mseTf, fn: mse } = defineTfLoss('mse', mseLoss, {
  check: sameShape('mse'),
  compute: (t, o) => reduce(tf.squaredDifference(t.input, t.target), o.reduction),
});

/** Mean absolute error |x − y| (gradient 0 at 0), as the core `mae`. */
export const { entry: maeTf, fn: mae } = defineTfLoss('mae', maeLoss, {
  check: sameShape('mae'),
  compute: (t, o) => reduce(abs0(tf.sub(t.input, t.target)), o.reduction),
});

/** Huber loss with threshold `delta`, as the core `huber`. */
export const { entry: huberTf, fn: huber } = defineTfLoss('huber', huberLoss, {
  check: sameShape('huber'),
  compute(t, o) {
    // With a = |d| and q = min(a, δ): ½q² + δ(a − q); the gradient is d clipped to [−δ, δ].
    const a = abs0(tf.sub(t.input, t.target));
    const q = tf.minimum(a, tf.fill(a.shape, o.delta));
    return reduce(tf.add(tf.mul(0.5, tf.square(q)), tf.mul(o.delta, tf.sub(a, q))), o.reduction);
  },
});

/** Smooth L1 loss with threshold `beta`, as the core `smoothL1`. */
export const { entry: smoothL1Tf, fn: smoothL1 } = defineTfLoss('smoothL1', smoothL1Loss, {
  check: sameShape('smoothL1'),
  compute(t, o) {
    // With a = |d| and q = min(a, β): ½q²/β + (a − q); β = 0 is the L1 loss.
    const a = abs0(tf.sub(t.input, t.target));
    if (o.beta === 0) return reduce(a, o.reduction);
    const q = tf.minimum(a, tf.fill(a.shape, o.beta));
    return reduce(tf.add(tf.div(tf.mul(0.5, tf.square(q)), o.beta), tf.sub(a, q)), o.reduction);
  },
});

// Catalogue II, part A (issue #14): defined in regression-parity.ts, so that `import { huber }`
// does not bundle them.
export {
  cosineDistance,
  gaussianNll,
  logCosh,
  meanAbsolutePercentageError,
  meanSquaredLogarithmicError,
  poissonNll,
  quantile,
} from './regression-parity.js';

export const regressionTfLosses = {
  mse: mseTf,
  mae: maeTf,
  huber: huberTf,
  smoothL1: smoothL1Tf,
  logCosh: logCoshTf,
  meanAbsolutePercentageError: meanAbsolutePercentageErrorTf,
  meanSquaredLogarithmicError: meanSquaredLogarithmicErrorTf,
  quantile: quantileTf,
  poissonNll: poissonNllTf,
  gaussianNll: gaussianNllTf,
  cosineDistance: cosineDistanceTf,
} as const;
