import { shapeSize } from '../../tensor/index.js';
import { defineLoss } from '../define.js';
import { sigmoid, softplus } from '../math.js';
import { reductionOption } from '../reduce.js';
import { requireScoredLists } from './relevance.js';

const NAME = 'pairwiseLogistic';

/** The number of ordered pairs (i, j) with yᵢ > yⱼ in every list of `length` items. */
function pairCount(y: ArrayLike<number>, lists: number, length: number): number {
  let pairs = 0;
  for (let o = 0; o < lists * length; o += length) {
    for (let i = 0; i < length; i++) {
      const yi = y[o + i];
      for (let j = 0; j < length; j++) if (yi > y[o + j]) pairs++;
    }
  }
  return pairs;
}

/**
 * Pairwise logistic ranking loss (RankNet), as TF-Ranking `pairwise_logistic_loss`: every pair
 * of a list whose first item is more relevant should score higher.
 *
 * Per pair (i, j) of one list with yᵢ > yⱼ, ℓᵢⱼ = log(1 + exp(−(sᵢ − sⱼ))) = softplus(sⱼ − sᵢ),
 * with ∂ℓᵢⱼ/∂sᵢ = −σ(sⱼ − sᵢ) = −∂ℓᵢⱼ/∂sⱼ. `scores` and `labels` [..., L] (lists on the last
 * axis, labels relevance grades ≥ 0; only their order matters). Reductions, over pairs: 'mean'
 * divides the total over every list by the number of pairs in every list, 'sum' is that total,
 * 'none' gives each list the mean of its own pairs (shape [...]). A list with no pair (all labels
 * equal) gives 0, and so does 'mean' with no pair anywhere. Unlike the other reducible losses,
 * 'sum' and 'mean' are therefore not the sum and mean of the 'none' values when lists have
 * different numbers of pairs.
 *
 * O(L²) per list with no pair buffer: one scratch row of L gradient sums per call; 'mean'
 * counts the pairs first (comparisons only). softplus is computed as max(d, 0) + log1p(e^(−|d|)),
 * finite for scores of any finite size; a score gap beyond the float range in the right order
 * gives 0, not NaN.
 *
 * Reference: Burges et al. (2005), Learning to Rank using Gradient Descent (RankNet); TF-Ranking
 * `tfr.keras.losses.PairwiseLogisticLoss`.
 *
 * @example
 * pairwiseLogistic([[2, 0, 1]], [[2, 0, 1]]).item() // 0.2511504620264727
 */
export const { entry: pairwiseLogisticLoss, fn: pairwiseLogistic } = defineLoss({
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
  meanDivisor: (t) =>
    pairCount(t.labels.data, shapeSize(t.scores.shape.slice(0, -1)), t.scores.shape[t.scores.rank - 1]),
  overwritesGrads: () => true,
  kernel({ t, plan, units, grads }) {
    const s = t.scores.data;
    const y = t.labels.data;
    const length = t.scores.shape[t.scores.rank - 1];
    const lists = shapeSize(t.scores.shape.slice(0, -1));
    const g = grads === null ? null : grads.scores;
    const up = plan.upstream;
    // ∂(Σ pairs of one list)/∂s, before the list's weight is applied.
    const row = g === null ? null : new Float64Array(length);
    let total = 0;
    for (let l = 0; l < lists; l++) {
      const o = l * length;
      row?.fill(0);
      let sum = 0;
      let pairs = 0;
      for (let i = 0; i < length; i++) {
        const yi = y[o + i];
        const si = s[o + i];
        for (let j = 0; j < length; j++) {
          if (!(yi > y[o + j])) continue;
          const d = s[o + j] - si;
          pairs++;
          // d = −∞ (a gap beyond the float range, in the right order): loss 0, not ∞ − ∞.
          if (d === Number.NEGATIVE_INFINITY) continue;
          sum += softplus(d);
          if (row !== null) {
            const p = sigmoid(d);
            row[i] -= p;
            row[j] += p;
          }
        }
      }
      total += sum;
      const mean = pairs === 0 ? 0 : sum / pairs;
      if (units !== null) units[l] = mean;
      if (g === null || row === null) continue;
      let w = plan.scale;
      if (plan.reduction === 'none') w = pairs === 0 ? 0 : (up === null ? 1 : up[l]) / pairs;
      for (let i = 0; i < length; i++) g[o + i] = w * row[i];
    }
    return total;
  },
  info: {
    title: 'Pairwise logistic ranking loss (RankNet)',
    summary:
      'For every pair of items where one is more relevant, a logistic loss on the difference of their scores.',
    formula: 'ℓᵢⱼ = log(1 + exp(−(sᵢ − sⱼ))) for each pair with yᵢ > yⱼ; mean over pairs',
    properties: {
      differentiability: 'Smooth in the scores (softplus of score differences).',
      robustness:
        'Grows linearly for badly misordered pairs, so one extreme pair does not dominate the way a squared loss would; every misordered pair keeps a gradient of at most 1.',
      gradientBehaviour:
        'Each pair pushes the more relevant item up and the other down with strength σ(sⱼ − sᵢ): near 1 for misordered pairs, vanishing for pairs ordered with a wide gap.',
      scaleSensitivity:
        'Depends on score differences only (invariant to a shift per list); the score scale sets how sharp the logistic is. Label values matter only through their order.',
      classImbalance:
        "Lists with many relevance levels form many more pairs: under 'mean' they weigh more than lists with few pairs.",
    },
    whenToUse: [
      'Learning to rank from graded or binary relevance when the pairwise order is what matters (RankNet, the base of LambdaRank).',
      'Click or preference data expressed as "a over b" within a query or session.',
    ],
    limitations: [
      'O(L²) pairs per list: long lists are slow.',
      'Every misordered pair counts the same whatever its position in the ranking; top-heavy metrics (NDCG) need a listwise loss or lambda weights.',
      "'sum'/'mean' are over pairs while 'none' is the mean per list, so they do not add up to one another when lists have different pair counts.",
    ],
    references: [
      'Burges et al. (2005), Learning to Rank using Gradient Descent',
      'TF-Ranking documentation, tfr.keras.losses.PairwiseLogisticLoss',
    ],
    tasks: ['ranking'],
  },
});
