import { defineLoss } from '../define.js';
import { expNonPositive } from '../math.js';
import { booleanOption, numberOption, withNote } from '../options.js';
import { scalarTensor } from '../reduce.js';
import { requireSameShape } from '../shape-checks.js';
import {
  gradTimesRows,
  gradTransposeTimesRows,
  gramOverTemperature,
  largerInput,
  normalizeBackward,
  normalizeRows,
  rawRows,
  requireEmbeddingMatrix,
  requireFiniteResult,
  scalarUpstream,
} from './similarity.js';

const NAME = 'clipContrastive';

/**
 * CLIP's symmetric contrastive loss between two batches of paired embeddings (image i belongs
 * with text i).
 *
 * With Ĩ, T̃ the rows normalised to e/√max(‖e‖², 1e-12) (or taken as they are with
 * `normalize: false`) and S = ĨT̃ᵀ/τ (N×N):
 * ℓ = ½(CE(S, diag) + CE(Sᵀ, diag)), CE(S, diag) = (1/N) Σᵢ (log Σ_j e^{S_ij} − S_ii): the mean
 * cross-entropy of each image against all texts and of each text against all images.
 * ∂ℓ/∂S_ij = (softmax_row(S)_ij + softmax_col(S)_ij − 2δ_ij)/(2N). `imageEmbeddings`,
 * `textEmbeddings`: [N, D] each; the value is 0-d (no `reduction`); N = 0 gives 0.
 *
 * Computation: S once (O(N²·D), one N×N buffer), row and column log-sum-exps with their maxima
 * subtracted (finite for logits of any size), the gradient with respect to S in place, then
 * GT̃/τ and GᵀĨ/τ and the chain rule of the normalisation (a zero row gives 0, not NaN).
 * Reference: Radford et al. (2021), Learning Transferable Visual Models From Natural Language
 * Supervision (the pseudocode of figure 3, with a fixed temperature).
 *
 * @example
 * clipContrastive([[1, 0], [0, 1]], [[1, 0.2], [0.1, 1]], { temperature: 1 }).item() // 0.3591214171656203
 */
export const { entry: clipContrastiveLoss, fn: clipContrastive } = defineLoss({
  kind: 'custom',
  name: NAME,
  family: 'ranking',
  inputs: ['imageEmbeddings', 'textEmbeddings'],
  differentiable: ['imageEmbeddings', 'textEmbeddings'],
  options: {
    temperature: withNote(
      numberOption(0.07, { above: 0 }),
      '0.07 (CLIP’s initial value), 0.01–0.1',
      'Divides the similarity logits; lower values sharpen both softmaxes.',
    ),
    normalize: withNote(
      booleanOption(true),
      'true',
      'Cosine similarities (true) or raw dot products (false, when the encoders normalise already).',
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
    const { temperature: tau, normalize } = options;
    const u = scalarUpstream(upstream);
    const prepare = normalize ? normalizeRows : rawRows;
    const image = prepare(t.imageEmbeddings.data, n, d);
    const text = prepare(t.textEmbeddings.data, n, d);
    const s = gramOverTemperature(image.unit, text.unit, n, n, d, tau, false);

    // Row (image → texts) and column (text → images) log-sum-exps, maxima first.
    const rowLse = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
    const colLse = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const v = s[i * n + j];
        if (v > rowLse[i]) rowLse[i] = v;
        if (v > colLse[j]) colLse[j] = v;
      }
    }
    const rowSum = new Float64Array(n);
    const colSum = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const v = s[i * n + j];
        rowSum[i] += expNonPositive(v - rowLse[i]);
        colSum[j] += expNonPositive(v - colLse[j]);
      }
    }
    let total = 0;
    for (let i = 0; i < n; i++) {
      rowLse[i] += Math.log(rowSum[i]);
      colLse[i] += Math.log(colSum[i]);
      total += rowLse[i] + colLse[i] - 2 * s[i * n + i];
    }
    const value = total / (2 * n);

    const gImage = grads === null ? null : grads.imageEmbeddings;
    const gText = grads === null ? null : grads.textEmbeddings;
    if (gImage !== null && gText !== null) {
      // G = ∂(2N·ℓ)/∂S in place of S.
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const v = s[i * n + j];
          s[i * n + j] = expNonPositive(v - rowLse[i]) + expNonPositive(v - colLse[j]) - (i === j ? 2 : 0);
        }
      }
      const factor = u / (2 * n) / tau;
      normalizeBackward(image, gradTimesRows(s, text.unit, n, n, d, factor), n, d, 1, gImage);
      normalizeBackward(text, gradTransposeTimesRows(s, image.unit, n, n, d, factor), n, d, 1, gText);
    }
    const blame = normalize
      ? 'options.temperature'
      : largerInput(['imageEmbeddings', 'textEmbeddings'], t.imageEmbeddings.data, t.textEmbeddings.data);
    requireFiniteResult(NAME, value, [gImage, gText], u, blame);
    return scalarTensor(value, dtype);
  },
  info: {
    title: 'CLIP contrastive loss',
    summary:
      'Symmetric cross-entropy that matches each image embedding to its own text embedding among the batch, and each text to its image.',
    formula: 'ℓ = ½[(1/N)Σᵢ CE(Sᵢ,:, i) + (1/N)Σ_j CE(S:,j, j)], S = ĨT̃ᵀ/τ',
    properties: {
      differentiability:
        'Smooth in both embedding batches (log-sum-exps of dot products); the normalisation is smooth away from the 1e-6 norm floor.',
      robustness:
        'Every off-diagonal pair is treated as a negative, so duplicate or near-duplicate captions in a batch are pushed apart.',
      gradientBehaviour:
        'Each row and column contributes softmax − one-hot; the largest gradients come from mismatched pairs with high similarity.',
      scaleSensitivity:
        'With normalize, invariant to each embedding’s scale; the temperature alone sets the logit scale. Without it, the dot products set it.',
      classImbalance:
        'One positive per row against N − 1 negatives: larger batches make the task harder and the signal richer.',
    },
    whenToUse: [
      'Aligning two modalities (image–text, audio–text, query–document) from paired examples.',
      'Dual-encoder retrieval where each item has exactly one matching partner in the batch.',
    ],
    limitations: [
      'Assumes the diagonal pairing is the only match: false negatives in the batch are penalised.',
      'Quality grows with batch size; CLIP also learns the temperature, which is a fixed option here.',
      'O(N²·D) per call.',
    ],
    references: [
      'Radford et al. (2021), Learning Transferable Visual Models From Natural Language Supervision',
      'van den Oord, Li & Vinyals (2018), Representation Learning with Contrastive Predictive Coding (InfoNCE)',
    ],
    tasks: ['metric-learning', 'ranking'],
  },
});
