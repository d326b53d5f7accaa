import * as tf from '@tensorflow/tfjs-core';

// The Lovász extension of the Jaccard loss in TF.js ops, for `lovaszHinge` and `lovaszSoftmax`.
// Sorting has no gradient in TF.js (TopK has none registered, and its int32 indices cannot carry
// one), so the extension is one `tf.customGrad` op: its forward pass sorts with `tf.topk`, takes
// the Lovász gradient of the sorted foreground with `tf.cumsum`, and keeps those slopes at the
// elements' original positions, which are exactly the gradient of the value with respect to the
// errors (the extension is linear in them for a fixed order). Everything stays on the backend.

/** x[r, idx[r, k]] for a [rows, n] tensor and [rows, n] int32 indices. */
function gatherRows(x: tf.Tensor, idx: tf.Tensor, rows: number, n: number): tf.Tensor {
  const offsets = tf.mul(tf.reshape(tf.range(0, rows, 1, 'int32'), [rows, 1]), tf.scalar(n, 'int32'));
  const flat = tf.reshape(tf.add(idx, offsets), [-1]);
  return tf.reshape(tf.gather(tf.reshape(x, [-1]), flat), [rows, n]);
}

let lovaszOp: ((errors: tf.Tensor, foreground: tf.Tensor, valid: tf.Tensor) => tf.Tensor) | null = null;

/**
 * Per row of `errors` [rows, n] (values ≥ 0), Σ_r e₍r₎·(J_r − J_{r−1}) with the errors sorted
 * descending (`tf.topk`: equal errors by ascending index) and J_r = 1 − (p − c₁)/(p + c₀) the
 * Jaccard loss of the first r + 1 sorted `foreground` values (0 or 1), p = Σ foreground. Elements
 * whose `valid` is 0 (ignored pixels; their foreground must be 0) sort last with error 0, so they
 * change neither the value nor the slopes of the others. Returns [rows]; the gradient with
 * respect to the errors is the slope of each element's sorted position (0 where not valid).
 */
export function lovaszRows(errors: tf.Tensor, foreground: tf.Tensor, valid: tf.Tensor): tf.Tensor {
  lovaszOp ??= tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [e, fg, v, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const [rows, n] = e.shape;
    const counted = tf.greater(v, 0);
    const key = tf.where(counted, e, tf.fill(e.shape, -1));
    const order = tf.topk(key, n, true).indices;
    const sortedErrors = gatherRows(tf.mul(e, v), order, rows, n);
    const sortedFg = gatherRows(fg, order, rows, n);
    const positives = tf.sum(fg, 1, true);
    const intersection = tf.sub(positives, tf.cumsum(sortedFg, 1));
    const union = tf.add(positives, tf.cumsum(tf.sub(1, sortedFg), 1));
    const jaccard = tf.sub(1, tf.div(intersection, union));
    const previous = tf.concat([tf.zeros([rows, 1]), tf.slice(jaccard, [0, 0], [rows, n - 1])], 1);
    const slopes = tf.sub(jaccard, previous);
    // The inverse permutation (argsort of the order) puts each slope back at its element.
    const inverse = tf.topk(tf.neg(tf.cast(order, 'float32')), n, true).indices;
    save([tf.mul(gatherRows(slopes, inverse, rows, n), v)]);
    return {
      value: tf.sum(tf.mul(sortedErrors, slopes), 1),
      gradFunc: (dy, [s]) => [tf.mul(tf.expandDims(dy, 1), s), tf.zerosLike(s), tf.zerosLike(s)],
    };
  });
  return lovaszOp(errors, foreground, valid);
}
