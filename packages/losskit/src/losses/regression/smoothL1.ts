import { defineLoss } from '../define.js';
import { numberOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import { requireSameShape } from '../validate.js';

/**
 * Smooth L1 loss: a quadratic of curvature 1/β near zero joined to the absolute error.
 *
 * With d = x − y: ℓ = ½d²/β if |d| < β, else |d| − ½β; ∂ℓ/∂x = d/β inside, sign(d) outside.
 * β = 0 is exactly the L1 loss (gradient 0 where d = 0), as in PyTorch. Reduced by `reduction`.
 * `input` and `target` have the same (any) shape. Matches torch `F.smooth_l1_loss` (β ≥ 0);
 * huber with δ equals δ · smoothL1 with β = δ, so the two agree at β = δ = 1.
 *
 * @example
 * smoothL1([0, 0], [0.5, 3], { beta: 1 }).item() // 1.3125
 */
export const { entry: smoothL1Loss, fn: smoothL1 } = defineLoss({
  kind: 'reducible',
  name: 'smoothL1',
  family: 'regression',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: {
    beta: withNote(
      numberOption(1, { min: 0 }),
      '1.0, or 1/9 for box regression',
      'Width of the quadratic zone; 0 gives the L1 loss.',
    ),
    reduction: reductionOption(),
  },
  validate(t) {
    requireSameShape('smoothL1', 'input', t.input, 'target', t.target);
  },
  unitShape: (t) => t.input.shape,
  kernel({ t, options, plan, units, grads }) {
    const x = t.input.data;
    const y = t.target.data;
    const beta = options.beta;
    const g = grads === null ? null : grads.input;
    const up = plan.upstream;
    const s = plan.scale;
    let total = 0;
    for (let i = 0; i < x.length; i++) {
      const d = x[i] - y[i];
      const a = Math.abs(d);
      // a < beta is never true for beta = 0, which leaves the plain L1 branch.
      const inside = a < beta;
      const l = inside ? (0.5 * d * d) / beta : a - 0.5 * beta;
      total += l;
      if (units !== null) units[i] = l;
      if (g !== null) g[i] = (up === null ? s : s * up[i]) * (inside ? d / beta : d > 0 ? 1 : d < 0 ? -1 : 0);
    }
    return total;
  },
  info: {
    title: 'Smooth L1 loss',
    summary:
      'Absolute error with the corner at zero rounded off by a parabola of width β: L1 far away, gentle near the target.',
    formula: 'ℓ = ½(x − y)²/β if |x − y| < β, else |x − y| − ½β',
    properties: {
      differentiability: 'Continuously differentiable for β > 0; β = 0 is the L1 loss with its kink at zero.',
      robustness: 'Robust: the gradient never exceeds 1 in magnitude, so outliers cannot dominate.',
      gradientBehaviour:
        'Gradient (x − y)/β inside β shrinks towards the optimum; ±1 outside, independent of β.',
      scaleSensitivity: 'β is in the units of the target; the linear part is in the target units as well.',
      classImbalance: 'Not applicable (regression).',
    },
    whenToUse: [
      'Bounding-box regression (Fast/Faster R-CNN use it with β = 1 or β = 1/9).',
      'Regression with outliers where MAE converges too roughly near the optimum.',
    ],
    limitations: [
      'Inside β the loss is ½d²/β, so small β makes it very steep there; the scale of the quadratic part depends on β, unlike huber.',
      "β must match the residual scale, as huber's δ does.",
    ],
    references: ['Girshick (2015), Fast R-CNN', 'PyTorch torch.nn.functional.smooth_l1_loss'],
    tasks: ['regression'],
  },
});
