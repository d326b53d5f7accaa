import { simdBceWithLogits } from '../../kernels/wasm/float32.js';
import type { FloatArray } from '../../tensor/index.js';
import { formatShape, LossInputError, type Tensor } from '../../tensor/index.js';
import { defineLoss } from '../define.js';
import { float32Dispatch, float32SimdCandidate } from '../float32Dispatch.js';
import { expNonPositive, log1pUnit, sigmoid, softplus } from '../math.js';
import { numberOption, tensorOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import { requireSameShape } from '../validate.js';

const NAME = 'binaryCrossEntropyWithLogits';

/**
 * `posWeight` holds one weight per class of the last axis ([C]), or one for every element
 * ([] or [1]), as torch's `pos_weight` broadcasts.
 */
function requirePosWeightShape(input: Tensor, posWeight: Tensor): void {
  const classes = input.rank === 0 ? 1 : input.shape[input.rank - 1];
  const single = posWeight.size === 1 && posWeight.rank <= 1;
  if (single || (posWeight.rank === 1 && posWeight.shape[0] === classes)) return;
  throw new LossInputError(
    NAME,
    'options.posWeight',
    `shape ${formatShape(posWeight.shape)} does not broadcast along the last axis of input shape ${formatShape(input.shape)}: expected [${classes}] (one weight per class) or [1]`,
  );
}

/**
 * The common case (no weights, no label smoothing, a reduced value): one pass, one exp and one
 * log1p per element and no data-dependent branch. With e = e^(−|x|), softplus(±x) =
 * max(±x, 0) + log1p(e) share one log1p, and ∂ℓ/∂x = σ(x) − y takes σ from the same exp.
 */
function plainBceWithLogits(x: FloatArray, y: FloatArray, g: FloatArray | null, s: number): number {
  let total = 0;
  if (g === null) {
    for (let i = 0; i < x.length; i++) {
      const xi = x[i];
      const yi = y[i];
      const a = Math.abs(xi);
      const log1pE = log1pUnit(expNonPositive(-a));
      total += yi * (0.5 * a - 0.5 * xi + log1pE) + (1 - yi) * (0.5 * xi + 0.5 * a + log1pE);
    }
    return total;
  }
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    const yi = y[i];
    const a = Math.abs(xi);
    const e = expNonPositive(-a);
    const log1pE = log1pUnit(e);
    // y·softplus(−x) + (1 − y)·softplus(x), the general path's expression (so a posWeight of
    // ones gives the same bits).
    total += yi * (0.5 * a - 0.5 * xi + log1pE) + (1 - yi) * (0.5 * xi + 0.5 * a + log1pE);
    const positive = +(xi >= 0);
    g[i] = s * ((e + positive * (1 - e)) / (1 + e) - yi);
  }
  return total;
}

/**
 * Binary cross-entropy on logits, computed in log space.
 *
 * With c the element's class (its index on the last axis), p_c the positive weight (`posWeight`,
 * default 1) and w the element weight (`weight`, default 1):
 * ℓ = w[p_c·y·softplus(−x) + (1 − y)·softplus(x)] = −w[p_c·y log σ(x) + (1 − y) log(1 − σ(x))],
 * ∂ℓ/∂x = w[(1 − y)σ(x) − p_c·y·σ(−x)] (= w(σ(x) − y) without `posWeight`). With
 * `labelSmoothing` α (default 0, in [0, 1]) the target is first replaced by y(1 − α) + α/2, as
 * Keras and TF.js do (so α = 1 trains every output towards σ(x) = ½).
 * Both terms are non-negative softplus values, so any finite logit (±1e308 included; a wrong
 * label then costs |x|) gives exact, finite values and gradients. Reduced by `reduction` ('mean' divides by the element count). `input`, `target`
 * (soft targets in [0, 1]) and `weight` share one shape; `posWeight` is [C] along the last axis
 * (or [1]). Matches torch `F.binary_cross_entropy_with_logits`.
 *
 * @example
 * binaryCrossEntropyWithLogits([2, -1], [1, 0]).item() // 0.2200948492805977
 */
