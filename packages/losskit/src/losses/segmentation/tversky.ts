import { type DType, type FloatArray, LossInputError } from '../../tensor/index.js';
import { defineLoss } from '../define.js';
import { expNonPositive, LARGEST_FINITE } from '../math.js';
import { numberOption, withNote } from '../options.js';
import { scalarTensor } from '../reduce.js';
import {
  aggregateOption,
  epsOption,
  fromLogitsOption,
  groupCount,
  overlapGroupSums,
  requireSegmentationRanges,
  validateSegmentation,
} from './overlap.js';

/**
 * Writes grad[i] = c·(b − a·yᵢ) over [start, end), times σ(xᵢ)σ(−xᵢ) with logits (computed as
 * e/(1 + e)² with e = e^(−|x|), which underflows to 0, not NaN, at ±1e4). The buffer is the
 * boundary's zero-filled one and each element is written once.
 */
function writeTverskyGrad(
  x: FloatArray,
  y: FloatArray,
  start: number,
  end: number,
  c: number,
  a: number,
  b: number,
  fromLogits: boolean,
  grad: FloatArray,
): void {
  const slope = -c * a;
  const offset = c * b;
  if (!fromLogits) {
    for (let i = start; i < end; i++) grad[i] = slope * y[i] + offset;
    return;
  }
  for (let i = start; i < end; i++) {
    const e = expNonPositive(-Math.abs(x[i]));
    const inverse = 1 / (1 + e);
    grad[i] = (slope * y[i] + offset) * e * inverse * inverse;
  }
}

/**
 * d(q^γ)/dq = γ·q^(γ−1), with the value 0 where q = 0 and γ < 1 (a perfect score: the minimum,
 * where the derivative has no finite value), as the focal losses do at their zero.
 */
function focalFactor(q: number, gamma: number): number {
  if (gamma === 1) return 1;
  return q > 0 ? gamma * q ** (gamma - 1) : 0;
}

/**
 * The error for a gradient that `dtype` cannot hold: γ < 1 with a score a hair below 1 (the
 * slope of q^γ grows without bound as q → 0), a very large γ, or a very large upstream.
 */
function gradientOverflow(
  dtype: DType,
  q: number,
  gamma: number,
  upstream: number,
  group: number,
): LossInputError {
  const argument = Math.abs(upstream) > 1 ? 'upstream' : 'options.gamma';
  return new LossInputError(
    'tversky',
    argument,
    `the gradient γ·(1 − TI)^(γ − 1)·∂TI/∂p overflows ${dtype} for group ${group} (1 − TI = ${q}, γ = ${gamma}, upstream ${upstream}); use gamma >= 1 or a larger eps`,
  );
}

/**
 * Tversky loss for binary segmentation, and the focal Tversky loss for γ ≠ 1.
 *
 * With p the predicted probabilities (σ(input) when `fromLogits`) and y the target, per group
 * TP = Σpy, FP = Σp(1 − y), FN = Σ(1 − p)y, the Tversky index TI = (TP + ε)/(TP + α·FP + β·FN + ε)
 * and ℓ = (1 − TI)^γ. α weighs false positives and β false negatives (α = β = ½ is Dice with ε
 * doubled, α = β = 1 is IoU); γ < 1 (Abraham & Khan's 1/γ with γ in [1, 3]) keeps pushing on groups
 * that are almost right. `aggregate: 'batch'` is one group over every element; `'sample'` one per
 * index of the first axis, the value being the mean of their losses. `input` [N, ...] (any shape
 * with 'batch') and `target` (same shape, values in [0, 1]); the value is 0-d (no `reduction`).
 *
 * 1 − TI is computed as (α·FP + β·FN)/(TP + α·FP + β·FN + ε), without cancellation near a perfect
 * score, and ∂TI/∂pⱼ = (yⱼ·(1 − TI·(1 − α − β)) − TI·α)/denominator. Where 1 − TI = 0 and γ < 1 the
 * gradient is taken as 0 (the minimum); where γ·(1 − TI)^(γ−1) makes it too large for the dtype
 * the call is a `LossInputError` naming `options.gamma`. Logits go through σ(x)σ(−x), finite for
 * ±1e4.
 *
 * @example
 * tversky([[0.9, 0.1, 0.8, 0.2]], [[1, 0, 1, 0]], { alpha: 0.3, beta: 0.7 }).item() // 0.1499992500037499
 */
