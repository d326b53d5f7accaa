import { gemm } from '../../kernels/gemm.js';
import {
  type FloatArray,
  formatIndex,
  formatShape,
  LossInputError,
  type Tensor,
} from '../../tensor/index.js';
import { requireClassAxis } from '../classification/crossEntropyChecks.js';
import { countedLabelWeight } from '../classification/softmaxCrossEntropyKernel.js';
import { defineLoss } from '../define.js';
import { expNonPositive } from '../math.js';
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
 * Scores held at once: a chunk has max(4, ⌊2²¹ / V⌋) float64 rows or max(4, ⌊2²² / V⌋) float32
 * ones (16 MiB of scores either way), so the [T, V] logits never exist, while each chunk is large
 * enough that the weight is streamed from memory only T / rows times. The chunk's scores, its
 * gathered rows and their gradient have the inputs' dtype: float32 products take the SIMD GEMM
 * with float32 sums (as PyTorch's float32 matmul), float64 ones the float64 loops.
 */
export const CHUNK_SCORES = 1 << 21;

/**
 * Rows of one chunk for a vocabulary of V (at least 4, a multiple of 4 when it can be): float32
 * chunks hold twice the scores of float64 ones in the same bytes.
 */
export function chunkRows(vocabulary: number, rows: number, float32 = false): number {
  const scores = float32 ? 2 * CHUNK_SCORES : CHUNK_SCORES;
  const fit = Math.max(4, Math.floor(scores / Math.max(1, vocabulary)) & ~3);
  return Math.max(1, Math.min(rows, fit));
}

/**
 * The most floats one float32 product may need in the SIMD GEMM's memory (8 MiB, an eighth of its
 * 64 MiB cap): a chunk's products are split into vocabulary panels small enough for it.
 */
export const PANEL_FLOATS = 1 << 21;

/**
 * Floats the SIMD GEMM module holds for one [M, K] × [K, N] product: A packed in 4-row panels, B
 * in 8-column panels, then the larger of the raw operands and C (the layout of kernels/wasm/gemm.ts).
 */
function gemmFloats(M: number, K: number, N: number): number {
  const paddedM = (M + 3) & ~3;
  const paddedN = (N + 7) & ~7;
  return paddedM * K + K * paddedN + Math.max(M * K + K * N, paddedM * paddedN);
}

/**
 * Width of the vocabulary panels of a float32 chunk of `rows` tokens: the widest multiple of 8
 * (or V itself) that splits V into equal panels whose three products (scores, hidden gradient,
 * weight gradient) each fit PANEL_FLOATS. Float64 chunks are one panel.
 */
export function panelWidth(vocabulary: number, features: number, rows: number): number {
  for (let count = 1; ; count++) {
    const width = count === 1 ? vocabulary : Math.min(vocabulary, (Math.ceil(vocabulary / count) + 7) & ~7);
    const need = Math.max(
      gemmFloats(rows, features, width),
      gemmFloats(rows, width, features),
      gemmFloats(width, rows, features),
    );
    if (need <= PANEL_FLOATS || width <= 8) return width;
  }
}

/** Chunk scratch of each dtype, grown on demand and kept (the kernel is not re-entrant, as gemm). */
const scratch = {
  float32: { scores: new Float32Array(0), rows: new Float32Array(0), rowsGrad: new Float32Array(0) },
  float64: { scores: new Float64Array(0), rows: new Float64Array(0), rowsGrad: new Float64Array(0) },
};

/** `buffer`, or a new one of its type of at least `length` elements (kept by the caller). */
function grown<A extends Float32Array | Float64Array>(buffer: A, length: number): A {
  if (buffer.length >= length) return buffer;
  return (buffer instanceof Float32Array ? new Float32Array(length) : new Float64Array(length)) as A;
}

/**
 * The cross-entropy of row `i` of a chunk of `rows` score rows stored in vocabulary panels of
 * `width` columns (panel p holds columns [p·width, p·width + w) of every row, [rows, w] row-major
 * at rows·p·width): with m = max z and s = Σ e^(z − m), ℓ = Σq·log s − α/V·Σ(z − m) − (1 − α)(z_y − m),
 * a sum of non-negative terms, finite for logits of any size. With `withGrad`, the row's scores are
 * replaced by scale·(Σq·softmax(z) − q) (the exponentials are parked there between the passes).
 */
function panelRow(
  s: FloatArray,
  rows: number,
  i: number,
  vocabulary: number,
  width: number,
  label: number,
  spread: number,
  keep: number,
  scale: number,
  withGrad: boolean,
): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let v0 = 0; v0 < vocabulary; v0 += width) {
    const w = Math.min(width, vocabulary - v0);
    const start = rows * v0 + i * w;
    for (let c = start; c < start + w; c++) if (s[c] > max) max = s[c];
  }
  const labelStart = Math.floor(label / width) * width;
  const labelAt = rows * labelStart + i * Math.min(width, vocabulary - labelStart) + label - labelStart;
  const labelShifted = s[labelAt] - max;
  let expSum = 0;
  let shiftedSum = 0;
  for (let v0 = 0; v0 < vocabulary; v0 += width) {
    const w = Math.min(width, vocabulary - v0);
    const start = rows * v0 + i * w;
    const end = start + w;
    // Only with smoothing: a logit of −1e308 beside +1e308 would otherwise give 0·(−∞) = NaN.
    if (spread !== 0) for (let c = start; c < end; c++) shiftedSum += s[c] - max;
    if (withGrad) {
      for (let c = start; c < end; c++) {
        const e = expNonPositive(s[c] - max);
        s[c] = e;
        expSum += e;
      }
    } else for (let c = start; c < end; c++) expSum += expNonPositive(s[c] - max);
  }
  const qSum = spread * vocabulary + keep;
  if (withGrad) {
    const k = (scale * qSum) / expSum;
    const offset = scale * spread;
    for (let v0 = 0; v0 < vocabulary; v0 += width) {
      const w = Math.min(width, vocabulary - v0);
      const start = rows * v0 + i * w;
      for (let c = start; c < start + w; c++) s[c] = k * s[c] - offset;
    }
    s[labelAt] -= scale * keep;
  }
  return qSum * Math.log(expSum) - spread * shiftedSum - keep * labelShifted;
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
 * Memory: counted tokens are processed in chunks of ⌊2²¹/V⌋ rows (⌊2²²/V⌋ in float32). A chunk's
 * logits are computed once, reduced with a per-row log-sum-exp (max subtracted, so logits of ±1e4
 * stay finite), turned into their gradient in place and immediately pushed through the two
 * backward products, so the extra memory is one [rows, V] chunk plus [rows, H] scratch,
 * independent of T (kept between calls and reused). The value-only call skips the backward
 * products.
 *
 * Speed: float32 inputs run the three products (scores, ∂/∂hidden, ∂/∂weight) through the
 * WebAssembly SIMD GEMM with float32 sums, as PyTorch's float32 matmul does, on vocabulary panels
 * sized to fit its memory (PANEL_FLOATS); float64 inputs keep float64 products.
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
    const withGrad = grads !== null;

    // Float32: scores, rows and their gradient in float32 (the SIMD GEMM), split into vocabulary
    // panels that fit its memory. Float64: float64 throughout, one panel (the float64 loops).
    const single = h instanceof Float32Array && w instanceof Float32Array;
    const chunk = chunkRows(vocabulary, tokens, single);
    const width = single ? panelWidth(vocabulary, features, chunk) : vocabulary;
    const buffers = single ? scratch.float32 : scratch.float64;
    buffers.scores = grown(buffers.scores, chunk * vocabulary);
    buffers.rows = grown(buffers.rows, chunk * features);
    if (withGrad) buffers.rowsGrad = grown(buffers.rowsGrad, chunk * features);
    const { scores, rows: rowsIn, rowsGrad } = buffers;
    const rowOf = new Int32Array(chunk);
    // q of torch's smoothing: α/V everywhere plus 1 − α at the label.
    const spread = labelSmoothing / vocabulary;
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
        rowsIn.set(h.subarray(src, src + features), n * features);
        n++;
      }
      if (n === 0) break;

      // The chunk's scores, panel by panel: [n, w] = rows [n, H] · W[v0 … v0 + w)ᵀ at n·v0.
      for (let v0 = 0; v0 < vocabulary; v0 += width) {
        const cols = Math.min(width, vocabulary - v0);
        gemm(rowsIn, 0, w, v0 * features, scores, n * v0, n, features, cols, false, true);
      }
      for (let i = 0; i < n; i++) {
        const token = rowOf[i];
        const scale = up === null ? plan.scale : plan.scale * up[token];
        const loss = panelRow(scores, n, i, vocabulary, width, labels[token], spread, keep, scale, withGrad);
        total += loss;
        if (units !== null) units[token] = loss;
      }
      if (!withGrad) continue;

      // ∂/∂rows [n, H] = Σ_panels G [n, w] · W[v0 … v0 + w); ∂/∂W[v0 … v0 + w) += G [n, w]ᵀ · rows.
      for (let v0 = 0; v0 < vocabulary; v0 += width) {
        const cols = Math.min(width, vocabulary - v0);
        const at = n * v0;
        gemm(scores, at, w, v0 * features, rowsGrad, 0, n, cols, features, false, false, v0 > 0);
        gemm(scores, at, rowsIn, 0, grads.weight, v0 * features, cols, n, features, true, false, true);
      }
      const gh = grads.hidden;
      for (let i = 0; i < n; i++)
        gh.set(rowsGrad.subarray(i * features, (i + 1) * features), rowOf[i] * features);
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
