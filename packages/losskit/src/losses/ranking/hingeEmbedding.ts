import { defineLoss } from '../define.js';
import { numberOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import { requireSameShape } from '../validate.js';
import { requireSignLabels } from '../validate.js';

/**
 * Hinge embedding loss, as torch `F.hinge_embedding_loss`: `input` holds distances (or
 * dissimilarities) between pairs, `target` says whether each pair is similar (1) or not (−1).
 *
 * ℓ = x where y = 1 (pull similar pairs together: gradient 1), and ℓ = max(0, m − x) where
 * y = −1 (push dissimilar pairs at least m apart: gradient −1 where m − x ≥ 0, passing at the
 * kink as torch's `clamp_min`, 0 elsewhere). `input` and `target` have one (any) shape; reduced by
 * `reduction` ('none' keeps the shape). Inputs are used as given: torch does not require them to
 * be non-negative, and neither does this loss; the margin may be any finite number, as in torch.
 *
 * @example
 * hingeEmbedding([0.5, 0.25, 2], [1, -1, -1]).item() // 0.4166666666666667
 */
export const { entry: hingeEmbeddingLoss, fn: hingeEmbedding } = defineLoss({
  kind: 'reducible',
  name: 'hingeEmbedding',
  family: 'ranking',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: {
    margin: withNote(
      numberOption(1),
      '1 (PyTorch default), on the scale of typical distances',
      'The distance beyond which dissimilar pairs stop contributing.',
    ),
    reduction: reductionOption(),
  },
  validate(t) {
    requireSameShape('hingeEmbedding', 'input', t.input, 'target', t.target);
    requireSignLabels('hingeEmbedding', 'target', t.target);
  },
  unitShape: (t) => t.input.shape,
  kernel({ t, options, plan, units, grads }) {
    const x = t.input.data;
    const y = t.target.data;
    const margin = options.margin;
    const g = grads === null ? null : grads.input;
    const up = plan.upstream;
    const s = plan.scale;
    let total = 0;
    for (let i = 0; i < x.length; i++) {
      let l: number;
      let slope: number;
      if (y[i] === 1) {
        l = x[i];
        slope = 1;
      } else {
        const h = margin - x[i];
        l = Math.max(h, 0);
        slope = h >= 0 ? -1 : 0;
      }
      total += l;
      if (units !== null) units[i] = l;
      if (g !== null) g[i] = (up === null ? s : s * up[i]) * slope;
    }
    return total;
  },
  info: {
    title: 'Hinge embedding loss',
    summary:
      'On distances between pairs: similar pairs pay their distance, dissimilar pairs pay only while closer than the margin.',
    formula: 'ℓ = x if y = 1; ℓ = max(0, m − x) if y = −1',
    properties: {
      differentiability:
        'Linear for similar pairs; for dissimilar pairs piecewise linear with a kink at x = m (the gradient passes there, as in PyTorch).',
      robustness:
        'Linear in the distance, so an outlying similar pair weighs in proportion, not quadratically; dissimilar pairs beyond the margin are ignored.',
      gradientBehaviour:
        'A constant +1 on every similar pair, −1 on dissimilar pairs inside the margin, and 0 beyond it.',
      scaleSensitivity:
        'The margin is in the units of the distances; rescaling the embedding rescales what it means.',
      classImbalance:
        'Similar pairs always contribute while dissimilar ones drop out past the margin; balance how many of each you form.',
    },
    whenToUse: [
      'Siamese networks trained on a distance (L1 or L2 between two embeddings) and a same/different label.',
      'Semi-supervised embedding or metric learning from pairwise constraints.',
    ],
    limitations: [
      'Takes distances, not embeddings: computing them (and their gradient) is up to you.',
      'Similar pairs are penalised linearly and never stop contributing; the contrastive loss squares both terms instead.',
      'Targets must be −1 or 1 (PyTorch silently accepts other values).',
    ],
    references: [
      'Mobahi, Collobert & Weston (2009), Deep learning from temporal coherence in video',
      'PyTorch torch.nn.functional.hinge_embedding_loss',
    ],
    tasks: ['metric-learning'],
  },
});
