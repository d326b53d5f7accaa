import { gemm } from '../../kernels/gemm.js';
import {
  type FloatArray,
  formatIndex,
  formatShape,
  LossInputError,
  type Tensor,
} from '../../tensor/index.js';
import { requireClassAxis } from '../classification/crossEntropyChecks.js';
import { countedLabelWeight, softmaxCrossEntropyRow } from '../classification/softmaxCrossEntropyKernel.js';
import { defineLoss } from '../define.js';
import { numberOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import { requireLabelShape, requireLabels, requireRank } from '../validate.js';

const NAME = 'linearCrossEntropy';

/** The largest |value| of an array. */
function maxAbs(d: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < d.length; i++) max = Math.max(max, Math.abs(d[i]));
  return max;
}

/**
 * The weight gradient sums (softmax − q)·h over every token, and the hidden one (softmax − q)·W
 * over the vocabulary: with entries near the float range they can overflow where the loss value
 * does not (the boundary checks only the value). Such a gradient is an error naming the larger of
 * `hidden` and `weight`. One read of each gradient, small beside the matrix products.
 */
function requireFiniteGradient(
  hidden: Tensor,
  weight: Tensor,
  name: 'hidden' | 'weight',
  grad: FloatArray,
): void {
  for (let i = 0; i < grad.length; i++) {
    if (Number.isFinite(grad[i])) continue;
    const culprit = maxAbs(hidden.data) >= maxAbs(weight.data) ? 'hidden' : 'weight';
    const shape = name === 'hidden' ? hidden.shape : weight.shape;
    throw new LossInputError(
      NAME,
      culprit,
      `the gradient grads.${name} is ${grad[i]} at index ${formatIndex(i, shape)} in ${hidden.dtype} for these finite arguments (an overflow); rescale hidden and weight`,
    );
  }
}

/**
 * Scores held at once: a chunk has max(4, ⌊2²¹ / V⌋) rows (16 MiB of float64 scores, whatever
 * the dtype), so the [T, V] logits never exist, while each chunk is large enough that the weight
 * is streamed from memory only T / rows times. The scores and the gathered rows are float64 for
 * both dtypes: the three products then sum in float64 and `gemm`'s loops see one array type for
 * the streamed operand and for the sums.
 */
export const CHUNK_SCORES = 1 << 21;

/** Rows of one chunk for a vocabulary of V (at least 4, a multiple of 4 when it can be). */
export function chunkRows(vocabulary: number, rows: number): number {
  const fit = Math.max(4, Math.floor(CHUNK_SCORES / Math.max(1, vocabulary)) & ~3);
  return Math.max(1, Math.min(rows, fit));
}

/**
 * Cross-entropy of a linear layer's logits without materialising them: the loss of language
 * models whose vocabulary makes the [T, V] logits the largest tensor of a training step.
 *
 * With z_t = W·h_t (the logits of token t, never stored whole), label y_t, smoothing α:
 * ℓ_t = (1 − α)·(lse(z_t) − z_{t,y}) + (α/V)·Σ_v (lse(z_t) − z_{t,v}); tokens whose label equals
 * `ignoreIndex` (−100 by default) contribute 0 and no gradient. With g_t = ∂ℓ/∂z_t =
 * softmax(z_t) − q_t (times the reduction's scale): ∂/∂h_t = g_tᵀW and ∂/∂W = Σ_t g_t h_tᵀ.
 * Value and gradients equal `tokenCrossEntropy(hidden @ weightᵀ, target, options)`.
 *
 * Shapes: `hidden` [..., T, H] (any leading axes, one row per token), `weight` [V, H] (the
 * output projection, rows are vocabulary entries), `target` [..., T] ids. `'none'` gives
 * [..., T]; `'sum'` adds the counted tokens; `'mean'` divides by their number (0 with a zero
 * gradient when nothing is counted).
 *
 * Memory: counted tokens are processed in chunks of ⌊2²¹/V⌋ rows. A chunk's logits are computed
 * once, reduced with a per-row log-sum-exp (max subtracted, so logits of ±1e4 stay finite),
 * turned into their gradient in place and immediately pushed through the two backward products,
 * so the extra memory is one [rows, V] chunk plus [rows, H] scratch, independent of T. The
 * value-only call skips the backward products.
 *
 * @example
 * linearCrossEntropy([[1, 0], [0, 2]], [[1, 0], [0, 1], [1, 1]], [0, 2]).item() // 0.8103092398688823
 */
