import { defineLoss } from '../define.js';
import { sigmoid, softplus } from '../math.js';
import { reductionOption } from '../reduce.js';
import { requireSameShape } from '../validate.js';
import { requireSignLabels } from '../validate.js';

const NAME = 'softMargin';

/**
 * Soft-margin (logistic) loss of binary scores with ±1 labels (torch `F.soft_margin_loss`).
 *
 * ℓ = log(1 + exp(−y·x)) per element, y in {−1, 1}, computed as softplus(−y·x) so that it is
 * finite for any finite score (torch overflows to ∞ near |x| = 1e4 in float32 and 710 in
 * float64); ∂ℓ/∂x = −y·σ(−y·x). `input` and `target` have the same (any) shape; `'none'` gives
 * that shape, `'mean'` averages every element, `'sum'` adds. Equals
 * `binaryCrossEntropyWithLogits` with the target (y + 1)/2.
 *
 * @example
 * softMargin([2, -1], [1, 1]).item() // 0.7200948492805976
 */
export const { entry: softMarginLoss, fn: softMargin } = defineLoss({
  kind: 'reducible',
  name: NAME,
  family: 'classification',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: { reduction: reductionOption() },
  validate(t) {
    requireSameShape(NAME, 'input', t.input, 'target', t.target);
    requireSignLabels(NAME, 'target', t.target);
  },
  unitShape: (t) => t.input.shape,
  kernel({ t, plan, units, grads }) {
    const x = t.input.data;
    const y = t.target.data;
    const g = grads === null ? null : grads.input;
    const up = plan.upstream;
    const s = plan.scale;
    let total = 0;
    for (let i = 0; i < x.length; i++) {
      const m = -y[i] * x[i];
      const l = softplus(m);
      total += l;
      if (units !== null) units[i] = l;
      if (g !== null) g[i] = -y[i] * sigmoid(m) * (up === null ? s : s * up[i]);
    }
    return total;
  },
  info: {
    title: 'Soft-margin loss',
    summary:
      'The logistic loss on a single score with ±1 labels: a smooth hinge that keeps rewarding a larger margin, and the negative log-likelihood of σ(y·x).',
    formula: 'ℓ = log(1 + exp(−y·x)) = softplus(−y·x), y ∈ {−1, 1}',
    properties: {
      differentiability: 'Smooth everywhere (infinitely differentiable).',
      robustness:
        'Linear growth for large violations, like hinge, so a mislabelled point does not dominate; it never reaches exactly 0.',
      gradientBehaviour:
        'Gradient −y·σ(−y·x): about −y/2 at the boundary, tending to 0 as the margin grows and to −y for gross errors.',
      scaleSensitivity:
        'Depends on the score scale; σ(x) of the score is a probability of the positive class.',
      classImbalance: 'No class weighting: reweight or resample when one class dominates.',
    },
    whenToUse: [
      'Binary classification with labels in {−1, 1}, when a smooth, margin-like loss is wanted (logistic regression).',
      'Porting PyTorch code that uses SoftMarginLoss.',
    ],
    limitations: [
      'Labels must be −1 or 1; for 0/1 or soft targets use binaryCrossEntropyWithLogits, which is the same loss.',
      'Never exactly zero, so well-classified examples keep a small gradient (unlike hinge).',
    ],
    references: ['PyTorch torch.nn.functional.soft_margin_loss', 'Logistic regression (Cox 1958)'],
    tasks: ['binary'],
  },
});
