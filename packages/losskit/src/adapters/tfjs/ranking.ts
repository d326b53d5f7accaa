import * as tf from '@tensorflow/tfjs-core';
import { contrastiveLoss } from '../../losses/ranking/contrastive.js';
import { cosineEmbeddingLoss } from '../../losses/ranking/cosineEmbedding.js';
import { hingeEmbeddingLoss } from '../../losses/ranking/hingeEmbedding.js';
import { marginRankingLoss } from '../../losses/ranking/marginRanking.js';
import { pairwiseHingeLoss } from '../../losses/ranking/pairwiseHinge.js';
import { tripletLoss } from '../../losses/ranking/triplet.js';
import { ntXentLoss } from '../../losses/ranking/ntXent.js';
import { supervisedContrastiveLoss } from '../../losses/ranking/supervisedContrastive.js';
import { clipContrastiveLoss } from '../../losses/ranking/clipContrastive.js';
import { sigmoidContrastiveLoss } from '../../losses/ranking/sigmoidContrastive.js';
import { rankingSoftmaxLoss } from '../../losses/ranking/rankingSoftmax.js';
import { pairwiseLogisticLoss } from '../../losses/ranking/pairwiseLogistic.js';
import { requireMinRank as requireListRank } from '../../losses/shape-checks.js';
import { LossInputError, formatShape, sameShape } from '../../tensor/index.js';
import { defineTfLoss, requireRank, requireSameShape } from './define.js';
import { divideOrZero, hinge, minSplit, pNorm, reduce, safeSqrt } from './ops.js';

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

/**
 * torch `F.cosine_similarity(x, y, eps=1e-8)` along the last axis: x·y / (max(‖x‖, ε)·max(‖y‖, ε)),
 * each clamp passing the gradient where the norm is at least ε (torch's `clamp_min`).
 */
function cosineSimilarity(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
  const norm = (v: tf.Tensor) => tf.maximum(safeSqrt(tf.sum(tf.square(v), -1)), 1e-8);
  return tf.div(tf.sum(tf.mul(x, y), -1), tf.mul(norm(x), norm(y)));
}

/** ½(1 + y) and ½(1 − y) of a ±1 target: the masks of its two cases, as constants. */
function signMasks(target: tf.Tensor): [tf.Tensor, tf.Tensor] {
  return [tf.mul(0.5, tf.add(1, target)), tf.mul(0.5, tf.sub(1, target))];
}

