import {
  OVERLAP_SIMD_MIN_LENGTH,
  overlapSimdAvailable,
  simdAddLogitOverlapGrad,
  simdAddOverlapGrad,
  simdOverlapSums,
} from '../../kernels/wasm/overlap.js';
import type { FloatArray, Tensor } from '../../tensor/index.js';
import { clampedLog, expNonPositive, sigmoid, softplus } from '../math.js';
import type { FusedChecks, InputCheck } from '../checks.js';
import { booleanOption, enumOption, numberOption, withNote } from '../options.js';
import { requireMinRank, requireSameShape, requireUnitInterval } from '../validate.js';

/**
 * The shared machinery of the segmentation losses and scores: overlap sums per group, the Dice
 * and IoU ratios with their derivatives, and torch's BCE mean. Kernels allocate nothing.
 */

/** Which overlap ratio. */
export type Overlap = 'dice' | 'iou';
/** `'batch'`: one score over every element; `'sample'`: the mean of one score per index of the first axis. */
export type Aggregate = 'batch' | 'sample';

/**
 * The smallest ε: float32's smallest normal number, 2⁻¹²⁶. On an empty mask (Σp + Σy = 0) the
 * gradient of a Dice or IoU loss is up to 2/ε, which stays finite in float32 from here on (a
 * smaller ε would turn it into ∞ in float32, and below 1e-308 in float64 too).
 */
export const MIN_OVERLAP_EPS = 2 ** -126;

/** ε of the overlap ratios: at least `MIN_OVERLAP_EPS`, any finite value above (1e308 included). */
export const epsOption = () =>
  withNote(
    numberOption(1e-5, { min: MIN_OVERLAP_EPS }),
    '1e-5 to 1',
    'Smoothing in numerator and denominator; larger values soften gradients for small masks.',
  );
export const fromLogitsOption = () => booleanOption(false);
export const aggregateOption = () =>
  withNote(
    enumOption(['batch', 'sample'] as const, 'batch'),
    "'batch'",
    "'sample' averages per-image scores, 'batch' pools every pixel.",
  );
export const alphaOption = () => numberOption(0.5, { min: 0, max: 1 });

/**
 * Boundary checks of every segmentation loss and score. `'sample'` needs a first (batch) axis;
 * `'batch'` pools every element, so it also takes a 0-d input. `ranges`: `'here'` (the scores)
 * runs the [0, 1] checks too; `'declared'` (the losses) leaves them to the loss's declared
 * `checks` (`segmentationChecks`), which the boundary runs or hands to `overlapGroupSums`;
 * `'leftToSums'` (the former protocol, for a loss that passes `overlapGroupSums` its own
 * `requireRanges`) skips them where `sumsCheckRanges` holds.
 */
export function validateSegmentation(
  name: string,
  input: Tensor,
  target: Tensor,
  options: { readonly fromLogits: boolean; readonly aggregate: Aggregate },
  inputName = 'input',
  ranges: 'here' | 'declared' | 'leftToSums' = 'here',
): void {
  if (options.aggregate === 'sample')
    requireMinRank(name, inputName, input, 1, "[N, ...] for aggregate 'sample'");
  requireSameShape(name, inputName, input, 'target', target);
  if (ranges === 'declared') return;
  if (
    ranges === 'leftToSums' &&
    sumsCheckRanges(input.data, target.data, groupCount(input, options.aggregate))
  )
    return;
  requireSegmentationRanges(name, input, target, options.fromLogits, inputName);
}

/**
 * The range checks of `validateSegmentation`: every probability (unless `fromLogits`), then
 * every target value, in [0, 1]; a `LossInputError` names the first offender.
 */
export function requireSegmentationRanges(
  name: string,
  input: Tensor,
  target: Tensor,
  fromLogits: boolean,
  inputName = 'input',
): void {
  if (!fromLogits) requireUnitInterval(name, inputName, input);
  requireUnitInterval(name, 'target', target, 'target value');
}

/**
 * The [0, 1] checks of `requireSegmentationRanges` declared as data, for a segmentation loss's
 * `checks` (the same order and messages): every probability unless `fromLogits`, then every
 * target value.
 */
export function segmentationChecks(): readonly InputCheck<
  'input' | 'target',
  { readonly fromLogits: boolean }
>[] {
  return [
    { input: 'input', check: 'unitInterval', when: (options) => !options.fromLogits },
    { input: 'target', check: 'unitInterval', what: 'target value' },
  ];
}

