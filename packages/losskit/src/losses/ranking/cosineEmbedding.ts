import { defineLoss } from '../define.js';
import { numberOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import { requireSameShape } from '../validate.js';
import { addCosineGrad, cosineParts, cosineScratch } from './distance.js';
import { requireEmbeddings, requireRowLabels, rowLength, rowShape } from './rows.js';
import { requireSignLabels } from '../validate.js';

/**
 * torch's `cosine_embedding_loss` adds this to each squared norm: its EPSILON, a float constant
 * 1e-12, which is 9.999999960041972e-13 as a double (it shows in the cosine of tiny vectors).
 */
const SQUARED_NORM_EPS = Math.fround(1e-12);

/**
 * Cosine embedding loss, as torch `F.cosine_embedding_loss`: pairs of embeddings labelled
 * similar (1) or dissimilar (−1).
 *
 * Per row, cos = x₁·x₂ / √((‖x₁‖² + ε)(‖x₂‖² + ε)) with torch's guard against zero vectors, ε =
 * float32(1e-12),
 * ℓ = 1 − cos where y = 1 and ℓ = max(0, cos − m) where y = −1 (the gradient passes at the kink,
 * as torch's `clamp_min`). ∂cos/∂x₁ = x₂/√(A₁A₂) − cos·x₁/A₁ with Aᵢ = ‖xᵢ‖² + ε.
 * `input1`, `input2`: [N, D], or an unbatched [D]; `target`: [N] (0-d for [D]). Reduced by
 * `reduction` over the N pairs; `'none'` gives [N]. Rows whose squared norms would overflow are
 * rescaled by their largest component, so every finite input gives a finite value and gradient.
 * The margin lies in [−1, 1], the range of the cosine (torch documents that range; outside it the
 * dissimilar term is constant).
 *
 * @example
 * cosineEmbedding([[1, 0], [1, 0]], [[1, 1], [0, 1]], [1, -1]).item() // 0.14644660940699145
 */
export const { entry: cosineEmbeddingLoss, fn: cosineEmbedding } = defineLoss({
  kind: 'reducible',
  name: 'cosineEmbedding',
  family: 'ranking',
  inputs: ['input1', 'input2', 'target'],
  differentiable: ['input1', 'input2'],
  options: {
    margin: withNote(
      numberOption(0, { min: -1, max: 1 }),
      '0 (PyTorch default) to 0.5',
      'The cosine below which dissimilar pairs stop contributing; higher tolerates more similarity.',
    ),
    reduction: reductionOption(),
  },
  validate(t) {
    requireEmbeddings('cosineEmbedding', 'input1', t.input1);
    requireSameShape('cosineEmbedding', 'input1', t.input1, 'input2', t.input2);
    requireRowLabels('cosineEmbedding', 'input1', t.input1, 'target', t.target);
    requireSignLabels('cosineEmbedding', 'target', t.target);
  },
  unitShape: (t) => rowShape(t.input1),
  kernel({ t, options, plan, units, grads }) {
    const x1 = t.input1.data;
    const x2 = t.input2.data;
    const y = t.target.data;
    const margin = options.margin;
    const n = rowLength(t.input1);
    const g1 = grads === null ? null : grads.input1;
    const g2 = grads === null ? null : grads.input2;
    const up = plan.upstream;
    const s = plan.scale;
    const parts = cosineScratch();
    let total = 0;
    for (let r = 0; r < y.length; r++) {
      const o = r * n;
      const cos = cosineParts(x1, o, x2, o, n, 'addToSquaredNorm', SQUARED_NORM_EPS, parts);
      let l: number;
      let slope: number;
      if (y[r] === 1) {
        l = 1 - cos;
        slope = -1;
      } else {
        const h = cos - margin;
        l = Math.max(h, 0);
        slope = h >= 0 ? 1 : 0;
      }
      total += l;
      if (units !== null) units[r] = l;
      if (g1 !== null && slope !== 0) {
        const w = (up === null ? s : s * up[r]) * slope;
        addCosineGrad(x1, o, x2, o, n, parts, w, g1, o, g2, o);
      }
    }
    return total;
  },
  info: {
    title: 'Cosine embedding loss',
    summary:
      'For pairs of embeddings: similar pairs are pulled to cosine 1, dissimilar pairs pushed below a cosine margin.',
    formula: 'ℓ = 1 − cos(x₁, x₂) if y = 1; ℓ = max(0, cos(x₁, x₂) − m) if y = −1',
    properties: {
      differentiability:
        'Smooth for similar pairs; for dissimilar pairs a kink at cos = m (the gradient passes there, as in PyTorch). Defined at zero vectors through the 1e-12 added to each squared norm.',
      robustness: 'Bounded: each pair costs at most 2, so no single pair dominates the batch.',
      gradientBehaviour:
        'Gradients are orthogonal to each embedding and scale as 1/‖x‖: short embeddings move fastest, and the norm itself is never pushed.',
      scaleSensitivity: 'Invariant to rescaling either embedding (away from the 1e-12 guard).',
      classImbalance:
        'Dissimilar pairs drop out once below the margin while similar ones keep contributing; balance how many of each you form.',
    },
    whenToUse: [
      'Siamese or two-tower models compared by angle (text, image or user/item embeddings).',
      'Learning embeddings for cosine-similarity retrieval from same/different pairs.',
    ],
    limitations: [
      'Ignores the norms of the embeddings entirely; use a distance-based loss where magnitude carries meaning.',
      'Targets must be −1 or 1 (PyTorch silently accepts other values), and the margin must lie in [−1, 1].',
      'Pairwise only: no hard-negative mining or in-batch negatives (see ntXent or tripletBatchHard for those).',
    ],
    references: [
      'Nguyen & Bai (2010), Cosine Similarity Metric Learning for Face Verification',
      'PyTorch torch.nn.functional.cosine_embedding_loss',
    ],
    tasks: ['metric-learning'],
  },
});
