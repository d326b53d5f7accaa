import * as tf from '@tensorflow/tfjs-core';
import { classCount } from './define.js';
import { oneHot } from './ops.js';

/**
 * The target distribution of a cross-entropy against integer labels, as coefficients of the
 * negative log-probabilities: the true class gets `trueCoefficient`·w_y, every class c gets
 * `base`·w_c on top (w the class weights, ones when null).
 */
export interface LabelTarget {
  readonly trueCoefficient: number;
  /** Per-class smoothing mass (before class weights); 0 for no smoothing. */
  readonly base: number;
  /** Class weights [C], or null for ones. */
  readonly classWeight: tf.Tensor | null;
  /** Labels equal to this contribute 0 to the loss and to the mean's divisor. */
  readonly ignoreIndex: number | undefined;
}

/**
 * Cross-entropy of log-probabilities `logProbs` [..., C] against labels [...]:
 * ℓ = trueCoefficient·w_y·(−l_y) + Σ_c base·w_c·(−l_c), 0 at ignored positions. Returns the
 * per-position losses and the divisor of `'mean'` (Σ w_y over counted labels, a constant),
 * torch `F.cross_entropy`'s semantics.
 */
export function labelCrossEntropy(
  logProbs: tf.Tensor,
  labels: tf.Tensor,
  target: LabelTarget,
): { units: tf.Tensor; divisor: tf.Tensor } {
  const classes = classCount(logProbs);
  const rows = oneHot(labels, classes);
  const weightedRows = target.classWeight === null ? rows : tf.mul(rows, target.classWeight);
  let units = tf.mul(target.trueCoefficient, tf.neg(tf.sum(tf.mul(weightedRows, logProbs), -1)));
  if (target.base !== 0) {
    const perClass = target.classWeight === null ? logProbs : tf.mul(logProbs, target.classWeight);
    units = tf.add(units, tf.mul(target.base, tf.neg(tf.sum(perClass, -1))));
  }
  let labelWeight = tf.sum(weightedRows, -1);
  if (target.ignoreIndex !== undefined) {
    const counted = tf.cast(tf.notEqual(labels, target.ignoreIndex), 'float32');
    units = tf.mul(units, counted);
    labelWeight = tf.mul(labelWeight, counted);
  }
  return { units, divisor: tf.sum(labelWeight) };
}

/**
 * PaLM's auxiliary z-loss added to per-position losses `units` [...]: zLoss·lse(x)² at every
 * counted position (labels not equal to `ignoreIndex`), lse the log-sum-exp of the logits [..., C]
 * along the last axis, unweighted; `units` unchanged for zLoss 0. TF.js's autodiff gives the
 * core's gradient 2·zLoss·lse·softmax(x).
 */
export function addZLoss(
  units: tf.Tensor,
  logits: tf.Tensor,
  labels: tf.Tensor,
  zLoss: number,
  ignoreIndex: number | undefined,
): tf.Tensor {
  if (zLoss === 0) return units;
  let z = tf.mul(zLoss, tf.square(tf.logSumExp(logits, -1)));
  if (ignoreIndex !== undefined) z = tf.mul(z, tf.cast(tf.notEqual(labels, ignoreIndex), 'float32'));
  return tf.add(units, z);
}
