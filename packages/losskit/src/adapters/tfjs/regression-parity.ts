import * as tf from '@tensorflow/tfjs-core';
import { cosineDistanceLoss } from '../../losses/regression/cosineDistance.js';
import { gaussianNllLoss, requireVarianceShape } from '../../losses/regression/gaussianNll.js';
import { logCoshLoss } from '../../losses/regression/logCosh.js';
import { meanAbsolutePercentageErrorLoss } from '../../losses/regression/meanAbsolutePercentageError.js';
import { meanSquaredLogarithmicErrorLoss } from '../../losses/regression/meanSquaredLogarithmicError.js';
import { poissonNllLoss } from '../../losses/regression/poissonNll.js';
import { quantileLoss, requireLevelsPerEntry } from '../../losses/regression/quantile.js';
import { defineTfLoss, requireMinRank, requireSameShape } from './define.js';
import { abs0, reduce } from './ops.js';

// Catalogue II, part A: Keras `log_cosh`, `mean_absolute_percentage_error` and
// `mean_squared_logarithmic_error`, the pinball loss, torch `F.poisson_nll_loss`,
// `F.gaussian_nll_loss` and 1 − `F.cosine_similarity` along the last axis.
//
// Their own module (re-exported by regression.ts, which lists them in `regressionTfLosses`): the
// defineTfLoss calls of a module are kept by a bundler whenever any export of it is used, so in
// regression.ts they would ride along with `import { huber }` (see tree-shaking.test.ts).

const sameShape = (name: string) => (t: { readonly input: tf.Tensor; readonly target: tf.Tensor }) =>
  requireSameShape(name, 'input', t.input, 'target', t.target);

let clampOp: ((v: tf.Tensor, floor: tf.Tensor) => tf.Tensor) | null = null;

/**
 * max(v, floor) whose gradient passes to v everywhere, the clamp included: torch's in-place clamp
 * under `no_grad` (gaussian_nll_loss's variance, cosine_similarity's squared norms).
 */
function clampPassThrough(v: tf.Tensor, floor: number): tf.Tensor {
  clampOp ??= tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [value, bound] = args as [tf.Tensor, tf.Tensor];
    return { value: tf.maximum(value, bound), gradFunc: (dy: tf.Tensor) => [dy, tf.zerosLike(bound)] };
  }) as (v: tf.Tensor, floor: tf.Tensor) => tf.Tensor;
  return clampOp(v, tf.scalar(floor));
}

/** Log-cosh loss, as the core `logCosh`. */
export const { entry: logCoshTf, fn: logCosh } = defineTfLoss('logCosh', logCoshLoss, {
  check: sameShape('logCosh'),
  compute(t, o) {
    // |d| + softplus(−2|d|) − log 2, finite for any d; its gradient is tanh(d) (0 at d = 0).
    const a = abs0(tf.sub(t.input, t.target));
    return reduce(tf.sub(tf.add(a, tf.softplus(tf.mul(-2, a))), Math.LN2), o.reduction);
  },
});

/** Mean absolute percentage error 100·|y − x|/max(|y|, 1e-7), as the core `meanAbsolutePercentageError`. */
export const { entry: meanAbsolutePercentageErrorTf, fn: meanAbsolutePercentageError } = defineTfLoss(
  'meanAbsolutePercentageError',
  meanAbsolutePercentageErrorLoss,
  {
    check: sameShape('meanAbsolutePercentageError'),
    compute(t, o) {
      const weight = tf.div(100, tf.maximum(tf.abs(t.target), 1e-7));
      return reduce(tf.mul(abs0(tf.sub(t.input, t.target)), weight), o.reduction);
    },
  },
);

/** Mean squared logarithmic error, as the core `meanSquaredLogarithmicError`. */
export const { entry: meanSquaredLogarithmicErrorTf, fn: meanSquaredLogarithmicError } = defineTfLoss(
  'meanSquaredLogarithmicError',
  meanSquaredLogarithmicErrorLoss,
  {
    check: sameShape('meanSquaredLogarithmicError'),
    compute(t, o) {
      // `maximum` passes its gradient at equality, as torch's clamp; below 1e-7 it is 0.
      const logX = tf.log1p(tf.maximum(t.input, tf.fill(t.input.shape, 1e-7)));
      const logY = tf.log1p(tf.maximum(t.target, 1e-7));
      return reduce(tf.squaredDifference(logX, logY), o.reduction);
    },
  },
);

