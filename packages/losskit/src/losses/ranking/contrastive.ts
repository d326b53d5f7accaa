import { defineLoss } from '../define.js';
import { numberOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import { requireSameShape, requireZeroOne } from '../validate.js';
import { addDistanceGrad, pDistance } from './distance.js';
import { requireEmbeddings, requireRowLabels, rowLength, rowShape } from './rows.js';

/**
 * Contrastive loss on pairs of embeddings (Hadsell, Chopra & LeCun, squared form).
 *
 * With d = ‖a − b‖₂ per row: ℓ = ½d² for a similar pair (label 1) and ½max(0, m − d)² for a
 * dissimilar one (label 0). ∂ℓ/∂a = (a − b) for similar pairs and −(m − d)(a − b)/d for
 * dissimilar pairs inside the margin; ∂ℓ/∂b = −∂ℓ/∂a; the gradient is 0 where d = 0.
 * `a`, `b`: [N, D] (or an unbatched [D]); `label`: [N] (or 0-d) of 0/1. Reduced by `reduction`
 * over the N pairs; `'none'` gives [N]. The distance rescales by its largest component when a
 * squared sum would overflow or underflow.
 *
 * @example
 * contrastive([[0, 0], [0, 0]], [[3, 4], [0.6, 0.8]], [1, 0]).item() // 6.25
 */
export const { entry: contrastiveLoss, fn: contrastive } = defineLoss({
  kind: 'reducible',
  name: 'contrastive',
  family: 'ranking',
  inputs: ['a', 'b', 'label'],
  differentiable: ['a', 'b'],
  options: {
    margin: withNote(
      numberOption(1, { min: 0 }),
      '1.0 for unnormalised embeddings, 0.5–1 on the unit sphere',
      'Distance beyond which a dissimilar pair stops contributing.',
    ),
    reduction: reductionOption(),
  },
  validate(t) {
    requireEmbeddings('contrastive', 'a', t.a);
    requireSameShape('contrastive', 'a', t.a, 'b', t.b);
    requireRowLabels('contrastive', 'a', t.a, 'label', t.label);
    requireZeroOne('contrastive', 'label', t.label);
  },
  unitShape: (t) => rowShape(t.a),
  kernel({ t, options, plan, units, grads }) {
    const a = t.a.data;
    const b = t.b.data;
    const label = t.label.data;
    const margin = options.margin;
    const n = rowLength(t.a);
    const ga = grads === null ? null : grads.a;
    const gb = grads === null ? null : grads.b;
    const up = plan.upstream;
    const s = plan.scale;
    let total = 0;
    for (let r = 0; r < label.length; r++) {
      const o = r * n;
      const d = pDistance(a, o, b, o, n, 2, 0);
      const similar = label[r] === 1;
      const gap = margin - d;
      const l = similar ? 0.5 * d * d : gap > 0 ? 0.5 * gap * gap : 0;
      total += l;
      if (units !== null) units[r] = l;
      if (ga !== null) {
        // ∂ℓ/∂d = d (similar) or −(m − d) (dissimilar, inside the margin); ∂d/∂a = (a − b)/d.
        const dl = similar ? d : gap > 0 ? -gap : 0;
        addDistanceGrad(a, o, b, o, n, 2, 0, d, (up === null ? s : s * up[r]) * dl, ga, o, gb, o);
      }
    }
    return total;
  },
  info: {
    title: 'Contrastive loss',
    summary:
      'Pulls the embeddings of similar pairs together and pushes dissimilar pairs at least a margin apart.',
    formula: 'ℓ = ½d² if similar, ½max(0, m − d)² if dissimilar; d = ‖a − b‖₂',
    properties: {
      differentiability:
        'Smooth for similar pairs; for dissimilar pairs continuously differentiable, with a kink in curvature at d = m. The gradient is 0 where d = 0.',
      robustness:
        'Dissimilar pairs beyond the margin contribute nothing; similar pairs far apart grow quadratically and can dominate.',
      gradientBehaviour:
        'The gradient on a similar pair is the difference vector itself; on a dissimilar pair it fades linearly to 0 as d reaches the margin.',
      scaleSensitivity:
        'The margin is in embedding units: normalise embeddings (e.g. to the unit sphere) or retune m when their scale changes.',
      classImbalance:
        'Easy dissimilar pairs give zero loss, so most random negatives are wasted; mine informative pairs or balance similar/dissimilar counts.',
    },
    whenToUse: [
      'Siamese networks trained on labelled pairs (same / different).',
      'Learning an embedding where a distance threshold decides similarity (verification, deduplication).',
    ],
    limitations: [
      'Only sees one pair at a time: it does not rank a positive against a negative for the same anchor (see triplet).',
      'Needs a sensible margin and pair sampling; with random pairs most dissimilar terms are already 0.',
      'The squared form (Hadsell et al.) differs from the unsquared ContrastiveLoss of pytorch-metric-learning.',
    ],
    references: [
      'Hadsell, Chopra & LeCun (2006), Dimensionality Reduction by Learning an Invariant Mapping',
      'Chopra, Hadsell & LeCun (2005), Learning a Similarity Metric Discriminatively',
    ],
    tasks: ['metric-learning', 'ranking'],
  },
});
