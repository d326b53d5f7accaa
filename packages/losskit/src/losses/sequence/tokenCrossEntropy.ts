import { requireClassAxis } from '../classification/crossEntropyChecks.js';
import {
  countedLabelWeight,
  labelCrossEntropy,
  labelKernelChecksLogits,
  torchSmoothingBase,
} from '../classification/softmaxCrossEntropyKernel.js';
import { requireFiniteZLossGradient, zLossOption } from '../classification/zLoss.js';
import { defineLoss } from '../define.js';
import { numberOption, optionalNumberOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import { requireLabelShape, requireLabels } from '../validate.js';

const NAME = 'tokenCrossEntropy';

/**
 * Next-token cross-entropy over a batch of sequences (torch `F.cross_entropy` on the flattened
 * tokens), with padding ignored.
 *
 * Per token with id y over a vocabulary of V, smoothing α and l = log softmax(x):
 * ℓ = (1 − α)·(−l_y) + (α/V)·Σ_v (−l_v); tokens equal to `ignoreIndex` (−100 by default)
 * contribute 0 and get a zero gradient. With `zLoss` z > 0, PaLM's auxiliary z-loss z·lse²
 * (lse = log Σ_v exp x_v) is added at every counted token, with gradient 2z·lse·softmax(x): it
 * keeps the log-partition near 0 and the logits from drifting (Chowdhery et al. 2022).
 *
 * Shapes: `input` [..., T, V] logits, `target` [..., T] ids. `'none'` gives [..., T]; `'sum'`
 * adds the counted tokens; `'mean'` divides by the number of counted tokens, or by `normalizer`
 * (usually a count; at least 2^-1022) when it is given (sum / normalizer), and is 0 with a zero gradient when
 * nothing is counted; the z-loss terms share that divisor.
 * For gradient accumulation or data parallelism, `reduction: 'sum'` per shard divided by the
 * global token count (or `normalizer` = that count) gives exactly the unsharded mean.
 * Stability: log-sum-exp per token, finite for logits of ±1e4.
 *
 * @example
 * tokenCrossEntropy([[[2, 0, 0], [0, 3, 0]]], [[0, -100]]).item() // 0.2395447662218847
 */
export const { entry: tokenCrossEntropyLoss, fn: tokenCrossEntropy } = defineLoss({
  kind: 'reducible',
  name: NAME,
  family: 'sequence',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: {
    ignoreIndex: withNote(
      numberOption(-100, { integer: true }),
      '-100 (default), or the pad token id',
      'Tokens with this id are left out of the value, the gradient and the count.',
    ),
    labelSmoothing: withNote(
      numberOption(0, { min: 0, max: 1 }),
      '0 to 0.1 (0.1 in the original Transformer)',
      'Moves α of the target mass to a uniform distribution over the vocabulary.',
    ),
    // Usually a count of tokens. At least the smallest normal double (2^-1022 ≈ 2.2e-308): below
    // that 1/normalizer can be ∞ (∞ values, NaN gradients); a value that still overflows is
    // reported by the boundary as an overflow.
    normalizer: withNote(
      optionalNumberOption({ min: 2 ** -1022 }),
      'the global number of non-padding tokens of the optimiser step (at least 1)',
      'Replaces the divisor of mean, so shard means add up to the global mean.',
    ),
    zLoss: withNote(
      zLossOption(),
      '0 (off); 1e-4 in PaLM',
      'Adds z·lse² per counted token, keeping the softmax normaliser near 1 (log-partition near 0) for stable large-model training.',
    ),
    reduction: reductionOption(),
  },
  validate(t, options) {
    requireClassAxis(NAME, 'input', t.input, 2, '[..., T, V]');
    requireLabelShape(NAME, 'input', t.input, 'target', t.target);
    requireLabels(NAME, 'target', t.target, t.input.shape[t.input.rank - 1], options.ignoreIndex);
  },
  // Token ids are checked as integers, and logits by the SIMD kernel where it runs.
  finiteCheckedBy: (t, options) =>
    labelKernelChecksLogits(t.input, true, options.labelSmoothing) ? ['input', 'target'] : ['target'],
  // The SIMD kernel writes every gradient row (ignored ones as zeros).
  overwritesGrads: (t, options) => labelKernelChecksLogits(t.input, true, options.labelSmoothing),
  unitShape: (t) => t.target.shape,
  meanDivisor: (t, options) => options.normalizer ?? countedLabelWeight(t.target, null, options.ignoreIndex),
  kernel({ t, options, plan, units, grads }) {
    const vocabulary = t.input.shape[t.input.rank - 1];
    const distribution = {
      base: torchSmoothingBase(vocabulary, options.labelSmoothing, null),
      trueCoefficient: 1 - options.labelSmoothing,
      classWeight: null,
      ignoreIndex: options.ignoreIndex,
    };
    const grad = grads === null ? null : grads.input;
    const total = labelCrossEntropy(t.input, t.target, distribution, {
      fromLogits: true,
      plan,
      units,
      grad,
      zLoss: options.zLoss,
    });
    if (options.zLoss !== 0 && grad !== null)
      requireFiniteZLossGradient(NAME, options.zLoss, total, plan.scale, 1, grad, t.input.shape);
    return total;
  },
  info: {
    title: 'Token cross-entropy',
    summary:
      'Cross-entropy of language-model logits against token ids, ignoring padding, with a normalizer for exact means across micro-batches and shards.',
    formula:
      'ℓ_t = (1 − α)·(−log softmax(x_t)_{y_t}) + (α/V)·Σ_v (−log softmax(x_t)_v) + z·(log Σ_v exp x_t,v)²; mean = Σ_counted ℓ_t / (normalizer or #counted)',
    properties: {
      differentiability: 'Smooth in the logits.',
      robustness:
        'Not robust to noisy tokens; label smoothing bounds how much a single token can reward overconfidence.',
      gradientBehaviour:
        'Per-token gradient softmax(x) − onehot(y) (smoothed), bounded; ignored tokens receive exactly 0.',
      scaleSensitivity:
        'The mean is per counted token, so sequences with more real tokens weigh more than short, padded ones.',
      classImbalance:
        'Frequent tokens dominate the sum; there are no per-token weights (use sparseCategoricalCrossEntropy weight for that).',
    },
    whenToUse: [
      'Training autoregressive or masked language models and sequence-to-sequence decoders.',
      'Batches padded to a common length, with padding marked by ignoreIndex.',
      'Gradient accumulation or data parallelism: reduction "sum" (or "mean" with normalizer) per micro-batch divided by the global token count.',
    ],
    limitations: [
      'Logits only: the vocabulary axis must be the last one and hold unnormalised scores.',
      'The default mean depends on how many tokens a batch counts; across micro-batches of different sizes, averaging their means is biased — use normalizer.',
      'Perplexity is exp of the mean; sum or a custom normalizer changes what the value means.',
    ],
    references: [
      'PyTorch torch.nn.functional.cross_entropy (ignore_index, label_smoothing)',
      'Vaswani et al. (2017), Attention Is All You Need (label smoothing 0.1)',
      'Chowdhery et al. (2022), PaLM: Scaling Language Modeling with Pathways (auxiliary z-loss)',
    ],
    tasks: ['sequence'],
  },
});
