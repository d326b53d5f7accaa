import * as tf from '@tensorflow/tfjs-core';
import { contrastiveLoss } from '../../losses/ranking/contrastive.js';
import { pairwiseHingeLoss } from '../../losses/ranking/pairwiseHinge.js';
import { tripletLoss } from '../../losses/ranking/triplet.js';
import { LossInputError, formatShape, sameShape } from '../../tensor/index.js';
import { defineTfLoss, requireSameShape } from './define.js';
import { hinge, minSplit, pNorm, reduce, safeSqrt } from './ops.js';

// The ranking losses in TF.js ops, with the core's names, options and semantics (API.md).

/** Embeddings are a batch of rows [N, D] or one unbatched row [D]. */
function requireEmbeddings(loss: string, name: string, t: tf.Tensor): void {
  if (t.rank !== 1 && t.rank !== 2)
    throw new LossInputError(loss, name, `must have shape [N, D] or [D], got ${formatShape(t.shape)}`);
}

/** Contrastive loss of pairs of embeddings a, b [N, D] with labels [N] (1 similar, 0 dissimilar), as the core `contrastive`. */
export const { entry: contrastiveTf, fn: contrastive } = defineTfLoss('contrastive', contrastiveLoss, {
  check(t) {
    requireEmbeddings('contrastive', 'a', t.a);
    requireSameShape('contrastive', 'a', t.a, 'b', t.b);
    const expected = t.a.shape.slice(0, -1);
    if (!sameShape(expected, t.label.shape)) {
      throw new LossInputError(
        'contrastive',
        'label',
        `shape ${formatShape(t.label.shape)} does not match a shape ${formatShape(t.a.shape)}: expected one label per row, ${formatShape(expected)}`,
      );
    }
  },
  compute(t, o) {
    // ½d² for similar pairs, ½max(0, m − d)² for dissimilar ones; d = ‖a − b‖₂ (gradient 0 at d = 0).
    const squared = tf.sum(tf.squaredDifference(t.a, t.b), -1);
    const d = safeSqrt(squared);
    const similar = tf.mul(t.label, squared);
    const dissimilar = tf.mul(tf.sub(1, t.label), tf.square(hinge(tf.sub(o.margin, d))));
    return reduce(tf.mul(0.5, tf.add(similar, dissimilar)), o.reduction);
  },
});

/** Triplet margin loss of anchor, positive and negative embeddings [N, D], as the core `triplet` (torch `F.triplet_margin_loss`). */
export const { entry: tripletTf, fn: triplet } = defineTfLoss('triplet', tripletLoss, {
  check(t) {
    requireEmbeddings('triplet', 'anchor', t.anchor);
    requireSameShape('triplet', 'anchor', t.anchor, 'positive', t.positive);
    requireSameShape('triplet', 'anchor', t.anchor, 'negative', t.negative);
  },
  compute(t, o) {
    // torch's pairwise_distance ‖x − y + ε‖_p; with swap, the negative distance is the smaller
    // of d(a, n) and d(p, n) (a tie splits the gradient, as torch's minimum).
    const distance = (x: tf.Tensor, y: tf.Tensor) => pNorm(tf.add(tf.sub(x, y), o.eps), o.p);
    const dPos = distance(t.anchor, t.positive);
    const dAn = distance(t.anchor, t.negative);
    const dNeg = o.swap ? minSplit(dAn, distance(t.positive, t.negative)) : dAn;
    return reduce(hinge(tf.add(tf.sub(dPos, dNeg), o.margin)), o.reduction);
  },
});

/** Pairwise hinge max(0, margin − (pos − neg)) on scores, as the core `pairwiseHinge`. */
export const { entry: pairwiseHingeTf, fn: pairwiseHinge } = defineTfLoss(
  'pairwiseHinge',
  pairwiseHingeLoss,
  {
    check: (t) => requireSameShape('pairwiseHinge', 'positive', t.positive, 'negative', t.negative),
    compute: (t, o) => reduce(hinge(tf.sub(o.margin, tf.sub(t.positive, t.negative))), o.reduction),
  },
);

export const rankingTfLosses = {
  contrastive: contrastiveTf,
  triplet: tripletTf,
  pairwiseHinge: pairwiseHingeTf,
} as const;
