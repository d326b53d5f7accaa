import { defineLoss } from '../define.js';
import { booleanOption, numberOption } from '../options.js';
import { reductionOption } from '../reduce.js';
import { requireSameShape } from '../validate.js';
import { addDistanceGrad, pDistance } from './distance.js';
import { requireEmbeddings, rowLength, rowShape } from './rows.js';

/**
 * Triplet margin loss, as torch `F.triplet_margin_loss`.
 *
 * Per row, with torch's distance d(x, y) = ‖x − y + ε‖_p: ℓ = max(0, m + d(a, p) − d(a, n)).
 * With `swap`, d(a, n) is replaced by min(d(a, n), d(p, n)) (Balntas et al.'s distance swap; a
 * tie splits the gradient in half, as torch's `minimum`). The gradient passes through the hinge
 * where its argument is ≥ 0 (torch's `clamp_min`), and is 0 where a distance is 0.
 * `anchor`, `positive`, `negative`: [N, D], or an unbatched [D] (0-d value). Reduced by
 * `reduction` over the N triplets; `'none'` gives [N]. Distances for p ≠ 1, 2 factor out the
 * largest component so large p neither overflows nor underflows.
 *
 * @example
 * triplet([[0, 0]], [[0, 1]], [[0, 1.5]], { eps: 0 }).item() // 0.5
 */
export const { entry: tripletLoss, fn: triplet } = defineLoss({
  kind: 'reducible',
  name: 'triplet',
  family: 'ranking',
  inputs: ['anchor', 'positive', 'negative'],
  differentiable: ['anchor', 'positive', 'negative'],
  options: {
    margin: numberOption(1, { min: 0 }),
    p: numberOption(2, { min: 1 }),
    eps: numberOption(1e-6, { min: 0 }),
    swap: booleanOption(false),
    reduction: reductionOption(),
  },
  validate(t) {
    requireEmbeddings('triplet', 'anchor', t.anchor);
    requireSameShape('triplet', 'anchor', t.anchor, 'positive', t.positive);
    requireSameShape('triplet', 'anchor', t.anchor, 'negative', t.negative);
  },
  unitShape: (t) => rowShape(t.anchor),
  kernel({ t, options, plan, units, grads }) {
    const a = t.anchor.data;
    const pos = t.positive.data;
    const neg = t.negative.data;
    const { margin, p, eps, swap } = options;
    const n = rowLength(t.anchor);
    const count = t.anchor.rank === 1 ? 1 : t.anchor.shape[0];
    const ga = grads === null ? null : grads.anchor;
    const gp = grads === null ? null : grads.positive;
    const gn = grads === null ? null : grads.negative;
    const up = plan.upstream;
    const s = plan.scale;
    let total = 0;
    for (let r = 0; r < count; r++) {
      const o = r * n;
      const dPos = pDistance(a, o, pos, o, n, p, eps);
      const dAn = pDistance(a, o, neg, o, n, p, eps);
      const dPn = swap ? pDistance(pos, o, neg, o, n, p, eps) : Number.POSITIVE_INFINITY;
      const dNeg = Math.min(dPn, dAn);
      const h = margin + dPos - dNeg;
      const l = Math.max(h, 0);
      total += l;
      if (units !== null) units[r] = l;
      if (ga !== null && h >= 0) {
        const w = up === null ? s : s * up[r];
        addDistanceGrad(a, o, pos, o, n, p, eps, dPos, w, ga, o, gp, o);
        // −d_neg: the anchor–negative distance, the swap distance, or half of each on a tie.
        const share = swap && dPn === dAn ? 0.5 : 1;
        if (dAn <= dPn) addDistanceGrad(a, o, neg, o, n, p, eps, dAn, -w * share, ga, o, gn, o);
        if (swap && dPn <= dAn) addDistanceGrad(pos, o, neg, o, n, p, eps, dPn, -w * share, gp, o, gn, o);
      }
    }
    return total;
  },
  info: {
    title: 'Triplet margin loss',
    summary: 'Asks each anchor to be closer to its positive than to its negative by at least a margin.',
    formula: 'ℓ = max(0, m + ‖a − p + ε‖_p − ‖a − n + ε‖_p)',
    properties: {
      differentiability:
        'Piecewise smooth: a kink where m + d(a, p) = d(a, n), and the norm is not differentiable where a distance is 0 (gradient 0 there).',
      robustness:
        'Satisfied triplets contribute nothing, so the loss is driven by the violating ones; noisy labels among them can dominate.',
      gradientBehaviour:
        'Unit-length gradients (for p = 2) along the anchor–positive and anchor–negative directions while the margin is violated, zero otherwise.',
      scaleSensitivity: 'The margin is in embedding units; normalise embeddings or retune m.',
      classImbalance:
        'Random triplets are mostly already satisfied; hard or semi-hard mining (see tripletBatchHard) is usually needed.',
    },
    whenToUse: [
      'Metric learning with anchor/positive/negative triplets (face recognition, retrieval, re-identification).',
      'When relative similarity matters more than absolute distances.',
    ],
    limitations: [
      'The number of possible triplets grows cubically; without mining, training stalls on easy triplets.',
      'The ε = 1e-6 added to every difference (torch’s pairwise_distance) makes d(x, x) slightly positive.',
    ],
    hyperparameters: [
      {
        name: 'margin',
        typical: '0.2 on the unit sphere, 1.0 unnormalised',
        effect: 'How much closer the positive must be than the negative.',
      },
      { name: 'p', typical: '2', effect: 'The norm of the distance (1 = Manhattan, 2 = Euclidean).' },
      {
        name: 'swap',
        typical: 'false',
        effect: 'Uses the harder of d(a, n) and d(p, n) as the negative distance.',
      },
    ],
    references: [
      'Schroff, Kalenichenko & Philbin (2015), FaceNet',
      'Balntas et al. (2016), Learning local feature descriptors with triplets and shallow convolutional neural networks (distance swap)',
      'PyTorch torch.nn.functional.triplet_margin_loss',
    ],
    tasks: ['metric-learning', 'ranking'],
  },
});
