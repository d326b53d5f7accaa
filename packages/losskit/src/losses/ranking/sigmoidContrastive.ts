import { defineLoss } from '../define.js';
import { sigmoid, softplus } from '../math.js';
import { booleanOption, numberOption, withNote } from '../options.js';
import { scalarTensor } from '../reduce.js';
import { requireSameShape } from '../shape-checks.js';
import {
  gradTimesRows,
  gradTransposeTimesRows,
  largerInput,
  normalizeBackward,
  normalizeRows,
  rawRows,
  requireEmbeddingMatrix,
  requireFiniteResult,
  scalarUpstream,
  scaledGram,
} from './similarity.js';

const NAME = 'sigmoidContrastive';

/**
 * SigLIP's pairwise sigmoid loss between two batches of paired embeddings (image i belongs with
 * text i).
 *
 * With Ĩ, T̃ the rows normalised to e/√max(‖e‖², 1e-12) (or taken as they are with
 * `normalize: false`), x_ij = scale·Ĩᵢ·T̃_j + bias and z_ij = 1 on the diagonal, −1 elsewhere:
 * ℓ = −(1/N) Σ_ij log σ(z_ij·x_ij) = (1/N) Σ_ij softplus(−z_ij·x_ij), every one of the N² pairs an
 * independent binary decision, summed and divided by the batch size N.
 * ∂ℓ/∂x_ij = −z_ij·σ(−z_ij·x_ij)/N. `imageEmbeddings`, `textEmbeddings`: [N, D] each; the value
 * is 0-d (no `reduction`); N = 0 gives 0.
 *
 * Computation: the logit matrix once (O(N²·D), one N×N buffer), softplus in its stable form
 * (finite for logits of any size), the gradient with respect to the logits in place, then
 * scale·GT̃ and scale·GᵀĨ and the chain rule of the normalisation (a zero row gives 0, not NaN).
 * Reference: Zhai et al. (2023), Sigmoid Loss for Language Image Pre-Training, algorithm 1 (with
 * a fixed scale t′ and bias b, which SigLIP initialises to 10 and −10).
 *
 * @example
 * sigmoidContrastive([[1, 0], [0, 1]], [[1, 0], [0, 1]]).item() // 0.6931925794591621
 */
export const { entry: sigmoidContrastiveLoss, fn: sigmoidContrastive } = defineLoss({
  kind: 'custom',
  name: NAME,
  family: 'ranking',
  inputs: ['imageEmbeddings', 'textEmbeddings'],
  differentiable: ['imageEmbeddings', 'textEmbeddings'],
  options: {
    scale: withNote(
      numberOption(10),
      '10 (SigLIP’s initial t′ = log 10 ⇒ t = 10)',
      'Multiplies the similarities; larger values sharpen each pair’s decision.',
    ),
    bias: withNote(
      numberOption(-10),
      '−10',
      'Shifts every logit; a negative bias counters the N² − N negatives at initialisation.',
    ),
    normalize: withNote(
      booleanOption(true),
      'true',
      'Cosine similarities (true) or raw dot products (false).',
    ),
  },
  validate(t) {
    requireEmbeddingMatrix(NAME, 'imageEmbeddings', t.imageEmbeddings);
    requireSameShape(NAME, 'imageEmbeddings', t.imageEmbeddings, 'textEmbeddings', t.textEmbeddings);
  },
  valueShape: () => [],
  compute({ t, options, upstream, grads, dtype }) {
    const [n, d] = t.imageEmbeddings.shape;
    if (n === 0) return scalarTensor(0, dtype);
    const { scale, bias, normalize } = options;
    const u = scalarUpstream(upstream);
    const prepare = normalize ? normalizeRows : rawRows;
    const image = prepare(t.imageEmbeddings.data, n, d);
    const text = prepare(t.textEmbeddings.data, n, d);
    const x = scaledGram(image.unit, text.unit, n, n, d, scale, bias, false);

    // Each logit becomes ∂(N·ℓ)/∂x_ij in place.
    let total = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const margin = i === j ? -x[i * n + j] : x[i * n + j]; // −z·x
        total += softplus(margin);
        const p = sigmoid(margin);
        x[i * n + j] = i === j ? -p : p;
      }
    }
    const value = total / n;

    const gImage = grads === null ? null : grads.imageEmbeddings;
    const gText = grads === null ? null : grads.textEmbeddings;
    if (gImage !== null && gText !== null) {
      const factor = (u / n) * scale;
      normalizeBackward(image, gradTimesRows(x, text.unit, n, n, d, factor), n, d, 1, gImage);
      normalizeBackward(text, gradTransposeTimesRows(x, image.unit, n, n, d, factor), n, d, 1, gText);
    }
    const blame = normalize
      ? Math.abs(scale) >= Math.abs(bias)
        ? 'options.scale'
        : 'options.bias'
      : largerInput(['imageEmbeddings', 'textEmbeddings'], t.imageEmbeddings.data, t.textEmbeddings.data);
    requireFiniteResult(NAME, value, [gImage, gText], u, blame);
    return scalarTensor(value, dtype);
  },
  info: {
    title: 'Sigmoid contrastive loss (SigLIP)',
    summary:
      'Treats every image–text pair of the batch as its own binary match / no-match decision with a logistic loss, instead of a softmax over the batch.',
    formula: 'ℓ = −(1/N) Σ_ij log σ(z_ij (t·Ĩᵢ·T̃_j + b)), z_ij = 1 if i = j else −1',
    properties: {
      differentiability:
        'Smooth in both embedding batches (softplus of dot products); the normalisation is smooth away from the 1e-6 norm floor.',
      robustness:
        'Each pair’s loss is bounded in slope by the scale; no normalisation over the batch, so one bad pair does not reweight the others.',
      gradientBehaviour:
        'A pair contributes σ of its error: confidently right pairs fade out, mismatched pairs with high similarity push hardest.',
      scaleSensitivity:
        'With normalize, invariant to each embedding’s scale; scale and bias set the logits. Without it, the dot products enter directly.',
      classImbalance:
        'N positives against N² − N negatives: the negative bias (−10 by default) starts the model at the prior of a non-match.',
    },
    whenToUse: [
      'Image–text or other two-tower pre-training, especially with small or sharded batches (no batch-wide softmax).',
      'When pairs should be scored independently, e.g. several texts may match one image in spirit.',
    ],
    limitations: [
      'Scale and bias are fixed options here; SigLIP learns them (log-parameterised scale).',
      'Assumes only the diagonal pairs match; in-batch duplicates are treated as negatives.',
      'O(N²·D) per call.',
    ],
    references: [
      'Zhai, Mustafa, Kolesnikov & Beyer (2023), Sigmoid Loss for Language Image Pre-Training',
      'Radford et al. (2021), Learning Transferable Visual Models From Natural Language Supervision',
    ],
    tasks: ['metric-learning', 'ranking'],
  },
});