/**
 * Whether `overlapLoss`'s first pass over these arrays is the WebAssembly SIMD sums kernel, on
 * every group: large enough float32 groups, where the kernel runs. The kernel also tells
 * whether every target value (and every probability, unless `fromLogits`) lies in [0, 1], for
 * about 0.06 ns per element, against 0.7 ns for the two separate probes. The one predicate
 * behind both the validation that leaves the checks to that pass and the pass that does them,
 * so that they cannot disagree.
 */
export function sumsCheckRanges(x: FloatArray, y: FloatArray, groups: number): boolean {
  return (
    groups > 0 &&
    x instanceof Float32Array &&
    y instanceof Float32Array &&
    x.length / groups >= OVERLAP_SIMD_MIN_LENGTH &&
    overlapSimdAvailable()
  );
}

/** How many groups an aggregate forms: 1 for `'batch'`, the first axis for `'sample'`. */
export function groupCount(input: Tensor, aggregate: Aggregate): number {
  return aggregate === 'batch' ? 1 : input.shape[0];
}

/** The prediction as a probability, thresholded to {0, 1} when `threshold` is set (p > threshold). */
function prob(x: FloatArray, i: number, fromLogits: boolean, threshold: number | undefined): number {
  const p = fromLogits ? sigmoid(x[i]) : x[i];
  if (threshold === undefined) return p;
  return p > threshold ? 1 : 0;
}

/**
 * The score of one group is numerator / denominator, from its sums I = Σpy, P = Σp, Y = Σy:
 * Dice (2I + ε)/(P + Y + ε), IoU (I + ε)/(P + Y − I + ε). ε in both keeps an empty target
 * with an empty prediction at score 1.
 */
const numerator = (kind: Overlap, inter: number, eps: number): number =>
  kind === 'dice' ? 2 * inter + eps : inter + eps;
const denominator = (kind: Overlap, inter: number, sumP: number, sumY: number, eps: number): number =>
  kind === 'dice' ? sumP + sumY + eps : sumP + sumY - inter + eps;

/**
 * The mean over groups of the overlap score, each group `[start, start + size)` of the
 * flattened input. Zero groups (an empty batch with `'sample'`) give 1, the score of a loss of 0.
 */
export function overlapScore(
  kind: Overlap,
  x: FloatArray,
  y: FloatArray,
  groups: number,
  eps: number,
  fromLogits: boolean,
  threshold: number | undefined,
): number {
  if (groups === 0) return 1;
  const size = x.length / groups;
  let sum = 0;
  for (let g = 0; g < groups; g++) {
    let inter = 0;
    let sumP = 0;
    let sumY = 0;
    for (let i = g * size; i < (g + 1) * size; i++) {
      const p = prob(x, i, fromLogits, threshold);
      inter += p * y[i];
      sumP += p;
      sumY += y[i];
    }
    sum += numerator(kind, inter, eps) / denominator(kind, inter, sumP, sumY, eps);
  }
  return sum / groups;
}

// The per-element passes of `overlapLoss`, each its own function with nothing after its loop:
// V8 compiles a long loop on-stack mid-call, and code after it without type feedback would
// deoptimise on every call. Sums go to sums[at, at + 3) = Σpy, Σp, Σy.

function probabilityOverlapSums(
  x: FloatArray,
  y: FloatArray,
  start: number,
  end: number,
  sums: Float64Array,
  at: number,
): void {
  let inter = 0;
  let sumP = 0;
  let sumY = 0;
  for (let i = start; i < end; i++) {
    const p = x[i];
    const yi = y[i];
    inter += p * yi;
    sumP += p;
    sumY += yi;
  }
  sums[at] = inter;
  sums[at + 1] = sumP;
  sums[at + 2] = sumY;
}

function logitOverlapSums(
  x: FloatArray,
  y: FloatArray,
  start: number,
  end: number,
  sums: Float64Array,
  at: number,
): void {
  let inter = 0;
  let sumP = 0;
  let sumY = 0;
  for (let i = start; i < end; i++) {
    const p = sigmoid(x[i]);
    const yi = y[i];
    inter += p * yi;
    sumP += p;
    sumY += yi;
  }
  sums[at] = inter;
  sums[at + 1] = sumP;
  sums[at + 2] = sumY;
}