export const { entry: tverskyLoss, fn: tversky } = defineLoss({
  kind: 'custom',
  name: 'tversky',
  family: 'segmentation',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: {
    alpha: withNote(
      numberOption(0.5, { min: 0, max: 1 }),
      '0.3 (with beta 0.7)',
      'Weight of false positives in the denominator; in [0, 1].',
    ),
    beta: withNote(
      numberOption(0.5, { min: 0, max: 1 }),
      '0.7',
      'Weight of false negatives; higher values trade precision for recall.',
    ),
    gamma: withNote(
      numberOption(1, { above: 0 }),
      '1 (plain Tversky); 0.75 (focal Tversky, 1/γ = 4/3 in the paper)',
      'Exponent on 1 − TI: below 1 emphasises nearly correct masks, above 1 the worst ones.',
    ),
    eps: withNote(
      epsOption(),
      '1e-5 to 1',
      'Smoothing in numerator and denominator; an empty target with an empty prediction scores 1 (loss 0).',
    ),
    fromLogits: fromLogitsOption(),
    aggregate: aggregateOption(),
  },
  validate(t, options) {
    // The [0, 1] checks of large float32 inputs run fused with the sums (see defineOverlapLoss).
    validateSegmentation('tversky', t.input, t.target, options, 'input', 'leftToSums');
  },
  finiteCheckedBy: (_t, options) => (options.fromLogits ? ['target'] : ['input', 'target']),
  valueShape: () => [],
  compute({ t, options, upstream, grads, dtype }) {
    const { alpha, beta, gamma, eps, fromLogits } = options;
    const u = upstream === null ? 1 : upstream[0];
    const x = t.input.data;
    const y = t.target.data;
    const g = grads?.input ?? null;
    const groups = groupCount(t.input, options.aggregate);
    const sums = overlapGroupSums(x, y, groups, fromLogits, () =>
      requireSegmentationRanges('tversky', t.input, t.target, fromLogits),
    );
    if (groups === 0) return scalarTensor(0, dtype);
    const size = x.length / groups;
    const largest = LARGEST_FINITE[dtype];
    let lossSum = 0;
    for (let k = 0; k < groups; k++) {
      const tp = sums[3 * k];
      // Σp − Σpy and Σy − Σpy, never negative (a rounding could make them −1e-17).
      const fp = Math.max(sums[3 * k + 1] - tp, 0);
      const fn = Math.max(sums[3 * k + 2] - tp, 0);
      const weighted = alpha * fp + beta * fn;
      const den = tp + weighted + eps;
      const q = weighted / den;
      lossSum += gamma === 1 ? q : q ** gamma;
      if (g === null) continue;
      const ti = (tp + eps) / den;
      // −∂TI/∂pⱼ·den = b − a·yⱼ, and |b − a·y| ≤ max(|b|, |b − a|) for y in [0, 1].
      const a = 1 - ti * (1 - alpha - beta);
      const b = ti * alpha;
      const factor = focalFactor(q, gamma);
      const c = ((u / groups) * factor) / den;
      const bound = Math.abs(c) * Math.max(Math.abs(b), Math.abs(b - a));
      if (!(bound <= largest)) throw gradientOverflow(dtype, q, gamma, u, k);
      if (c !== 0) writeTverskyGrad(x, y, k * size, (k + 1) * size, c, a, b, fromLogits, g);
    }
    return scalarTensor(lossSum / groups, dtype);
  },
  info: {
    title: 'Tversky loss (focal Tversky for γ ≠ 1)',
    summary:
      'One minus the Tversky index, an overlap score that weighs false positives and false negatives separately; optionally raised to a power γ.',
    formula: 'ℓ = (1 − (TP + ε)/(TP + α·FP + β·FN + ε))^γ, TP = Σpy, FP = Σp(1 − y), FN = Σ(1 − p)y',
    properties: {
      differentiability:
        'Smooth in the probabilities for γ ≥ 1; for γ < 1 the slope grows without bound as the score approaches 1 (taken as 0 at exactly 1).',
      robustness:
        'A global ratio like Dice: single pixels matter little, but a small structure can be missed entirely without a pixel-wise term.',
      gradientBehaviour:
        'Raising β makes missed foreground (false negatives) cost more than spurious foreground; γ < 1 strengthens the gradient on nearly correct masks, γ > 1 weakens it.',
      scaleSensitivity: 'Depends only on overlap fractions, not on the number of pixels.',
      classImbalance:
        'Built for it: with β > α the loss favours recall, which helps small lesions or defects that Dice under-segments.',
    },
    whenToUse: [
      'Binary segmentation of small or rare foreground where missing it is worse than over-segmenting (lesions, defects): β around 0.7.',
      'When Dice plateaus on small structures: the focal form (γ around 0.75) keeps a gradient on almost-correct masks.',
    ],
    limitations: [
      'Two more hyperparameters than Dice (α, β) plus γ; α = β = 0.5 and γ = 1 reduce it to Dice with ε doubled.',
      'For γ < 1 gradients become very large as a mask approaches a perfect score; keep ε moderate or combine with BCE.',
      "'batch' and 'sample' weigh images differently: with 'sample', an image with a tiny object counts as much as one with a large object.",
    ],
    references: [
      'Salehi, Erdogmus & Gholipour (2017), Tversky loss function for image segmentation using 3D fully convolutional deep networks',
      'Abraham & Khan (2019), A Novel Focal Tversky Loss Function with Improved Attention U-Net for Lesion Segmentation',
    ],
    tasks: ['segmentation'],
  },
});
