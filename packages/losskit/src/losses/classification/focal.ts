import { simdFocalGamma2 } from '../../kernels/wasm/float32.js';
import type { FloatArray } from '../../tensor/index.js';
import { defineLoss } from '../define.js';
import { float32Dispatch, float32SimdCandidate } from '../float32Dispatch.js';
import { expNonPositive, log1pUnit, sigmoid } from '../math.js';
import { booleanOption, nullableNumberOption, numberOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import { requireSameShape } from '../validate.js';
import { logitBce, probabilityBce } from './binaryTerms.js';
import { logitFocalSlope, probabilityFocalSlope } from './focalTerms.js';

const NAME = 'focal';

/**
 * The common case (logits, a reduced value) in one pass with one exp, one log1p and one
 * division per element and no data-dependent branch: with e = e^(−|x|), σ(x) and σ(−x) are
 * 1/(1 + e) and e/(1 + e) chosen by the sign as a 0/1 factor, CE = max(x, 0) − x·y + log1p(e),
 * α_t = α⁺y + α⁻(1 − y) (both 1 without α), and q^γ a product for γ = 2.
 */
function plainLogitFocal(
  x: FloatArray,
  y: FloatArray,
  g: FloatArray | null,
  s: number,
  alpha: number | null,
  gamma: number,
): number {
  const alphaPositive = alpha === null ? 1 : alpha;
  const alphaNegative = alpha === null ? 1 : 1 - alpha;
  const square = gamma === 2;
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    const yi = y[i];
    const a = Math.abs(xi);
    const e = expNonPositive(-a);
    const inverse = 1 / (1 + e);
    const small = e * inverse;
    const positive = +(xi >= 0);
    const p = small + positive * (inverse - small);
    const r = small + (1 - positive) * (inverse - small);
    // max(x, 0) as x/2 + |x|/2: x + |x| overflows for x above 8.9e307.
    const ce = 0.5 * xi + 0.5 * a - xi * yi + log1pUnit(e);
    const q = yi * r + (1 - yi) * p;
    const qg = square ? q * q : q ** gamma;
    const at = alphaPositive * yi + alphaNegative * (1 - yi);
    total += at * ce * qg;
    if (g !== null) g[i] = s * at * logitFocalSlope(p, r, q, qg, ce, yi, gamma);
  }
  return total;
}

/**
 * Sigmoid focal loss: binary cross-entropy scaled down on examples that are already right.
 *
 * With p the predicted probability (σ(x) for logits), q = 1 − p_t = y(1 − p) + (1 − y)p the
 * probability of the wrong answer, CE the binary cross-entropy and α_t = αy + (1 − α)(1 − y)
 * (1 when `alpha` is null): ℓ = α_t · CE · q^γ. Gradients, with q^(γ−1) folded so that nothing
 * divides by zero:
 * - logits: ∂ℓ/∂x = α_t q^γ [(p − y) + γ(1 − 2y)·CE·p(1 − p)/q], CE = softplus terms (log space);
 * - probabilities: ∂ℓ/∂p = α_t q^γ [CE′ + γ(1 − 2y)·CE/q], CE = torch `F.binary_cross_entropy`
 *   (logs clamped at −100) and CE′ its gradient (p − y)/max(p(1 − p), 1e-12).
 * Where q = 0 (p equals a hard target exactly) the loss and its gradient are 0; PyTorch's
 * autograd returns NaN there for γ < 1, the limit is 0. Any finite logit (±1e308 included)
 * gives finite values and gradients, with any γ (with probabilities, a fully wrong p has the
 * gradient γ·100, which overflows only for γ above 1.8e306).
 * Reduced by `reduction`. `input` and `target` share one shape; targets are in [0, 1] (hard
 * {0, 1} in the paper; soft values follow the same formula), and with `fromLogits: false`
 * probabilities outside [0, 1] are an error. Matches torchvision `ops.sigmoid_focal_loss`
 * (α weights positives, 1 − α negatives).
 *
 * @example
 * focal([2, -1], [1, 0]).item() // 0.008722216920080295
 */
