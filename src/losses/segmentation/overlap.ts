import {
  OVERLAP_SIMD_MIN_LENGTH,
  simdAddLogitOverlapGrad,
  simdAddOverlapGrad,
  simdOverlapSums,
} from '../../kernels/wasm/overlap.js';
import type { FloatArray, Tensor } from '../../tensor/index.js';
import { clampedLog, expNonPositive, sigmoid, softplus } from '../math.js';
import { booleanOption, enumOption, numberOption } from '../options.js';
import { requireMinRank, requireSameShape, requireUnitInterval } from '../validate.js';

/**
 * The shared machinery of the segmentation losses and scores: overlap sums per group, the Dice
 * and IoU ratios with their derivatives, and torch's BCE mean. Kernels allocate nothing.
 */

/** Which overlap ratio. */
export type Overlap = 'dice' | 'iou';
/** `'batch'`: one score over every element; `'sample'`: the mean of one score per index of the first axis. */
export type Aggregate = 'batch' | 'sample';

export const epsOption = () => numberOption(1e-5, { above: 0 });
export const fromLogitsOption = () => booleanOption(false);
export const aggregateOption = () => enumOption(['batch', 'sample'] as const, 'batch');
export const alphaOption = () => numberOption(0.5, { min: 0, max: 1 });

/**
 * Boundary checks of every segmentation loss and score. `'sample'` needs a first (batch) axis;
 * `'batch'` pools every element, so it also takes a 0-d input.
 */
export function validateSegmentation(
  name: string,
  input: Tensor,
  target: Tensor,
  options: { readonly fromLogits: boolean; readonly aggregate: Aggregate },
  inputName = 'input',
): void {
  if (options.aggregate === 'sample')
    requireMinRank(name, inputName, input, 1, "[N, ...] for aggregate 'sample'");
  requireSameShape(name, inputName, input, 'target', target);
  if (!options.fromLogits) requireUnitInterval(name, inputName, input);
  requireUnitInterval(name, 'target', target, 'target value');
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
// deoptimise on every call. Sums go to `sums` = [Σpy, Σp, Σy].

function probabilityOverlapSums(
  x: FloatArray,
  y: FloatArray,
  start: number,
  end: number,
  sums: Float64Array,
): void {
  // float32: the WebAssembly SIMD kernel (float64 sums in another order), where it runs.
  if (
    x instanceof Float32Array &&
    y instanceof Float32Array &&
    end - start >= OVERLAP_SIMD_MIN_LENGTH &&
    simdOverlapSums(x, y, start, end, false, sums) !== null
  )
    return;
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
  sums[0] = inter;
  sums[1] = sumP;
  sums[2] = sumY;
}

function logitOverlapSums(
  x: FloatArray,
  y: FloatArray,
  start: number,
  end: number,
  sums: Float64Array,
): void {
  // float32: the WebAssembly SIMD kernel (float64 σ, sums in another order), where it runs.
  if (
    x instanceof Float32Array &&
    y instanceof Float32Array &&
    end - start >= OVERLAP_SIMD_MIN_LENGTH &&
    simdOverlapSums(x, y, start, end, true, sums) !== null
  )
    return;
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
  sums[0] = inter;
  sums[1] = sumP;
  sums[2] = sumY;
}

/**
 * grad[i] += slope·yᵢ + offset (probabilities: ∂p/∂x = 1); float32 through the WebAssembly
 * SIMD kernel (the same bits), which overwrites without reading when `gradIsZero`.
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
 * The overlap loss, mean over groups of 1 − score, and (when `grad` is non-null) adds
 * `weight`·∂loss/∂x into it. Per group, with n = numerator and d = denominator of the score:
 * Dice ∂s/∂pⱼ = (2yⱼ·d − n)/d², IoU ∂s/∂pⱼ = (yⱼ·d − n(1 − yⱼ))/d²; with logits times
 * σ(x)σ(−x), which underflows to 0 (not NaN) for logits of ±1e4. `gradIsZero`: the caller
 * knows `grad` holds zeros (its own fresh buffer), so float32 kernels may write instead of add.
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
): number {
  if (groups === 0) return 0;
  const size = x.length / groups;
  const sums = new Float64Array(3);
  let lossSum = 0;
  for (let g = 0; g < groups; g++) {
    const start = g * size;
    const end = start + size;
    if (fromLogits) logitOverlapSums(x, y, start, end, sums);
    else probabilityOverlapSums(x, y, start, end, sums);
    const num = numerator(kind, sums[0], eps);
    const den = denominator(kind, sums[0], sums[1], sums[2], eps);
    lossSum += 1 - num / den;
    if (grad === null || weight === 0) continue;
    // ∂s/∂pⱼ·d² is affine in yⱼ: Dice 2d·yⱼ − n, IoU (d + n)·yⱼ − n.
    const scale = -weight / (groups * den * den);
    const slope = scale * (kind === 'dice' ? 2 * den : den + num);
    if (fromLogits) addLogitOverlapGrad(x, y, start, end, slope, -scale * num, grad, gradIsZero);
    else addProbabilityOverlapGrad(y, start, end, slope, -scale * num, grad, gradIsZero);
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
