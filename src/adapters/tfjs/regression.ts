import * as tf from '@tensorflow/tfjs-core';
import { type TfOptions, defineTfLoss, requireSameShape } from './define.js';
import { abs0, reduce } from './ops.js';

// The regression losses in TF.js ops. Semantics, options and defaults: the core's `mse`, `mae`,
// `huber` and `smoothL1` (torch `F.mse_loss`, `F.l1_loss`, `F.huber_loss`, `F.smooth_l1_loss`).

const sameShape = (name: string) => (t: { readonly input: tf.Tensor; readonly target: tf.Tensor }) =>
  requireSameShape(name, 'input', t.input, 'target', t.target);

export const mseTf = defineTfLoss('mse', {
  check: sameShape('mse'),
  compute: (t, o) => reduce(tf.squaredDifference(t.input, t.target), o.reduction),
});

export const maeTf = defineTfLoss('mae', {
  check: sameShape('mae'),
  compute: (t, o) => reduce(abs0(tf.sub(t.input, t.target)), o.reduction),
});

export const huberTf = defineTfLoss('huber', {
  check: sameShape('huber'),
  compute(t, o) {
    // With a = |d| and q = min(a, δ): ½q² + δ(a − q); the gradient is d clipped to [−δ, δ].
    const a = abs0(tf.sub(t.input, t.target));
    const q = tf.minimum(a, tf.fill(a.shape, o.delta));
    return reduce(tf.add(tf.mul(0.5, tf.square(q)), tf.mul(o.delta, tf.sub(a, q))), o.reduction);
  },
});

export const smoothL1Tf = defineTfLoss('smoothL1', {
  check: sameShape('smoothL1'),
  compute(t, o) {
    // With a = |d| and q = min(a, β): ½q²/β + (a − q); β = 0 is the L1 loss.
    const a = abs0(tf.sub(t.input, t.target));
    if (o.beta === 0) return reduce(a, o.reduction);
    const q = tf.minimum(a, tf.fill(a.shape, o.beta));
    return reduce(tf.add(tf.div(tf.mul(0.5, tf.square(q)), o.beta), tf.sub(a, q)), o.reduction);
  },
});

/** Mean squared error (x − y)², as the core `mse`. */
export function mse(input: tf.Tensor, target: tf.Tensor, options?: TfOptions<'mse'>): tf.Tensor {
  return mseTf.value({ input, target }, options);
}

/** Mean absolute error |x − y| (gradient 0 at 0), as the core `mae`. */
export function mae(input: tf.Tensor, target: tf.Tensor, options?: TfOptions<'mae'>): tf.Tensor {
  return maeTf.value({ input, target }, options);
}

/** Huber loss with threshold `delta`, as the core `huber`. */
export function huber(input: tf.Tensor, target: tf.Tensor, options?: TfOptions<'huber'>): tf.Tensor {
  return huberTf.value({ input, target }, options);
}

/** Smooth L1 loss with threshold `beta`, as the core `smoothL1`. */
export function smoothL1(input: tf.Tensor, target: tf.Tensor, options?: TfOptions<'smoothL1'>): tf.Tensor {
  return smoothL1Tf.value({ input, target }, options);
}

export const regressionTfLosses = { mse: mseTf, mae: maeTf, huber: huberTf, smoothL1: smoothL1Tf } as const;