export const { entry: focalLoss, fn: focal } = defineLoss({
  kind: 'reducible',
  name: NAME,
  family: 'classification',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: {
    alpha: withNote(
      nullableNumberOption(0.25, { min: 0, max: 1 }),
      '0.25, or null for no weighting',
      'Weight of positives (negatives get 1 − α).',
    ),
    gamma: withNote(
      numberOption(2, { min: 0 }),
      '2 (0 recovers α-weighted BCE)',
      'How strongly well-classified examples are down-weighted.',
    ),
    fromLogits: withNote(
      booleanOption(true),
      'true',
      'Whether the input is logits (log-space path) or probabilities (torch BCE with the −100 clamp).',
    ),
    reduction: reductionOption(),
  },
  validate(t) {
    requireSameShape(NAME, 'input', t.input, 'target', t.target);
  },
  checks: [
    { input: 'input', check: 'unitInterval', when: (options) => !options.fromLogits },
    { input: 'target', check: 'unitInterval', what: 'target' },
  ],
  // The common case's SIMD pass (logits, γ = 2) checks the targets as it reads them (its total
  // is NaN for one outside [0, 1]); the kernel absorbs the check there and runs it elsewhere.
  fusesChecks: (t, options) =>
    options.fromLogits &&
    options.gamma === 2 &&
    options.reduction !== 'none' &&
    float32SimdCandidate(t.input.data, t.target.data),
  // The [0, 1] checks (target; input when it holds probabilities) reject NaN and infinities; a
  // non-finite logit makes ce, and so α_t·q^γ·ce and Σℓ, NaN or +∞ on every path (the SIMD
  // kernel's NaN total sends the call to the float64 loop): the boundary then names it.
  finiteCheckedBy: () => ['input', 'target'],
  // Every path writes g[i] for every i.
  overwritesGrads: () => true,
  unitShape: (t) => t.input.shape,
  kernel({ t, options, plan, units, grads, checks }) {
    const x = t.input.data;
    const y = t.target.data;
    const { alpha, gamma, fromLogits } = options;
    const g = grads === null ? null : grads.input;
    const up = plan.upstream;
    const s = plan.scale;
    if (fromLogits && units === null && up === null) {
      // WebAssembly SIMD for large float32 inputs with γ = 2 (f32x4 arithmetic, float64 sum),
      // plainLogitFocal for the rest and everything else.
      return float32Dispatch(
        x,
        y,
        g,
        gamma === 2
          ? (x32, y32, g32) =>
              simdFocalGamma2(x32, y32, g32, s, alpha === null ? 1 : alpha, alpha === null ? 1 : 1 - alpha)
          : null,
        (xs, ys, gs) => plainLogitFocal(xs, ys, gs, s, alpha, gamma),
        checks,
      );
    }
    checks.run();
    let total = 0;
    for (let i = 0; i < x.length; i++) {
      const yi = y[i];
      const at = alpha === null ? 1 : alpha * yi + (1 - alpha) * (1 - yi);
      let ce: number;
      let q: number;
      // ∂ℓ/∂input divided by α_t.
      let slope = 0;
      if (fromLogits) {
        const p = sigmoid(x[i]);
        const r = sigmoid(-x[i]); // 1 − p without cancellation
        ce = logitBce(x[i], yi);
        q = yi * r + (1 - yi) * p;
        if (g !== null) slope = logitFocalSlope(p, r, q, q ** gamma, ce, yi, gamma);
      } else {
        const p = x[i];
        ce = probabilityBce(p, yi);
        q = yi * (1 - p) + (1 - yi) * p;
        if (g !== null) slope = probabilityFocalSlope(p, q, q ** gamma, ce, yi, gamma);
      }
      const qg = q ** gamma;
      const l = at * ce * qg;
      total += l;
      if (units !== null) units[i] = l;
      if (g !== null) g[i] = (up === null ? s : s * up[i]) * at * slope;
    }
    return total;
  },
  info: {
    title: 'Focal loss (sigmoid)',
    summary:
      'Binary cross-entropy multiplied by (1 − p_t)^γ, so that abundant easy examples stop drowning out the rare hard ones.',
    formula: 'ℓ = α_t (1 − p_t)^γ · BCE(p, y), p_t = py + (1 − p)(1 − y), α_t = αy + (1 − α)(1 − y)',
    properties: {
      differentiability:
        'Smooth in the logits for γ ≥ 1; for 0 < γ < 1 the factor (1 − p_t)^γ has an infinite slope at p_t = 1, where the loss is 0.',
      robustness:
        'Concentrates on hard examples, which also means mislabelled examples get the largest weight.',
      gradientBehaviour:
        'Well-classified examples (p_t → 1) get gradients shrunk by about (1 − p_t)^γ; misclassified ones keep a cross-entropy-sized gradient.',
      scaleSensitivity:
        'Loss values are smaller than BCE (by the focal factor); the learning rate tuned for BCE may need raising.',
      classImbalance:
        'Built for extreme foreground/background imbalance: γ down-weights easy negatives, α balances positives against negatives.',
    },
    whenToUse: [
      'Dense object detection and other binary or multi-label problems with many easy negatives (RetinaNet uses α = 0.25, γ = 2).',
      'Segmentation with a small foreground, often combined with dice.',
    ],
    limitations: [
      'Two hyperparameters interact: raising γ usually calls for a smaller α on positives.',
      'Probabilities are no longer calibrated: the loss pushes confident predictions less than BCE does.',
      'Sensitive to label noise, because hard (possibly wrong) examples dominate.',
    ],
    references: [
      'Lin et al. (2017), Focal Loss for Dense Object Detection',
      'torchvision.ops.sigmoid_focal_loss',
    ],
    tasks: ['binary', 'multilabel', 'segmentation'],
  },
});