export const { entry: binaryCrossEntropyWithLogitsLoss, fn: binaryCrossEntropyWithLogits } = defineLoss({
  kind: 'reducible',
  name: NAME,
  family: 'classification',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: {
    weight: withNote(
      tensorOption(),
      'unset',
      "Rescales each element's loss and gradient (masks, per-sample weights).",
    ),
    posWeight: withNote(
      tensorOption(),
      'unset, or #negatives / #positives per class',
      'Multiplies the positive term of class c, trading precision for recall.',
    ),
    labelSmoothing: withNote(
      numberOption(0, { min: 0, max: 1 }),
      '0, or 0.05 to 0.2 against over-confidence',
      'Pulls each target towards ½ by this fraction (y(1 − α) + α/2), so logits stop growing once predictions are near the smoothed target.',
    ),
    reduction: reductionOption(),
  },
  validate(t, options) {
    requireSameShape(NAME, 'input', t.input, 'target', t.target);
    if (options.weight !== undefined)
      requireSameShape(NAME, 'input', t.input, 'options.weight', options.weight);
    if (options.posWeight !== undefined) requirePosWeightShape(t.input, options.posWeight);
  },
  checks: [{ input: 'target', check: 'unitInterval', what: 'target' }],
  // The common case's SIMD pass checks the targets as it reads them (its total is NaN for one
  // outside [0, 1]); the kernel absorbs the check there and runs it before any other path.
  fusesChecks: (t, options) =>
    options.weight === undefined &&
    options.posWeight === undefined &&
    options.labelSmoothing === 0 &&
    options.reduction !== 'none' &&
    float32SimdCandidate(t.input.data, t.target.data),
  // The declared target check rejects NaN and infinities; a non-finite logit makes its term, and
  // so Σℓ, NaN or +∞ on every path (y·(relu(x) − x) and (1 − y)·relu(x) hold x itself, and the
  // SIMD kernel's NaN total sends the call to the float64 loop): the boundary then names it.
  finiteCheckedBy: () => ['input', 'target'],
  // Every path writes g[i] for every i.
  overwritesGrads: () => true,
  unitShape: (t) => t.input.shape,
  kernel({ t, options, plan, units, grads, checks }) {
    const x = t.input.data;
    const y = t.target.data;
    const w = options.weight === undefined ? null : options.weight.data;
    const pw = options.posWeight === undefined ? null : options.posWeight.data;
    const classes = pw === null ? 1 : pw.length;
    const g = grads === null ? null : grads.input;
    const up = plan.upstream;
    const s = plan.scale;
    // Keras's smoothing, y ← y(1 − α) + α/2: smoothed = keep·y + half.
    const keep = 1 - options.labelSmoothing;
    const half = 0.5 * options.labelSmoothing;
    if (w === null && pw === null && half === 0 && units === null && up === null) {
      // The SIMD kernel also tells whether every target lies in [0, 1] (its total is NaN where
      // one does not): the declared target check is fused there.
      return float32Dispatch(
        x,
        y,
        g,
        (x32, y32, g32) => simdBceWithLogits(x32, y32, g32, s),
        (xs, ys, gs) => plainBceWithLogits(xs, ys, gs, s),
        checks,
      );
    }
    checks.run();
    let total = 0;
    for (let i = 0; i < x.length; i++) {
      const xi = x[i];
      const yi = keep * y[i] + half;
      const wi = w === null ? 1 : w[i];
      const pos = pw === null ? yi : pw[i % classes] * yi;
      const neg = 1 - yi;
      // The weights multiply each other first: a softplus of 1e308 times p_c = 3 would overflow
      // before a weight of 0.5 brought the term back into range.
      const l = wi * pos * softplus(-xi) + wi * neg * softplus(xi);
      total += l;
      if (units !== null) units[i] = l;
      if (g !== null) g[i] = (up === null ? s : s * up[i]) * wi * (neg * sigmoid(xi) - pos * sigmoid(-xi));
    }
    return total;
  },
  info: {
    title: 'Binary cross-entropy with logits',
    summary:
      'Binary cross-entropy fused with the sigmoid and computed in log space: the stable way to train yes/no and multi-label outputs.',
    formula: 'ℓ = −w[p_c·y′ log σ(x) + (1 − y′) log(1 − σ(x))], y′ = y(1 − α) + α/2 (α = labelSmoothing)',
    properties: {
      differentiability: 'Smooth everywhere in the logit.',
      robustness: 'Not robust to label noise: the loss of a confident mistake grows linearly with the logit.',
      gradientBehaviour:
        'Gradient σ(x) − y is bounded in [−1, 1] (times the weights) and never saturates while the prediction is wrong.',
      scaleSensitivity:
        'Depends on the logit scale only through the sigmoid; the loss is in nats per element.',
      classImbalance:
        '`posWeight` (per class) up-weights positives, e.g. p_c = negatives/positives; `weight` rescales single elements.',
    },
    whenToUse: [
      'Binary classification and multi-label classification (one independent sigmoid per class).',
      'Any time the model outputs logits: prefer it to a sigmoid followed by binaryCrossEntropy.',
    ],
    limitations: [
      'Treats classes as independent; for mutually exclusive classes use a softmax cross-entropy.',
      'Easy, well-classified examples still contribute; with extreme imbalance consider focal.',
    ],
    references: [
      'PyTorch torch.nn.functional.binary_cross_entropy_with_logits',
      'TensorFlow tf.nn.sigmoid_cross_entropy_with_logits',
    ],
    tasks: ['binary', 'multilabel'],
  },
});
