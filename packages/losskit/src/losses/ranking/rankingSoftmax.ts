import { shapeSize } from '../../tensor/index.js';
import { defineLoss } from '../define.js';
import { reductionOption } from '../reduce.js';
import { requireScoredLists } from './relevance.js';

const NAME = 'rankingSoftmax';

/**
 * Softmax (ListNet) ranking loss: the cross-entropy between the labels normalised into a
 * distribution over each list and the softmax of its scores, as Optax `ranking_softmax_loss`.
 *
 * Per list (the last axis), with qᵢ = yᵢ/Σⱼyⱼ: ℓ = −Σᵢ qᵢ·log softmax(s)ᵢ = Σᵢ qᵢ·(lse(s) − sᵢ); a
 * list whose labels sum to 0 has ℓ = 0 and gradient 0. ∂ℓ/∂sᵢ = softmax(s)ᵢ − qᵢ. `scores` and
 * `labels` [..., L] (labels are relevance grades ≥ 0, any scale); `reduction` 'mean' (over lists,
 * zero-label lists included), 'sum', or 'none' (shape [...]).
 *
 * Stability: the log-sum-exp subtracts the list's maximum, and the labels are divided by their
 * maximum before they are summed, so scores and labels of any finite size give finite
 * probabilities and gradients (terms with qᵢ = 0 are skipped, never 0·∞).
 *
 * Reference: Cao et al. (2007), Learning to Rank: From Pairwise Approach to Listwise Approach
 * (ListNet); Optax `optax.losses.ranking_softmax_loss`.
 *
 * @example
 * rankingSoftmax([[1, 0, -1]], [[1, 0, 0]]).item() // 0.40760596444438035
 */
export const { entry: rankingSoftmaxLoss, fn: rankingSoftmax } = defineLoss({
  kind: 'reducible',
  name: NAME,
  family: 'ranking',
  inputs: ['scores', 'labels'],
  differentiable: ['scores'],
  options: { reduction: reductionOption() },
  validate(t) {
    requireScoredLists(NAME, t.scores, t.labels);
  },
  unitShape: (t) => t.scores.shape.slice(0, -1),
  overwritesGrads: () => true,
  kernel({ t, plan, units, grads }) {
    const s = t.scores.data;
    const y = t.labels.data;
    const length = t.scores.shape[t.scores.rank - 1];
    const lists = shapeSize(t.scores.shape.slice(0, -1));
    const g = grads === null ? null : grads.scores;
    const up = plan.upstream;
    let total = 0;
    for (let l = 0; l < lists; l++) {
      const o = l * length;
      let top = 0;
      for (let i = 0; i < length; i++) if (y[o + i] > top) top = y[o + i];
      if (top === 0) {
        if (units !== null) units[l] = 0;
        if (g !== null) g.fill(0, o, o + length);
        continue;
      }
      let mass = 0;
      for (let i = 0; i < length; i++) mass += y[o + i] / top;
      let m = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < length; i++) if (s[o + i] > m) m = s[o + i];
      let sum = 0;
      for (let i = 0; i < length; i++) sum += Math.exp(s[o + i] - m);
      const lse = m + Math.log(sum);
      let loss = 0;
      for (let i = 0; i < length; i++) {
        if (y[o + i] > 0) loss += (y[o + i] / top / mass) * (lse - s[o + i]);
      }
      total += loss;
      if (units !== null) units[l] = loss;
      if (g === null) continue;
      const w = up === null ? plan.scale : plan.scale * up[l];
      for (let i = 0; i < length; i++) g[o + i] = w * (Math.exp(s[o + i] - lse) - y[o + i] / top / mass);
    }
    return total;
  },
  info: {
    title: 'Softmax ranking loss (ListNet)',
    summary:
      'Listwise ranking: the cross-entropy between the relevance labels, normalised to a distribution over the list, and the softmax of the scores.',
    formula: 'ℓ = −Σᵢ (yᵢ/Σⱼyⱼ)·log softmax(s)ᵢ per list; 0 for a list whose labels sum to 0',
    properties: {
      differentiability: 'Smooth in the scores (a log-sum-exp minus a linear term).',
      robustness:
        'Bounded gradient (softmax minus label distribution, each entry in [−1, 1]); very large scores cost linearly, not quadratically.',
      gradientBehaviour:
        'Pushes the softmax of the scores towards the label distribution: items ranked too high get a positive gradient in proportion to their excess probability.',
      scaleSensitivity:
        'Invariant to adding a constant to a list’s scores and to multiplying its labels by a constant; the score scale acts as an inverse temperature.',
      classImbalance:
        'A list with one relevant item among many still gives a full-size loss; lists without any relevant item contribute 0 but still count in the mean.',
    },
    whenToUse: [
      'Learning to rank with graded or binary relevance per query: a strong, simple listwise baseline (it bounds NDCG and MRR losses).',
      'Recommendation and retrieval with one or a few positives per list (sampled softmax over candidates).',
    ],
    limitations: [
      'Only relative scores within a list matter; scores are not calibrated across lists.',
      'Treats relevance grades as probabilities: a grade of 2 counts twice a grade of 1 (use a gain transform such as 2^y − 1 first if you want it).',
      "A list whose labels sum to 0 gives no signal, yet counts in 'mean'.",
    ],
    references: [
      'Cao, Qin, Liu, Tsai & Li (2007), Learning to Rank: From Pairwise Approach to Listwise Approach',
      'Optax documentation, optax.losses.ranking_softmax_loss',
    ],
    tasks: ['ranking'],
  },
});
