import * as tf from '@tensorflow/tfjs-core';
import { LOG_CLAMP } from '../../losses/math.js';
import type { Reduction } from '../../losses/reduce.js';

/**
 * TF.js building blocks of the adapter losses, written so that TF.js's autodiff gives the core's
 * (PyTorch's) gradients on every backend:
 * - masks of differentiable tensors use `sign`/`step` (their gradient is 0); comparison ops have
 *   no registered gradient, so they only ever see targets, labels and other constants;
 * - the few places where PyTorch's gradient is a convention rather than the derivative of the
 *   value (the BCE floor, norms and powers at 0) use `tf.customGrad`.
 */

/** PyTorch's floor under p(1 − p) in the gradient of `F.binary_cross_entropy`. */
const BCE_GRAD_FLOOR = 1e-12;
/** Squared norms below this are treated as 0 by `safeSqrt` (float32 keeps 1e-30 as a normal number). */
const TINY = 1e-30;

/** |x| whose gradient is sign(x), 0 at 0 (torch's); `tf.abs` has gradient −1 at 0. */
export function abs0(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sign(x));
}

let stopGradientOp: ((x: tf.Tensor) => tf.Tensor) | null = null;

/** The value of x with no gradient (torch's `detach` / `no_grad`: CIoU's α, VQ-VAE's sg). */
export function stopGradient(x: tf.Tensor): tf.Tensor {
  stopGradientOp ??= tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input] = args as [tf.Tensor];
    return { value: tf.clone(input), gradFunc: (dy) => tf.zerosLike(dy) };
  });
  return stopGradientOp(x);
}

/** max(x, 0) whose gradient passes where x ≥ 0 (torch's `clamp_min(0)`; `tf.relu` blocks it at 0). */
export function hinge(x: tf.Tensor): tf.Tensor {
  return tf.maximum(x, tf.zerosLike(x));
}

/** min(a, b) = ½(a + b − |a − b|): a tie splits the gradient in half, as torch's `minimum`. */
export function minSplit(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.mul(0.5, tf.sub(tf.add(a, b), abs0(tf.sub(a, b))));
}

/** √s for s ≥ 0, with value and gradient 0 at s = 0 (the gradient of a norm at the origin). */
export function safeSqrt(s: tf.Tensor): tf.Tensor {
  return tf.mul(tf.sqrt(tf.maximum(s, tf.fill(s.shape, TINY))), tf.step(s));
}

/** log(p) clamped at −100, as torch's BCE. Value only (used inside custom gradients). */
function clampedLog(p: tf.Tensor): tf.Tensor {
  return tf.maximum(tf.log(p), tf.fill(p.shape, LOG_CLAMP));
}

let bceOp: ((p: tf.Tensor, y: tf.Tensor) => tf.Tensor) | null = null;

/**
 * torch `F.binary_cross_entropy` element-wise, −[y·log p + (1 − y)·log(1 − p)] with logs clamped
 * at −100, and torch's gradient (p − y)/max(p(1 − p), 1e-12), also where the log is clamped.
 */
export function probabilityBce(p: tf.Tensor, y: tf.Tensor): tf.Tensor {
  bceOp ??= tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [prob, target, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([prob, target]);
    const logP = clampedLog(prob);
    const log1mP = clampedLog(tf.sub(1, prob));
    const value = tf.neg(tf.add(tf.mul(target, logP), tf.mul(tf.sub(1, target), log1mP)));
    return {
      value,
      gradFunc: (dy, [pr, tg]) => {
        const floor = tf.maximum(tf.mul(pr, tf.sub(1, pr)), tf.fill(pr.shape, BCE_GRAD_FLOOR));
        const dp = tf.div(tf.sub(pr, tg), floor);
        const dt = tf.sub(clampedLog(tf.sub(1, pr)), clampedLog(pr));
        return [tf.mul(dy, dp), tf.mul(dy, dt)];
      },
    };
  });
  return bceOp(p, tf.broadcastTo(y, p.shape));
}

/** Binary cross-entropy of logits, (1 − y)·softplus(x) + y·softplus(−x): finite for any finite x. */
export function logitBce(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return tf.add(tf.mul(tf.sub(1, y), tf.softplus(x)), tf.mul(y, tf.softplus(tf.neg(x))));
}

const powOps = new Map<number, (q: tf.Tensor) => tf.Tensor>();

/**
 * q^γ for q ≥ 0 with gradient γq^(γ−1) where q > 0 and 0 where q = 0 (the limit of the focal
 * term, where autodiff gives NaN or ∞ for γ < 1).
 */
