import { defineLoss } from '../define.js';
import { numberOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import { requireSameShape } from '../validate.js';

/**
 * Pairwise hinge (margin ranking) loss on scores: the positive should outscore the negative by
 * at least the margin.
 *
 * ℓ = max(0, m − (s⁺ − s⁻)); ∂ℓ/∂s⁺ = −1 and ∂ℓ/∂s⁻ = +1 where m − (s⁺ − s⁻) ≥ 0 (the gradient
 * passes at the kink, as torch's `clamp_min`), 0 elsewhere. `positive` and `negative` have the
 * same (any) shape, usually [N]; reduced by `reduction`. Matches torch `F.margin_ranking_loss`
 * with target y = 1.
 *
 * @example
 * pairwiseHinge([2, 0.5], [0, 0]).item() // 0.25
 */
export const { entry: pairwiseHingeLoss, fn: pairwiseHinge } = defineLoss({
  kind: 'reducible',
  name: 'pairwiseHinge',
  family: 'ranking',
  inputs: ['positive', 'negative'],
  differentiable: ['positive', 'negative'],
  options: {
    margin: withNote(
      numberOption(1, { min: 0 }),
      '1.0 (0.1–1 for bounded scores)',
      'How far the positive score must exceed the negative one.',
    ),
    reduction: reductionOption(),
  },
  validate(t) {
    requireSameShape('pairwiseHinge', 'positive', t.positive, 'negative', t.negative);
  },
  unitShape: (t) => t.positive.shape,
  kernel({ t, options, plan, units, grads }) {
    const pos = t.positive.data;
    const neg = t.negative.data;
    const margin = options.margin;
    const gp = grads === null ? null : grads.positive;
    const gn = grads === null ? null : grads.negative;
    const up = plan.upstream;
    const s = plan.scale;
    let total = 0;
    for (let i = 0; i < pos.length; i++) {
      const h = margin - (pos[i] - neg[i]);
      const l = Math.max(h, 0);
      total += l;
      if (units !== null) units[i] = l;
      if (gp !== null && gn !== null && h >= 0) {
        const w = up === null ? s : s * up[i];
        gp[i] = -w;
        gn[i] = w;
      }
    }
    return total;
  },
  info: {
    title: 'Pairwise hinge (margin ranking) loss',
    summary: 'Penalises every pair where the positive item does not outscore the negative one by the margin.',
    formula: 'ℓ = max(0, m − (s⁺ − s⁻))',
    properties: {
      differentiability:
        'Piecewise linear, with a kink at s⁺ − s⁻ = m (the gradient passes there, as in PyTorch).',
      robustness:
        'Grows linearly with the violation, so a badly mis-ordered pair does not dominate as it would under a squared loss.',
      gradientBehaviour:
        'Constant ±1 gradient on violating pairs and exactly 0 on pairs that satisfy the margin.',
      scaleSensitivity: 'The margin is in score units: rescaling the scores requires rescaling m.',
      classImbalance:
        'Only the pairs you form count; sample pairs so that rare positives appear often enough.',
    },
    whenToUse: [
      'Learning to rank from preference pairs (clicked vs skipped, relevant vs irrelevant).',
      'Recommendation with implicit feedback (a hinge alternative to BPR).',
    ],
    limitations: [
      'Only ranks pairs: it does not optimise list-wise metrics such as NDCG directly.',
      'Zero gradient once the margin is met, so scores stop separating further.',
    ],
    references: [
      'Herbrich, Graepel & Obermayer (2000), Large Margin Rank Boundaries for Ordinal Regression',
      'PyTorch torch.nn.functional.margin_ranking_loss',
    ],
    tasks: ['ranking'],
  },
});