/**
 * The first pass of `overlapLoss`: Σpy, Σp, Σy of group g at [3g, 3g + 3) of the result (p = σ(x)
 * with logits). Where `sumsCheckRanges` holds it is the WebAssembly SIMD kernel (float64 sums in
 * another order, σ to 1e-15), which also flags a value outside [0, 1]; once every group is
 * summed, the loss's fused `checks` are absorbed, or run on a flag (they throw naming the first
 * offender, or pass, for a −0 the kernel cannot tell from a negative). The JavaScript loops
 * check nothing: the boundary checked their inputs. (A plain function as `checks` is the former
 * protocol: called on a flag only.)
 */
export function overlapGroupSums(
  x: FloatArray,
  y: FloatArray,
  groups: number,
  fromLogits: boolean,
  checks: FusedChecks | (() => void) | null = null,
): Float64Array {
  const sums = new Float64Array(3 * groups);
  const size = groups === 0 ? 0 : x.length / groups;
  const simd = sumsCheckRanges(x, y, groups);
  let flagged = false;
  for (let g = 0; g < groups; g++) {
    const start = g * size;
    const end = start + size;
    const inRange = simd
      ? simdOverlapSums(x as Float32Array, y as Float32Array, start, end, fromLogits, sums, 3 * g)
      : null;
    if (inRange === null) {
      if (fromLogits) logitOverlapSums(x, y, start, end, sums, 3 * g);
      else probabilityOverlapSums(x, y, start, end, sums, 3 * g);
    }
    if (simd && inRange !== true) flagged = true;
  }
  if (typeof checks === 'function') {
    if (flagged) checks();
  } else if (checks !== null && simd) {
    if (flagged) checks.run();
    else checks.absorb();
  }
  return sums;
}

/**
 * grad[i] += slope·yᵢ + offset (probabilities: ∂p/∂x = 1); float32 through the WebAssembly
 * SIMD kernel (float32 arithmetic, a few ulps), which overwrites without reading when
 * `gradIsZero`.
 */
function addProbabilityOverlapGrad(
  y: FloatArray,
  start: number,
  end: number,
  slope: number,
  offset: number,
  grad: FloatArray,
  gradIsZero: boolean,
): void {
  if (
    grad instanceof Float32Array &&
    y instanceof Float32Array &&
    end - start >= OVERLAP_SIMD_MIN_LENGTH &&
    simdAddOverlapGrad(y, start, end, slope, offset, grad, gradIsZero) !== null
  )
    return;
  for (let i = start; i < end; i++) grad[i] += slope * y[i] + offset;
}

/**
 * grad[i] += (slope·yᵢ + offset)·σ(xᵢ)σ(−xᵢ), with σ(x)σ(−x) = e/(1 + e)² for e = e^(−|x|);
 * float32 through the WebAssembly SIMD kernel (within the last bit), as for probabilities.
 */
function addLogitOverlapGrad(
  x: FloatArray,
  y: FloatArray,
  start: number,
  end: number,
  slope: number,
  offset: number,
  grad: FloatArray,
  gradIsZero: boolean,
): void {
  if (
    grad instanceof Float32Array &&
    x instanceof Float32Array &&
    y instanceof Float32Array &&
    end - start >= OVERLAP_SIMD_MIN_LENGTH &&
    simdAddLogitOverlapGrad(x, y, start, end, slope, offset, grad, gradIsZero) !== null
  )
    return;
  for (let i = start; i < end; i++) {
    const e = expNonPositive(-Math.abs(x[i]));
    const inverse = 1 / (1 + e);
    grad[i] += (slope * y[i] + offset) * e * inverse * inverse;
  }
}

/**
 * Whether the overlap gradient pass writes every element of a float32 gradient buffer without
 * reading it (so that it needs no zero-fill first): probabilities, float32 input and target, and
 * groups long enough for the SIMD kernel, whose set route (`gradIsZero`) then writes each
 * element once; a weight of 0 writes zeros (`overlapLossFromSums`).
 */
export function overlapGradOverwrites(
  input: Tensor,
  target: Tensor,
  groups: number,
  fromLogits: boolean,
): boolean {
  return (
    !fromLogits &&
    groups > 0 &&
    input.data instanceof Float32Array &&
    target.data instanceof Float32Array &&
    input.size / groups >= OVERLAP_SIMD_MIN_LENGTH &&
    overlapSimdAvailable()
  );
}