export const { entry: linearCrossEntropyLoss, fn: linearCrossEntropy } = defineLoss({
  kind: 'reducible',
  name: NAME,
  family: 'sequence',
  inputs: ['hidden', 'weight', 'target'],
  differentiable: ['hidden', 'weight'],
  options: {
    ignoreIndex: withNote(
      numberOption(-100, { integer: true }),
      '-100 (default), or the pad token id',
      'Tokens with this id are skipped: no value, no gradient, not counted in the mean, no compute.',
    ),
    labelSmoothing: withNote(
      numberOption(0, { min: 0, max: 1 }),
      '0 to 0.1',
      'Moves α of the target mass to a uniform distribution over the vocabulary.',
    ),
    reduction: reductionOption(),
  },
  validate(t, options) {
    requireClassAxis(NAME, 'hidden', t.hidden, 1, '[..., T, H]');
    requireRank(NAME, 'weight', t.weight, 2, '[V, H]');
    const features = t.hidden.shape[t.hidden.rank - 1];
    if (t.weight.shape[1] !== features || t.weight.shape[0] === 0) {
      throw new LossInputError(
        NAME,
        'weight',
        `shape ${formatShape(t.weight.shape)} must be [V, ${features}] with V ≥ 1 (hidden has H = ${features})`,
      );
    }
    requireLabelShape(NAME, 'hidden', t.hidden, 'target', t.target);
    requireLabels(NAME, 'target', t.target, t.weight.shape[0], options.ignoreIndex);
  },
  unitShape: (t) => t.target.shape,
  meanDivisor: (t, options) => countedLabelWeight(t.target, null, options.ignoreIndex),
  kernel({ t, options, plan, units, grads }) {
    const h = t.hidden.data;
    const w = t.weight.data;
    const labels = t.target.data;
    const [vocabulary, features] = t.weight.shape;
    const tokens = labels.length;
    const { ignoreIndex, labelSmoothing } = options;
    const up = plan.upstream;

    const chunk = chunkRows(vocabulary, tokens);
    const scores = new Float64Array(chunk * vocabulary);
    const rowsIn = new Float64Array(chunk * features);
    const rowsGrad = grads === null ? null : new Float64Array(chunk * features);
    const rowOf = new Int32Array(chunk);
    const exps = new Float64Array(vocabulary);
    // q of torch's smoothing: α/V everywhere plus 1 − α at the label (set and restored per row).
    const spread = labelSmoothing / vocabulary;
    const q = new Float64Array(vocabulary).fill(spread);
    const keep = 1 - labelSmoothing;

    let total = 0;
    let next = 0;
    while (next < tokens) {
      // Gather the next chunk of counted tokens (ignored ones cost nothing).
      let n = 0;
      while (n < chunk && next < tokens) {
        const token = next++;
        if (labels[token] === ignoreIndex) continue;
        rowOf[n] = token;
        const src = token * features;
        const dst = n * features;
        for (let k = 0; k < features; k++) rowsIn[dst + k] = h[src + k];
        n++;
      }
      if (n === 0) break;

      // The chunk's scores [n, V] = rows [n, H] · Wᵀ (float64 rows and scores: the JavaScript loops).
      gemm(rowsIn, 0, w, 0, scores, 0, n, features, vocabulary, false, true);
      for (let i = 0; i < n; i++) {
        const token = rowOf[i];
        const label = labels[token];
        q[label] = spread + keep;
        const scale = up === null ? plan.scale : plan.scale * up[token];
        const loss = softmaxCrossEntropyRow(
          scores,
          i * vocabulary,
          vocabulary,
          q,
          0,
          exps,
          grads === null ? null : scores,
          scale,
        );
        q[label] = spread;
        total += loss;
        if (units !== null) units[token] = loss;
      }
      if (grads === null || rowsGrad === null) continue;

      // ∂/∂rows [n, H] = G [n, V] · W [V, H]; ∂/∂W [V, H] += Gᵀ · rows.
      gemm(scores, 0, w, 0, rowsGrad, 0, n, vocabulary, features, false, false);
      gemm(scores, 0, rowsIn, 0, grads.weight, 0, vocabulary, n, features, true, false, true);
      const gh = grads.hidden;
      for (let i = 0; i < n; i++) {
        const dst = rowOf[i] * features;
        const src = i * features;
        for (let k = 0; k < features; k++) gh[dst + k] = rowsGrad[src + k];
      }
    }
    if (grads !== null) {
      requireFiniteGradient(t.hidden, t.weight, 'hidden', grads.hidden);
      requireFiniteGradient(t.hidden, t.weight, 'weight', grads.weight);
    }
    return total;
  },
  info: {
    title: 'Linear cross-entropy (fused output projection)',
    summary:
      'Token cross-entropy of hidden @ weightᵀ computed chunk by chunk, so a language model with a large vocabulary never stores its [T, V] logits or their gradient.',
    formula:
      'ℓ_t = (1 − α)·(lse(W h_t) − (W h_t)_{y_t}) + (α/V)·Σ_v (lse(W h_t) − (W h_t)_v); mean over counted tokens',
    properties: {
      differentiability: 'Smooth in both the hidden states and the projection weight.',
      robustness:
        'As tokenCrossEntropy: not robust to noisy tokens; label smoothing caps the reward for overconfidence.',
      gradientBehaviour:
        'The logit gradient softmax − target is bounded per token; it reaches hidden and weight through the same projection, exactly as autograd would.',
      scaleSensitivity:
        'Scaling the weight or the hidden states scales the logits (a temperature); the mean is per counted token.',
      classImbalance: 'Frequent tokens dominate the sum; no per-token weights.',
    },
    whenToUse: [
      'The output layer of a language model with a vocabulary large enough that T × V logits do not fit comfortably in memory.',
      'Any classifier whose last layer is linear and whose class count is large (retrieval over many items, extreme classification).',
    ],
    limitations: [
      'The projection must be a plain matrix without bias (append a constant 1 feature to hidden and a bias column to the weight to emulate one).',
      'Takes the same time as the materialised matmul + cross-entropy (the products dominate); it saves memory, not arithmetic.',
      'No normalizer option: for exact means across micro-batches use reduction "sum" divided by the global token count.',
    ],
    references: [
      'Wijmans et al. (2024), Cut Your Losses in Large-Vocabulary Language Models (cut cross-entropy)',
      'Liger Kernel FusedLinearCrossEntropy; PyTorch F.cross_entropy(hidden @ weight.T, target)',
    ],
    tasks: ['sequence'],
  },
});