/** Quantile (pinball) loss with one level or one per entry of the last axis, as the core `quantile`. */
export const { entry: quantileTf, fn: quantile } = defineTfLoss('quantile', quantileLoss, {
  check(t, o) {
    requireSameShape('quantile', 'input', t.input, 'target', t.target);
    requireLevelsPerEntry(t.input, o.quantile);
  },
  compute(t, o) {
    // |d|·w with w = τ where d = y − x > 0 and 1 − τ where d < 0 (w through sign: no gradient).
    const d = tf.sub(t.target, t.input);
    const tau = typeof o.quantile === 'number' ? tf.scalar(o.quantile) : tf.tensor1d([...o.quantile]);
    const weight = tf.add(0.5, tf.mul(tf.sub(tau, 0.5), tf.sign(d)));
    return reduce(tf.mul(abs0(d), weight), o.reduction);
  },
});

/** Poisson negative log-likelihood, as the core `poissonNll` (torch `F.poisson_nll_loss`). */
export const { entry: poissonNllTf, fn: poissonNll } = defineTfLoss('poissonNll', poissonNllLoss, {
  check: sameShape('poissonNll'),
  compute(t, o) {
    const x = t.input;
    const y = t.target;
    let units = o.logInput ? tf.sub(tf.exp(x), tf.mul(y, x)) : tf.sub(x, tf.mul(y, tf.log(tf.add(x, o.eps))));
    if (o.full) {
      // y·log y − y + ½·log(2πy) where y > 1, 0 elsewhere (computed on max(y, 1) to stay finite).
      const counted = tf.greater(y, 1);
      const c = tf.maximum(y, 1);
      const stirling = tf.add(tf.sub(tf.mul(c, tf.log(c)), c), tf.mul(0.5, tf.log(tf.mul(2 * Math.PI, c))));
      units = tf.add(units, tf.where(counted, stirling, tf.zerosLike(stirling)));
    }
    return reduce(units, o.reduction);
  },
});

/** Gaussian negative log-likelihood with a variance per element or per row, as the core `gaussianNll`. */
export const { entry: gaussianNllTf, fn: gaussianNll } = defineTfLoss('gaussianNll', gaussianNllLoss, {
  check(t) {
    requireSameShape('gaussianNll', 'input', t.input, 'target', t.target);
    requireVarianceShape(t.input, t.variance);
  },
  compute(t, o) {
    // ½(log v + d²/v), v = max(variance, eps) with torch's pass-through gradient; a per-row
    // variance broadcasts along the last axis, and its gradient sums over it.
    const v = clampPassThrough(t.variance, o.eps);
    const units = tf.mul(0.5, tf.add(tf.log(v), tf.div(tf.square(tf.sub(t.input, t.target)), v)));
    return reduce(o.full ? tf.add(units, 0.5 * Math.log(2 * Math.PI)) : units, o.reduction);
  },
});

/** 1 − cosine similarity along the last axis (torch's eps 1e-8), as the core `cosineDistance`. */
export const { entry: cosineDistanceTf, fn: cosineDistance } = defineTfLoss(
  'cosineDistance',
  cosineDistanceLoss,
  {
    check(t) {
      requireMinRank('cosineDistance', 'input', t.input, 1, '[..., D]');
      requireSameShape('cosineDistance', 'input', t.input, 'target', t.target);
    },
    compute(t, o) {
      // x·y / √(max(‖x‖², eps²)·max(‖y‖², eps²)), the clamps passing the gradient (torch).
      const sx = clampPassThrough(tf.sum(tf.square(t.input), -1), 1e-16);
      const sy = tf.maximum(tf.sum(tf.square(t.target), -1), 1e-16);
      const cos = tf.div(tf.sum(tf.mul(t.input, t.target), -1), tf.mul(tf.sqrt(sx), tf.sqrt(sy)));
      return reduce(tf.sub(1, cos), o.reduction);
    },
  },
);
