import type { FloatArray } from '../../tensor/index.js';
import { defineLoss } from '../define.js';
import { expNonPositive } from '../math.js';
import { numberOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import { requireSameShape, requireUnitInterval } from '../validate.js';
import { requireClassAxis } from './crossEntropyChecks.js';

const NAME = 'poly1CrossEntropy';

/**
 * One row of logits x[offset … offset+C) against the target row y[offset …]:
 * ℓ = CE + ε(1 − S), CE = (Σy)·log s − Σ y_c (x_c − m), S = Σ y_c p_c, and every gradient entry
 * ∂ℓ/∂x_j = gradScale·[(Σy + ε·S)·p_j − (1 + ε·p_j)·y_j]. `exps` is caller-owned scratch of C.
 */
function poly1Row(
  x: FloatArray,
  offset: number,
  classes: number,
  y: FloatArray,
  epsilon: number,
  exps: Float64Array,
  grad: FloatArray | null,
  gradScale: number,
): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < classes; c++) if (x[offset + c] > max) max = x[offset + c];
  let expSum = 0;
  let ySum = 0;
  let yDotShifted = 0;
  let yDotExp = 0;
  for (let c = 0; c < classes; c++) {
    const shifted = x[offset + c] - max;
    const e = expNonPositive(shifted);
    exps[c] = e;
    expSum += e;
    const w = y[offset + c];
    ySum += w;
    yDotExp += w * e;
    // A class of weight 0 adds nothing, also where x_c − m overflows to −∞ (logits of ±1e308).
    if (w !== 0) yDotShifted += w * shifted;
  }
  const truth = yDotExp / expSum;
  if (grad !== null) {
    const softmaxScale = (ySum + epsilon * truth) / expSum;
    for (let c = 0; c < classes; c++) {
      const p = exps[c] / expSum;
      grad[offset + c] = gradScale * (softmaxScale * exps[c] - (1 + epsilon * p) * y[offset + c]);
    }
  }
  // With targets in [0, 1], 0 ≤ S ≤ 1 and |p_j(S − y_j)| ≤ 1 − S: the ε part of each gradient
  // entry is bounded by the ε part of the value, so a finite value has finite gradients.
  return ySum * Math.log(expSum) - yDotShifted + epsilon * (1 - truth);
}

/**
 * Poly-1 cross-entropy: softmax cross-entropy plus ε times the first term of its Taylor series in
 * (1 − p_t), which retunes how strongly confident predictions are still pushed.
 *
 * Per row, with p = softmax(x) and y the target distribution (one-hot or soft):
 * ℓ = −Σ_c y_c log p_c + ε·(1 − Σ_c y_c p_c).
 * Gradient: ∂ℓ/∂x_j = (Σy)·p_j − y_j + ε·p_j·(Σ_c y_c p_c − y_j).
 * ε = 0 is `categoricalCrossEntropy`; ε > 0 (2 for ImageNet in the paper) keeps larger
 * gradients on confident rows, ε < 0 (−1 for detection) weakens them. ε ≥ −1 keeps the loss
 * decreasing in p_t.
 *
 * Shapes: `input` (logits) and `target` (probabilities in [0, 1]) [..., C], classes last.
 * `'none'` gives the input's shape minus the last axis (an unbatched [C] gives a 0-d value);
 * `'mean'` averages over rows, `'sum'` adds them. Stability: log-sum-exp with the row maximum
 * subtracted, finite for logits of ±1e4. Leng et al. (2022); Optax `poly_loss_cross_entropy`.
 *
 * @example
 * poly1CrossEntropy([[2, 0, 0]], [[1, 0, 0]]).item() // 0.6655726818986879
 */
export const { entry: poly1CrossEntropyLoss, fn: poly1CrossEntropy } = defineLoss({
  kind: 'reducible',
  name: NAME,
  family: 'classification',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: {
    epsilon: withNote(
      numberOption(2, { min: -1 }),
      '2 (ImageNet classification), −1 (detection); at least −1',
      'Weight of the first polynomial term (1 − p_t), added to the cross-entropy.',
    ),
    reduction: reductionOption(),
  },
  validate(t) {
    requireClassAxis(NAME, 'input', t.input, 1, '[..., C]');
    requireSameShape(NAME, 'input', t.input, 'target', t.target);
    requireUnitInterval(NAME, 'target', t.target);
  },
  // The [0, 1] check rejects NaN and infinities of the target.
  finiteCheckedBy: () => ['target'],
  // Every row writes every gradient entry.
  overwritesGrads: () => true,
  unitShape: (t) => t.input.shape.slice(0, -1),
  kernel({ t, options, plan, units, grads }) {
    const x = t.input.data;
    const y = t.target.data;
    const classes = t.input.shape[t.input.rank - 1];
    const rows = x.length / classes;
    const { epsilon } = options;
    const exps = new Float64Array(classes);
    const grad = grads === null ? null : grads.input;
    const up = plan.upstream;
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const scale = up === null ? plan.scale : plan.scale * up[r];
      const loss = poly1Row(x, r * classes, classes, y, epsilon, exps, grad, scale);
      total += loss;
      if (units !== null) units[r] = loss;
    }
    return total;
  },
  info: {
    title: 'Poly-1 cross-entropy',
    summary:
      'Softmax cross-entropy plus ε·(1 − p_t): one extra polynomial term that tunes how hard the loss keeps pushing predictions that are already right.',
    formula: 'ℓ = −Σ_c y_c log softmax(x)_c + ε·(1 − Σ_c y_c softmax(x)_c)',
    properties: {
      differentiability: 'Smooth in the logits.',
      robustness:
        'Like cross-entropy, not robust to label noise; ε < 0 softens the push on confident rows a little, ε > 0 strengthens it.',
      gradientBehaviour:
        'Cross-entropy gradient plus ε·p_j·(p_t − y_j): for ε > 0 a confident correct row keeps a larger gradient than under cross-entropy, for ε < 0 a smaller one.',
      scaleSensitivity:
        'The extra term is bounded (between 0 and ε per row); invariant to a constant added to every logit of a row.',
      classImbalance: 'No class weighting; every row counts equally, as in cross-entropy.',
    },
    whenToUse: [
      'A drop-in replacement for softmax cross-entropy when tuning one extra scalar is affordable (ε = 2 improved ImageNet classification in the paper).',
      'Detection or segmentation heads, where the paper found ε = −1 helpful.',
    ],
    limitations: [
      'ε is task-dependent and needs a small sweep; the gains reported are modest.',
      'Logits only: there is no probability-input path.',
      'ε below −1 would make the loss increase with p_t, so it is rejected.',
    ],
    references: [
      'Leng et al. (2022), PolyLoss: A Polynomial Expansion Perspective of Classification Loss Functions',
      'Optax poly_loss_cross_entropy',
    ],
    tasks: ['multiclass', 'segmentation'],
  },
});