/** Triplet margin loss of anchor, positive and negative embeddings [N, D], as the core `triplet` (torch `F.triplet_margin_loss`). */
export const { entry: tripletTf, fn: triplet } = defineTfLoss('triplet', tripletLoss, {
  check(t) {
    requireEmbeddings('triplet', 'anchor', t.anchor);
    requireSameShape('triplet', 'anchor', t.anchor, 'positive', t.positive);
    requireSameShape('triplet', 'anchor', t.anchor, 'negative', t.negative);
  },
  compute(t, o) {
    // torch's pairwise_distance ‖x − y + ε‖_p, or 1 − cosine similarity (distance 'cosine'); with
    // swap, the negative distance is the smaller of d(a, n) and d(p, n) (a tie splits the
    // gradient, as torch's minimum).
    const distance =
      o.distance === 'cosine'
        ? (x: tf.Tensor, y: tf.Tensor) => tf.sub(1, cosineSimilarity(x, y))
        : (x: tf.Tensor, y: tf.Tensor) => pNorm(tf.add(tf.sub(x, y), o.eps), o.p);
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

/** Margin ranking max(0, −y·(x₁ − x₂) + margin), y ∈ {−1, 1}, as the core `marginRanking` (torch `F.margin_ranking_loss`). */
export const { entry: marginRankingTf, fn: marginRanking } = defineTfLoss(
  'marginRanking',
  marginRankingLoss,
  {
    check(t) {
      requireSameShape('marginRanking', 'input1', t.input1, 'input2', t.input2);
      requireSameShape('marginRanking', 'input1', t.input1, 'target', t.target);
    },
    compute: (t, o) =>
      reduce(hinge(tf.add(tf.mul(t.target, tf.sub(t.input2, t.input1)), o.margin)), o.reduction),
  },
);

/** Hinge embedding: x where y = 1, max(0, margin − x) where y = −1, as the core `hingeEmbedding` (torch `F.hinge_embedding_loss`). */
export const { entry: hingeEmbeddingTf, fn: hingeEmbedding } = defineTfLoss(
  'hingeEmbedding',
  hingeEmbeddingLoss,
  {
    check: (t) => requireSameShape('hingeEmbedding', 'input', t.input, 'target', t.target),
    compute(t, o) {
      const [similar, dissimilar] = signMasks(t.target);
      const units = tf.add(tf.mul(similar, t.input), tf.mul(dissimilar, hinge(tf.sub(o.margin, t.input))));
      return reduce(units, o.reduction);
    },
  },
);

/** Cosine embedding: 1 − cos where y = 1, max(0, cos − margin) where y = −1, as the core `cosineEmbedding` (torch `F.cosine_embedding_loss`). */
export const { entry: cosineEmbeddingTf, fn: cosineEmbedding } = defineTfLoss(
  'cosineEmbedding',
  cosineEmbeddingLoss,
  {
    check(t) {
      requireEmbeddings('cosineEmbedding', 'input1', t.input1);
      requireSameShape('cosineEmbedding', 'input1', t.input1, 'input2', t.input2);
      const expected = t.input1.shape.slice(0, -1);
      if (!sameShape(expected, t.target.shape)) {
        throw new LossInputError(
          'cosineEmbedding',
          'target',
          `shape ${formatShape(t.target.shape)} does not match input1 shape ${formatShape(t.input1.shape)}: expected one label per row, ${formatShape(expected)}`,
        );
      }
    },
    compute(t, o) {
      // torch's guard: float32 1e-12 added to each squared norm (not cosine_similarity's clamp).
      const guarded = (v: tf.Tensor) => tf.sqrt(tf.add(tf.sum(tf.square(v), -1), 1e-12));
      const cos = tf.div(
        tf.sum(tf.mul(t.input1, t.input2), -1),
        tf.mul(guarded(t.input1), guarded(t.input2)),
      );
      const [similar, dissimilar] = signMasks(t.target);
      const units = tf.add(tf.mul(similar, tf.sub(1, cos)), tf.mul(dissimilar, hinge(tf.sub(cos, o.margin))));
      return reduce(units, o.reduction);
    },
  },
);

// ---- Representation learning: the N×N similarity matrix, in TF.js ops ----

/** A logit that stands for −∞ in a masked log-sum-exp (finite, so its gradient is 0, not NaN). */
const FAR = 1e30;

/** e/√max(‖e‖², 1e-12) along the last axis, as the core's normalisation. */
function unitRows(e: tf.Tensor): tf.Tensor {
  return tf.div(e, tf.sqrt(tf.maximum(tf.sum(tf.square(e), -1, true), 1e-12)));
}

/** [N, D] embeddings and [N] labels (one per row), with the core's wording. */
function requireLabelledEmbeddings(loss: string, t: { embeddings: tf.Tensor; labels: tf.Tensor }): void {
  requireRank(loss, 'embeddings', t.embeddings, 2, '[N, D]');
  const expected = t.embeddings.shape.slice(0, -1);
  if (!sameShape(expected, t.labels.shape)) {
    throw new LossInputError(
      loss,
      'labels',
      `shape ${formatShape(t.labels.shape)} does not match embeddings shape ${formatShape(t.embeddings.shape)}: expected one label per row, ${formatShape(expected)}`,
    );
  }
}

/** Two [N, D] batches of paired embeddings. */
function requirePairedEmbeddings(
  loss: string,
  t: { imageEmbeddings: tf.Tensor; textEmbeddings: tf.Tensor },
): void {
  requireRank(loss, 'imageEmbeddings', t.imageEmbeddings, 2, '[N, D]');
  requireSameShape(loss, 'imageEmbeddings', t.imageEmbeddings, 'textEmbeddings', t.textEmbeddings);
}

/** Cosine similarities over τ of the rows, S = ÊÊᵀ/τ, and the masks of equal labels and of the diagonal (constants). */
function labelledSimilarity(
  embeddings: tf.Tensor,
  labels: tf.Tensor,
  temperature: number,
): { s: tf.Tensor; same: tf.Tensor; eye: tf.Tensor } {
  const e = unitRows(embeddings);
  const s = tf.div(tf.matMul(e, e, false, true), temperature);
  const same = tf.cast(tf.equal(tf.reshape(labels, [-1, 1]), tf.reshape(labels, [1, -1])), 'float32');
  return { s, same, eye: tf.eye(embeddings.shape[0]) };
}

/** NT-Xent over every ordered positive pair, as the core `ntXent`: softplus(L_i − s_ij), L_i the log-sum-exp over i's negatives. */
export const { entry: ntXentTf, fn: ntXent } = defineTfLoss('ntXent', ntXentLoss, {
  check: (t) => requireLabelledEmbeddings('ntXent', t),
  compute(t, o) {
    if (t.embeddings.shape[0] === 0) return tf.mul(tf.sum(t.embeddings), 0);
    const { s, same, eye } = labelledSimilarity(t.embeddings, t.labels, o.temperature);
    const negative = tf.sub(1, same);
    const positive = tf.sub(same, eye);
    // Non-negatives at −1e30: they vanish from the log-sum-exp (a row without negatives gives ℓ = 0).
    const masked = tf.add(tf.mul(s, negative), tf.mul(tf.sub(negative, 1), FAR));
    const lse = tf.logSumExp(masked, 1, true);
    const terms = tf.mul(positive, tf.softplus(tf.sub(lse, s)));
    return divideOrZero(tf.sum(terms), tf.sum(positive));
  },
});

/** SupCon L_out, as the core `supervisedContrastive`: mean over anchors with a positive of log Σ_{a≠i} e^{s_ia} − mean_p s_ip. */
export const { entry: supervisedContrastiveTf, fn: supervisedContrastive } = defineTfLoss(
  'supervisedContrastive',
  supervisedContrastiveLoss,
  {
    check: (t) => requireLabelledEmbeddings('supervisedContrastive', t),
    compute(t, o) {
      if (t.embeddings.shape[0] === 0) return tf.mul(tf.sum(t.embeddings), 0);
      const { s, same, eye } = labelledSimilarity(t.embeddings, t.labels, o.temperature);
      const positive = tf.sub(same, eye);
      const lse = tf.logSumExp(tf.sub(s, tf.mul(eye, FAR)), 1);
      const count = tf.sum(positive, 1);
      const anchor = tf.cast(tf.greater(count, 0), 'float32');
      const meanPositive = tf.div(tf.sum(tf.mul(positive, s), 1), tf.maximum(count, 1));
      return divideOrZero(tf.sum(tf.mul(anchor, tf.sub(lse, meanPositive))), tf.sum(anchor));
    },
  },
);

/** The image–text dot products Ĩ·T̃ᵀ of two batches, of normalised or raw rows. */
function pairLogits(
  t: { imageEmbeddings: tf.Tensor; textEmbeddings: tf.Tensor },
  normalize: boolean,
): tf.Tensor {
  const image = normalize ? unitRows(t.imageEmbeddings) : t.imageEmbeddings;
  const text = normalize ? unitRows(t.textEmbeddings) : t.textEmbeddings;
  return tf.matMul(image, text, false, true);
}

/** CLIP's symmetric cross-entropy, as the core `clipContrastive`: ½(CE over rows + CE over columns) of S = ĨT̃ᵀ/τ. */
export const { entry: clipContrastiveTf, fn: clipContrastive } = defineTfLoss(
  'clipContrastive',
  clipContrastiveLoss,
  {
    check: (t) => requirePairedEmbeddings('clipContrastive', t),
    compute(t, o) {
      const n = t.imageEmbeddings.shape[0];
      if (n === 0) return tf.mul(tf.add(tf.sum(t.imageEmbeddings), tf.sum(t.textEmbeddings)), 0);
      const s = tf.div(pairLogits(t, o.normalize), o.temperature);
      const diagonal = tf.sum(tf.mul(s, tf.eye(n)), 1);
      const rows = tf.sum(tf.sub(tf.logSumExp(s, 1), diagonal));
      const columns = tf.sum(tf.sub(tf.logSumExp(s, 0), diagonal));
      return tf.div(tf.add(rows, columns), 2 * n);
    },
  },
);

/** SigLIP's pairwise sigmoid loss, as the core `sigmoidContrastive`: (1/N) Σ_ij softplus(−z_ij (scale·Ĩᵢ·T̃_j + bias)). */
export const { entry: sigmoidContrastiveTf, fn: sigmoidContrastive } = defineTfLoss(
  'sigmoidContrastive',
  sigmoidContrastiveLoss,
  {
    check: (t) => requirePairedEmbeddings('sigmoidContrastive', t),
    compute(t, o) {
      const n = t.imageEmbeddings.shape[0];
      if (n === 0) return tf.mul(tf.add(tf.sum(t.imageEmbeddings), tf.sum(t.textEmbeddings)), 0);
      const logits = tf.add(tf.mul(pairLogits(t, o.normalize), o.scale), o.bias);
      const signs = tf.sub(tf.mul(tf.eye(n), 2), 1);
      return tf.div(tf.sum(tf.softplus(tf.neg(tf.mul(signs, logits)))), n);
    },
  },
);

/** `scores` [..., L] and `labels` of the same shape (the relevance values are not read). */
function checkLists(loss: string, t: { readonly scores: tf.Tensor; readonly labels: tf.Tensor }): void {
  requireListRank(loss, 'scores', t.scores, 1, '[..., L]');
  requireSameShape(loss, 'scores', t.scores, 'labels', t.labels);
}

/**
 * ListNet, as the core `rankingSoftmax`: −Σ q·logSoftmax(s) per list with q = y/Σy (the labels
 * divided by their maximum first), 0 for a list whose labels sum to 0; reduced over lists.
 */
export const { entry: rankingSoftmaxTf, fn: rankingSoftmax } = defineTfLoss(
  'rankingSoftmax',
  rankingSoftmaxLoss,
  {
    check: (t) => checkLists('rankingSoftmax', t),
    compute(t, o) {
      const s = t.scores;
      if (s.shape[s.rank - 1] === 0) return reduce(tf.sum(s, -1), o.reduction);
      const top = tf.max(t.labels, -1, true);
      const scaled = tf.div(t.labels, tf.where(tf.greater(top, 0), top, tf.onesLike(top)));
      const mass = tf.sum(scaled, -1, true);
      const q = tf.div(scaled, tf.where(tf.greater(mass, 0), mass, tf.onesLike(mass)));
      return reduce(tf.neg(tf.sum(tf.mul(q, tf.logSoftmax(s)), -1)), o.reduction);
    },
  },
);

/**
 * RankNet, as the core `pairwiseLogistic`: softplus(sⱼ − sᵢ) for every pair with yᵢ > yⱼ of a
 * list (an [..., L, L] mask); 'mean' over every pair, 'sum', 'none' the mean of each list's pairs.
 */
export const { entry: pairwiseLogisticTf, fn: pairwiseLogistic } = defineTfLoss(
  'pairwiseLogistic',
  pairwiseLogisticLoss,
  {
    check: (t) => checkLists('pairwiseLogistic', t),
    compute(t, o) {
      const s = t.scores;
      const y = t.labels;
      const gaps = tf.sub(tf.expandDims(s, -2), tf.expandDims(s, -1));
      const pairs = tf.cast(tf.greater(tf.expandDims(y, -1), tf.expandDims(y, -2)), 'float32');
      const axes = [s.rank - 1, s.rank];
      const sums = tf.sum(tf.mul(pairs, tf.softplus(gaps)), axes);
      const counts = tf.sum(pairs, axes);
      if (o.reduction === 'none') return divideOrZero(sums, counts);
      if (o.reduction === 'sum') return tf.sum(sums);
      return divideOrZero(tf.sum(sums), tf.sum(counts));
    },
  },
);

export const rankingTfLosses = {
  contrastive: contrastiveTf,
  triplet: tripletTf,
  pairwiseHinge: pairwiseHingeTf,
  marginRanking: marginRankingTf,
  hingeEmbedding: hingeEmbeddingTf,
  cosineEmbedding: cosineEmbeddingTf,
  ntXent: ntXentTf,
  supervisedContrastive: supervisedContrastiveTf,
  clipContrastive: clipContrastiveTf,
  sigmoidContrastive: sigmoidContrastiveTf,
  rankingSoftmax: rankingSoftmaxTf,
  pairwiseLogistic: pairwiseLogisticTf,
} as const;