/**
 * The overlap loss, mean over groups of 1 − score, and (when `grad` is non-null) adds
 * `weight`·∂loss/∂x into it: `overlapGroupSums` over every group first (its range checks throw
 * before anything is written), then `overlapLossFromSums`.
 */
export function overlapLoss(
  kind: Overlap,
  x: FloatArray,
  y: FloatArray,
  groups: number,
  eps: number,
  fromLogits: boolean,
  weight: number,
  grad: FloatArray | null,
  gradIsZero = false,
  checks: FusedChecks | (() => void) | null = null,
): number {
  const sums = overlapGroupSums(x, y, groups, fromLogits, checks);
  return overlapLossFromSums(kind, sums, x, y, groups, eps, fromLogits, weight, grad, gradIsZero);
}

/**
 * The overlap loss from the sums of `overlapGroupSums`, and (when `grad` is non-null) adds
 * `weight`·∂loss/∂x into it. Per group, with n = numerator, d = denominator and s = n/d the score:
 * Dice ∂s/∂pⱼ = (2yⱼ − s)/d, IoU ∂s/∂pⱼ = ((1 + s)yⱼ − s)/d; with logits times
 * σ(x)σ(−x), which underflows to 0 (not NaN) for logits of ±1e4. `gradIsZero`: the caller
 * knows `grad` holds zeros (its own fresh buffer), so float32 kernels may write instead of add.
 */
export function overlapLossFromSums(
  kind: Overlap,
  sums: Float64Array,
  x: FloatArray,
  y: FloatArray,
  groups: number,
  eps: number,
  fromLogits: boolean,
  weight: number,
  grad: FloatArray | null,
  gradIsZero = false,
): number {
  if (groups === 0) return 0;
  const size = x.length / groups;
  let lossSum = 0;
  for (let g = 0; g < groups; g++) {
    const start = g * size;
    const end = start + size;
    const inter = sums[3 * g];
    const num = numerator(kind, inter, eps);
    const den = denominator(kind, inter, sums[3 * g + 1], sums[3 * g + 2], eps);
    const score = num / den;
    lossSum += 1 - score;
    if (grad === null) continue;
    if (weight === 0) {
      // No gradient; a buffer that `overlapGradOverwrites` left unfilled still gets its zeros.
      if (gradIsZero) grad.fill(0, start, end);
      continue;
    }
    // ∂s/∂pⱼ·d is affine in yⱼ, with s = n/d: Dice 2yⱼ − s, IoU (1 + s)·yⱼ − s. Divided by d once
    // (not by d²), so that no factor overflows for an ε as large as 1e308; |∂s/∂pⱼ| ≤ 2/ε, which
    // `epsOption`'s lower bound keeps finite in float32.
    const scale = -weight / (groups * den);
    const slope = scale * (kind === 'dice' ? 2 : 1 + score);
    if (fromLogits) addLogitOverlapGrad(x, y, start, end, slope, -scale * score, grad, gradIsZero);
    else addProbabilityOverlapGrad(y, start, end, slope, -scale * score, grad, gradIsZero);
  }
  return lossSum / groups;
}

/** PyTorch's smallest p(1 − p) in the BCE gradient. */
const BCE_GRAD_FLOOR = 1e-12;

/**
 * Mean binary cross-entropy over every element, and (when `grad` is non-null) adds
 * `weight`·∂/∂x into it. Probabilities follow torch `binary_cross_entropy` (logs clamped at −100,
 * gradient (p − y)/max(p(1 − p), 1e-12)); logits use (1 − y)·softplus(x) + y·softplus(−x),
 * finite for any finite logit, with gradient σ(x) − y. An empty input gives 0.
 */
export function bceMean(
  x: FloatArray,
  y: FloatArray,
  fromLogits: boolean,
  weight: number,
  grad: FloatArray | null,
): number {
  const n = x.length;
  if (n === 0) return 0;
  const w = weight / n;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    const yi = y[i];
    if (fromLogits) {
      total += (1 - yi) * softplus(xi) + yi * softplus(-xi);
      if (grad !== null) grad[i] += w * (sigmoid(xi) - yi);
    } else {
      total -= yi * clampedLog(xi) + (1 - yi) * clampedLog(1 - xi);
      if (grad !== null) {
        const v = xi * (1 - xi);
        grad[i] += (w * (xi - yi)) / Math.max(v, BCE_GRAD_FLOOR);
      }
    }
  }
  return total / n;
}
