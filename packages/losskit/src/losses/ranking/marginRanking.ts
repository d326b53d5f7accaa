import { defineLoss } from '../define.js';
import { numberOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import { requireSameShape } from '../validate.js';
import { requireSignLabels } from '../validate.js';

/**
 * Margin ranking loss, as torch `F.margin_ranking_loss`: the target says which of two scores
 * should rank higher, and by how much.
 *
 * ℓ = max(0, −y·(x₁ − x₂) + m) with y ∈ {−1, 1} (1: x₁ should exceed x₂; −1: x₂ should exceed
 * x₁). Where −y·(x₁ − x₂) + m ≥ 0 (the gradient passes at the kink, as torch's `clamp_min`),
 * ∂ℓ/∂x₁ = −y and ∂ℓ/∂x₂ = y; 0 elsewhere. `input1`, `input2` and `target` have one (any) shape,
 * usually [N]; reduced by `reduction` ('none' keeps the shape). The margin may be any finite
 * number (a negative one tolerates small mis-orderings), as in torch. With y = 1 everywhere this
 * is `pairwiseHinge`.
 *
 * @example
 * marginRanking([2, 0], [1, 1], [1, 1], { margin: 0.5 }).item() // 0.75
 */
export const { entry: marginRankingLoss, fn: marginRanking } = defineLoss({
  kind: 'reducible',
  name: 'marginRanking',
  family: 'ranking',
  inputs: ['input1', 'input2', 'target'],
  differentiable: ['input1', 'input2'],
  options: {
    margin: withNote(
      numberOption(0),
      '0 (PyTorch default); 0.1–1 to demand a gap',
      'How far the preferred score must lead before the pair stops contributing.',
    ),
    reduction: reductionOption(),
  },
  validate(t) {
    requireSameShape('marginRanking', 'input1', t.input1, 'input2', t.input2);
    requireSameShape('marginRanking', 'input1', t.input1, 'target', t.target);
    requireSignLabels('marginRanking', 'target', t.target);
  },
  unitShape: (t) => t.input1.shape,
  kernel({ t, options, plan, units, grads }) {
    const x1 = t.input1.data;
    const x2 = t.input2.data;
    const y = t.target.data;
    const margin = options.margin;
    const g1 = grads === null ? null : grads.input1;
    const g2 = grads === null ? null : grads.input2;
    const up = plan.upstream;
    const s = plan.scale;
    let total = 0;
    for (let i = 0; i < x1.length; i++) {
      // y·(x₂ − x₁): a difference beyond the float range is ±∞, which the hinge turns into 0
      // (an ordered pair, exactly) or the boundary reports as an overflow.
      const h = y[i] * (x2[i] - x1[i]) + margin;
      const l = Math.max(h, 0);
      total += l;
      if (units !== null) units[i] = l;
      if (g1 !== null && g2 !== null && h >= 0) {
        const w = up === null ? s : s * up[i];
        g1[i] = -w * y[i];
        g2[i] = w * y[i];
      }
    }
    return total;
  },
  info: {
    title: 'Margin ranking loss',
    summary:
      'For each pair of scores and a ±1 label saying which should be higher, penalises the pair unless that one leads by the margin.',
    formula: 'ℓ = max(0, −y·(x₁ − x₂) + m), y ∈ {−1, 1}',
    properties: {
      differentiability:
        'Piecewise linear in the scores, with a kink where y·(x₁ − x₂) = m (the gradient passes there, as in PyTorch).',
      robustness:
        'Linear in the size of a violation, so one badly ordered pair weighs no more than its distance from the margin.',
      gradientBehaviour:
        'A constant ∓1 on the two scores of a violating pair and exactly 0 once the pair is ordered with the margin.',
      scaleSensitivity: 'The margin is in score units: rescaling the scores changes what it demands.',
      classImbalance: 'Only the pairs you form count; how often each item appears in a pair sets its weight.',
    },
    whenToUse: [
      'Learning to rank from pairwise preferences where either item of a pair may be the preferred one.',
      'Ordinal or preference supervision between two model outputs (reward models, siamese scorers).',
    ],
    limitations: [
      'With the default margin 0 a pair stops contributing as soon as it is ordered, even by a hair; set a positive margin to keep pushing.',
      'Pairwise only: it does not optimise list-wise metrics such as NDCG.',
      'Targets must be −1 or 1 (PyTorch silently accepts other values).',
    ],
    references: [
      'Herbrich, Graepel & Obermayer (2000), Large Margin Rank Boundaries for Ordinal Regression',
      'PyTorch torch.nn.functional.margin_ranking_loss',
    ],
    tasks: ['ranking'],
  },
});