export function powFromZero(q: tf.Tensor, gamma: number): tf.Tensor {
  let op = powOps.get(gamma);
  if (op === undefined) {
    op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [base, save] = args as [tf.Tensor, tf.GradSaveFunc];
      save([base]);
      return {
        value: tf.pow(base, gamma),
        gradFunc: (dy, [b]) => {
          const positive = tf.greater(b, 0);
          const safe = tf.where(positive, b, tf.onesLike(b));
          const slope = tf.where(positive, tf.mul(gamma, tf.pow(safe, gamma - 1)), tf.zerosLike(b));
          return tf.mul(dy, slope);
        },
      };
    });
    powOps.set(gamma, op);
  }
  return op(q);
}

const pNormOps = new Map<number, (v: tf.Tensor) => tf.Tensor>();

/**
 * ‖v‖_p along the last axis (p ≥ 1), gradient sign(v)(|v|/‖v‖)^(p−1) and 0 where the norm is 0.
 * p = 1 and 2 are plain ops; other p factor out the largest |vₖ| so large p cannot overflow.
 */
export function pNorm(v: tf.Tensor, p: number): tf.Tensor {
  if (p === 1) return tf.sum(abs0(v), -1);
  if (p === 2) return safeSqrt(tf.sum(tf.square(v), -1));
  let op = pNormOps.get(p);
  if (op === undefined) {
    op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [vec, save] = args as [tf.Tensor, tf.GradSaveFunc];
      const a = tf.abs(vec);
      const m = tf.max(a, -1, true);
      const safeM = tf.where(tf.greater(m, 0), m, tf.onesLike(m));
      const norm = tf.mul(m, tf.pow(tf.sum(tf.pow(tf.div(a, safeM), p), -1, true), 1 / p));
      save([vec, norm]);
      return {
        value: tf.reshape(norm, vec.shape.slice(0, -1)),
        gradFunc: (dy, [x, n]) => {
          const positive = tf.greater(n, 0);
          const safeN = tf.where(positive, n, tf.onesLike(n));
          const slope = tf.mul(tf.sign(x), tf.pow(tf.div(tf.abs(x), safeN), p - 1));
          const masked = tf.where(tf.broadcastTo(positive, x.shape), slope, tf.zerosLike(x));
          return tf.mul(tf.expandDims(dy, -1), masked);
        },
      };
    });
    pNormOps.set(p, op);
  }
  return op(v);
}

/** log(clip(p, 1e-7, 1)): the Keras probability path, gradient 0 where the clip is active. */
export function clippedLog(p: tf.Tensor): tf.Tensor {
  return tf.log(tf.clipByValue(p, 1e-7, 1));
}

/** total / divisor, or 0 (with a zero gradient) where the divisor is 0. `divisor` must be a constant. */
export function divideOrZero(total: tf.Tensor, divisor: tf.Tensor | number): tf.Tensor {
  if (typeof divisor === 'number') return divisor === 0 ? tf.mul(total, 0) : tf.div(total, divisor);
  const counted = tf.greater(divisor, 0);
  const safe = tf.where(counted, divisor, tf.onesLike(divisor));
  return tf.mul(tf.div(total, safe), tf.cast(counted, 'float32'));
}

/** The mean of every element, 0 for an empty tensor (as the core's empty expectation). */
export function meanOrZero(x: tf.Tensor): tf.Tensor {
  return divideOrZero(tf.sum(x), x.size);
}

/**
 * The core's reductions of per-unit losses: `'none'` the units, `'sum'` their total, `'mean'`
 * the total over `meanDivisor` (default: the unit count; 0 gives 0), `'batchmean'` the total over
 * the first axis of the units (1 for 0-d).
 */
export function reduce(units: tf.Tensor, reduction: Reduction, meanDivisor?: tf.Tensor | number): tf.Tensor {
  switch (reduction) {
    case 'none':
      return units;
    case 'sum':
      return tf.sum(units);
    case 'mean':
      return divideOrZero(tf.sum(units), meanDivisor ?? units.size);
    case 'batchmean':
      return divideOrZero(tf.sum(units), units.rank === 0 ? 1 : units.shape[0]);
  }
}

/**
 * One-hot rows of integer labels (a float32 tensor of any shape) over `classes`, shape
 * `[...labels.shape, classes]`. Labels outside [0, classes) (an ignore index) give a zero row.
 * Written as a comparison with 0..C−1 rather than `tf.oneHot`, which needs C ≥ 2 and whose wasm
 * kernel writes zeros for a float32 result.
 */
export function oneHot(labels: tf.Tensor, classes: number): tf.Tensor {
  const classIds = tf.range(0, classes, 1, 'float32');
  return tf.cast(tf.equal(tf.expandDims(tf.cast(labels, 'float32'), -1), classIds), 'float32');
}
