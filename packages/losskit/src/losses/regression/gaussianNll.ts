import { formatShape, LossInputError, sameShape, type Tensor } from '../../tensor/index.js';
import { defineLoss } from '../define.js';
import { booleanOption, numberOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import type { Shaped } from '../shape-checks.js';
import { requireSameShape } from '../validate.js';
import { requireFiniteGradient, requireNonNegative } from './checks.js';

const NAME = 'gaussianNll';
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** Whether `variance` has one value per row (the input's shape with a last axis of 1) rather than one per element. */
function perRow(input: Tensor, variance: Tensor): boolean {
  return !sameShape(input.shape, variance.shape);
}

/**
 * `variance` must have the input's shape, or the input's shape with a last axis of 1 (shape
 * only: the TF.js adapter shares it).
 */
export function requireVarianceShape(input: Shaped, variance: Shaped): void {
  const shape = input.shape;
  if (sameShape(variance.shape, shape)) return;
  const rowShape = shape.length === 0 ? null : [...shape.slice(0, -1), 1];
  if (rowShape !== null && sameShape(variance.shape, rowShape)) return;
  const alternative = rowShape === null ? '' : ` nor ${formatShape(rowShape)} (one variance per row)`;
  throw new LossInputError(
    NAME,
    'variance',
    `shape ${formatShape(variance.shape)} matches neither input shape ${formatShape(shape)}${alternative}`,
  );
}

/**
 * Gaussian negative log-likelihood with a predicted variance.
 *
 * With v = max(variance, eps) and d = x − y: ℓᵢ = ½(log vᵢ + dᵢ²/vᵢ), plus ½·log 2π with `full`.
 * ∂ℓ/∂x = d/v and ∂ℓ/∂variance = ½(1/v − d²/v²) = (½/v)(1 − d²/v), also where the clamp holds:
 * as torch, the clamp changes the value but the gradient passes through it as if it did not
 * (finite differences of the value differ there, by design). `variance` has the input's shape
 * (one variance per element), or the input's shape with a last axis of 1 (one per row, broadcast
 * along the last axis; its gradient sums over that axis); it must be ≥ 0, and `target` has the
 * input's shape. Reduced by `reduction` ('mean' default, over the input's elements; 'sum';
 * 'none', the input's shape). d²/v is computed as d·(d/v), so it overflows only where the value
 * does; a gradient that overflows where the value does not (a variance, and eps, tiny beside
 * the residual: d²/v² is beyond the float range while d²/v is not) is an error naming `variance`. Matches torch `F.gaussian_nll_loss`.
 *
 * @example
 * gaussianNll([1], [0], [1]).item() // 0.5  (½(log 1 + 1²/1))
 */
export const { entry: gaussianNllLoss, fn: gaussianNll } = defineLoss({
  kind: 'reducible',
  name: NAME,
  family: 'regression',
  inputs: ['input', 'target', 'variance'],
  differentiable: ['input', 'variance'],
  options: {
    full: withNote(
      booleanOption(false),
      'false',
      'Adds the constant ½·log 2π so the value is the exact negative log-likelihood (no gradient effect).',
    ),
    eps: withNote(
      numberOption(1e-6, { above: 0 }),
      '1e-6',
      'Floor under the variance in the value, for stability when the predicted variance nears 0.',
    ),
    reduction: reductionOption(),
  },
  validate(t) {
    requireSameShape(NAME, 'input', t.input, 'target', t.target);
    requireVarianceShape(t.input, t.variance);
    requireNonNegative(NAME, 'variance', t.variance, 'variance');
  },
  // Every element of both gradients is written when there is one (a per-row variance of an
  // input with an empty last axis gets no write: it stays zero-filled).
  overwritesGrads: (t) => t.input.data.length > 0 || !perRow(t.input, t.variance),
  unitShape: (t) => t.input.shape,
  kernel({ t, options, plan, units, grads }) {
    const x = t.input.data;
    const y = t.target.data;
    const variance = t.variance.data;
    const gx = grads === null ? null : grads.input;
    const gv = grads === null ? null : grads.variance;
    const up = plan.upstream;
    const s = plan.scale;
    const eps = options.eps;
    const constant = options.full ? HALF_LOG_2PI : 0;
    // One variance per `width` consecutive elements: 1 (per element) or the last axis (per row).
    const shape = t.input.shape;
    const width = perRow(t.input, t.variance) ? shape[shape.length - 1] : 1;
    let total = 0;
    for (let row = 0, i = 0; i < x.length; row++) {
      const v = Math.max(variance[row], eps);
      const logV = Math.log(v);
      let gRow = 0;
      for (let k = 0; k < width; k++, i++) {
        const d = x[i] - y[i];
        const r = d / v;
        const l = 0.5 * (logV + d * r) + constant;
        total += l;
        if (units !== null) units[i] = l;
        if (gx !== null) {
          const w = up === null ? s : s * up[i];
          gx[i] = w * r;
          gRow += ((0.5 * w) / v) * (1 - d * r);
        }
      }
      if (gv !== null) gv[row] = gRow;
    }
    if (gx !== null && gv !== null && Number.isFinite(total)) {
      const hint =
        'the variance (or eps) is too small for these residuals: raise eps or rescale input and target';
      requireFiniteGradient(NAME, 'variance', 'input', gx, shape, t.input.dtype, hint);
      requireFiniteGradient(NAME, 'variance', 'variance', gv, t.variance.shape, t.input.dtype, hint);
    }
    return total;
  },
  info: {
    title: 'Gaussian negative log-likelihood',
    summary:
      'Negative log-likelihood of the target under a normal distribution with the predicted mean and variance: regression that also learns its own uncertainty.',
    formula: 'ℓ = ½(log max(σ², eps) + (x − y)² / max(σ², eps)) [+ ½·log 2π with full]',
    properties: {
      differentiability:
        'Smooth in the mean; in the variance smooth above eps, where the clamp holds the gradient still passes (as torch).',
      robustness:
        'The model can lower the weight of hard examples by raising their variance, at a log cost; a confident wrong prediction is penalised heavily.',
      gradientBehaviour:
        'Gradient (x − y)/σ² for the mean, so uncertain points pull less; ½(1/σ² − (x − y)²/σ⁴) for the variance, zero where σ² equals the squared residual.',
      scaleSensitivity:
        'The variance is in squared target units; eps must be small relative to it, or the clamp dominates.',
      classImbalance: 'Not applicable (regression).',
    },
    whenToUse: [
      'Heteroscedastic regression: the model outputs a mean and a variance per target (a softplus or exp head for the variance).',
      'When calibrated uncertainty (prediction intervals) matters along with the point estimate.',
    ],
    limitations: [
      'Training can collapse: the variance shrinks on easy points and the mean then stops learning on hard ones; warm up with MSE or use a β-weighted variant.',
      'The variance must be ≥ 0 (an error otherwise); values below eps are clamped in the value only.',
    ],
    references: [
      'PyTorch torch.nn.functional.gaussian_nll_loss',
      'Nix & Weigend (1994), Estimating the mean and variance of the target probability distribution',
    ],
    tasks: ['regression'],
  },
});
