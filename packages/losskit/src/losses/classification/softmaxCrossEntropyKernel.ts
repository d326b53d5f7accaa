import { simdOneHotApplies, simdOneHotCrossEntropy } from '../../kernels/wasm/softmax.js';
import type { FloatArray, Tensor } from '../../tensor/index.js';
import { allFinite } from '../../tensor/tensor-like.js';
import { expNonPositive } from '../math.js';
import type { ReductionPlan } from '../reduce.js';

/**
 * The row kernels every cross-entropy in losskit shares (categorical, sparse, token and
 * label-smoothing cross-entropy). A "row" is one position's C scores along the last axis and a
 * target distribution q over the same C classes. q need not sum to 1: class weights and
 * label smoothing are folded into it, so one kernel serves every variant.
 *
 * Nothing here validates or allocates per row; callers allocate scratch once per call.
 */

/** Lower clip of probability inputs (Keras' epsilon): log(p) becomes log(max(p, 1e-7)). */
export const PROBABILITY_CLIP = 1e-7;
const LOG_PROBABILITY_CLIP = Math.log(PROBABILITY_CLIP);

/**
 * ℓ = −Σ_c q_c log softmax(x)_c for the logits x[offset … offset+C), and, when `grad` is
 * given, ∂ℓ/∂x_c = (Σq)·softmax(x)_c − q_c scaled by `gradScale`, written into the same slots.
 * With `zLoss` z > 0, PaLM's z-loss z·lse² (lse = log Σ exp x_c) is added to ℓ and
 * 2z·lse·softmax(x)_c to the gradient.
 *
 * Stability: with m = max x and s = Σ exp(x_c − m), ℓ = (Σq)·log s − Σ q_c (x_c − m), a sum of
 * non-negative terms, finite for logits of any finite size; lse = m + log s. `exps` is
 * caller-owned scratch of at least C elements (it keeps exp(x_c − m) between the value and
 * gradient passes).
 */
export function softmaxCrossEntropyRow(
  x: FloatArray,
  offset: number,
  classes: number,
  q: ArrayLike<number>,
  qOffset: number,
  exps: Float64Array,
  grad: FloatArray | null,
  gradScale: number,
  zLoss = 0,
): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < classes; c++) {
    const v = x[offset + c];
    if (v > max) max = v;
  }
  let expSum = 0;
  let qSum = 0;
  let qDotShifted = 0;
  for (let c = 0; c < classes; c++) {
    const shifted = x[offset + c] - max;
    const e = expNonPositive(shifted);
    exps[c] = e;
    expSum += e;
    const w = q[qOffset + c];
    qSum += w;
    // A class of weight 0 adds nothing, also where x_c − m overflows to −∞ (logits of ±1e308),
    // which would otherwise make 0·(−∞) = NaN.
    if (w !== 0) qDotShifted += w * shifted;
  }
  const logExpSum = Math.log(expSum);
  // z-loss: lse = m + log s; it adds z·lse² and moves 2z·lse of softmax mass into the gradient.
  const lse = zLoss === 0 ? 0 : max + logExpSum;
  if (grad !== null) {
    const softmaxScale = (gradScale * (qSum + 2 * zLoss * lse)) / expSum;
    for (let c = 0; c < classes; c++) grad[offset + c] = softmaxScale * exps[c] - gradScale * q[qOffset + c];
  }
  const crossEntropy = qSum * logExpSum - qDotShifted;
  return zLoss === 0 ? crossEntropy : crossEntropy + zLoss * lse * lse;
}

/**
 * The one-hot case of `softmaxCrossEntropyRow` (q = w·onehot(label), no smoothing):
 * ℓ = w·(log s − (x_label − m)) and ∂ℓ/∂x_c = gradScale·w·(softmax(x)_c − [c = label]).
 * The exponentials are parked in `grad` itself and rescaled in place, so no scratch is touched
 * and the row is read twice and written once.
 */
export function oneHotSoftmaxCrossEntropyRow(
  x: FloatArray,
  offset: number,
  classes: number,
  label: number,
  weight: number,
  grad: FloatArray | null,
  gradScale: number,
): number {
  const end = offset + classes;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = offset; i < end; i++) {
    const v = x[i];
    if (v > max) max = v;
  }
  let expSum = 0;
  if (grad === null) {
    for (let i = offset; i < end; i++) expSum += expNonPositive(x[i] - max);
  } else {
    for (let i = offset; i < end; i++) {
      const e = expNonPositive(x[i] - max);
      grad[i] = e;
      expSum += e;
    }
    const k = (gradScale * weight) / expSum;
    for (let i = offset; i < end; i++) grad[i] *= k;
    grad[offset + label] -= gradScale * weight;
  }
  return weight * (Math.log(expSum) - (x[offset + label] - max));
}

/**
 * ℓ = −Σ_c q_c log(clip(p_c, 1e-7, 1)) for the probabilities p[offset … offset+C) (Keras'
 * `from_logits=False`, no renormalisation), and ∂ℓ/∂p_c = −q_c / p_c scaled by `gradScale`,
 * 0 where the clip is active (p_c < 1e-7; p = 1 keeps its gradient).
 */
export function clippedProbabilityCrossEntropyRow(
  p: FloatArray,
  offset: number,
  classes: number,
  q: ArrayLike<number>,
  qOffset: number,
  grad: FloatArray | null,
  gradScale: number,
): number {
  let loss = 0;
  for (let c = 0; c < classes; c++) {
    const pc = p[offset + c];
    const w = q[qOffset + c];
    if (pc < PROBABILITY_CLIP) {
      loss -= w * LOG_PROBABILITY_CLIP;
      if (grad !== null) grad[offset + c] = 0;
    } else {
      loss -= w * Math.log(pc);
      if (grad !== null) grad[offset + c] = (-gradScale * w) / pc;
    }
  }
  return loss;
}

/** What the reducible kernels pass through to a cross-entropy driver. */
interface DriverArgs {
  readonly fromLogits: boolean;
  readonly plan: ReductionPlan;
  /** Per-row losses for `'none'`, else null. */
  readonly units: FloatArray | null;
  /** Gradient with respect to the scores, else null. */
  readonly grad: FloatArray | null;
  /** PaLM's z-loss coefficient (logits only): z·lse² per counted row. Default 0 (off). */
  readonly zLoss?: number;
}

/**
 * Cross-entropy of every row of `input` [..., C] against the dense target rows of `target`
 * (same shape), smoothed as y' = y(1 − α) + α/C. Returns Σ of the row losses.
 */
export function denseCrossEntropy(
  input: Tensor,
  target: Tensor,
  smoothing: number,
  args: DriverArgs,
): number {
  const { fromLogits, plan, units, grad } = args;
  const x = input.data;
  const y = target.data;
  const classes = input.shape[input.shape.length - 1];
  const rows = x.length / classes;
  const smoothed = smoothing === 0 ? null : new Float64Array(classes);
  const exps = fromLogits ? new Float64Array(classes) : null;
  const keep = 1 - smoothing;
  const spread = smoothing / classes;
  const up = plan.upstream;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const offset = r * classes;
    let q: ArrayLike<number> = y;
    let qOffset = offset;
    if (smoothed !== null) {
      for (let c = 0; c < classes; c++) smoothed[c] = y[offset + c] * keep + spread;
      q = smoothed;
      qOffset = 0;
    }
    const scale = up === null ? plan.scale : plan.scale * up[r];
    const loss =
      exps !== null
        ? softmaxCrossEntropyRow(x, offset, classes, q, qOffset, exps, grad, scale)
        : clippedProbabilityCrossEntropyRow(x, offset, classes, q, qOffset, grad, scale);
    total += loss;
    if (units !== null) units[r] = loss;
  }
  return total;
}

/**
 * The target distribution of an integer label y over C classes, as the sparse losses build it:
 * q_c = base_c + [c = y]·trueCoefficient·w_y, with w the class weights (ones when absent).
 *
 * - torch `label_smoothing = α` with weights w: base_c = (α/C)·w_c, trueCoefficient = 1 − α.
 * - 'others' smoothing: base_c = α/(C − 1), trueCoefficient = 1 − α − α/(C − 1).
 */
export interface LabelDistribution {
  readonly base: Float64Array;
  readonly trueCoefficient: number;
  readonly classWeight: FloatArray | null;
  /** Labels equal to this value contribute nothing (value 0, gradient 0). */
  readonly ignoreIndex: number | undefined;
}

/** Base vector of torch's label smoothing with optional class weights: (α/C)·w_c. */
export function torchSmoothingBase(
  classes: number,
  smoothing: number,
  classWeight: FloatArray | null,
): Float64Array {
  const base = new Float64Array(classes);
  for (let c = 0; c < classes; c++)
    base[c] = (smoothing / classes) * (classWeight === null ? 1 : classWeight[c]);
  return base;
}

/**
 * Whether `labelCrossEntropy` of these logits takes the SIMD kernel, which checks each logit for
 * finiteness as it reads it (a non-finite one makes the sum NaN): the loss's `finiteCheckedBy`.
 * The kernel takes a z-loss too (where it cannot, `labelCrossEntropy` scans the logits itself).
 */
export function labelKernelChecksLogits(input: Tensor, fromLogits: boolean, smoothing: number): boolean {
  return fromLogits && smoothing === 0 && simdOneHotApplies(input.data, input.shape[input.shape.length - 1]);
}

/**
 * Cross-entropy of every row of `input` [..., C] against integer labels [...], each label
 * expanded to its distribution without materialising it: one scratch copy of the base vector
 * gets the label's share added before its row and restored after. With `zLoss` above 0 (logits
 * only), every counted row also gets z·lse² (ignored rows get nothing). Returns Σ of the row
 * losses.
 */
export function labelCrossEntropy(
  input: Tensor,
  labels: Tensor,
  target: LabelDistribution,
  args: DriverArgs,
): number {
  const { fromLogits, plan, units, grad } = args;
  const zLoss = fromLogits ? (args.zLoss ?? 0) : 0;
  const { base, trueCoefficient, classWeight, ignoreIndex } = target;
  const x = input.data;
  const y = labels.data;
  const classes = input.shape[input.shape.length - 1];
  const up = plan.upstream;
  let total = 0;
  const oneHot = fromLogits && isZero(base);
  // Large float32 logits: the WebAssembly SIMD kernel, with or without a z-loss.
  const simdRuns = oneHot && simdOneHotApplies(x, classes) && (grad === null || grad instanceof Float32Array);
  if (simdRuns) {
    const simd = simdOneHotCrossEntropy({
      x,
      classes,
      labels: y,
      ignoreIndex,
      classWeight,
      trueCoefficient,
      scale: plan.scale,
      upstream: up,
      units,
      grad,
      zLoss,
    });
    if (simd !== null) return simd;
    if (zLoss !== 0) {
      // A softmax coefficient beyond float32 (zLoss or upstream near its range): the rows below,
      // over a gradient cleared of the kernel's partial rows (it may be a reused, unfilled buffer),
      // and a scan of the logits, which the loss's boundary left to the kernel.
      grad?.fill(0);
      if (!allFinite(x)) return Number.NaN;
    }
  }
  if (oneHot && zLoss === 0) {
    for (let r = 0; r < y.length; r++) {
      const label = y[r];
      if (label === ignoreIndex) continue;
      const weight = trueCoefficient * (classWeight === null ? 1 : classWeight[label]);
      const scale = up === null ? plan.scale : plan.scale * up[r];
      const loss = oneHotSoftmaxCrossEntropyRow(x, r * classes, classes, label, weight, grad, scale);
      total += loss;
      if (units !== null) units[r] = loss;
    }
    return total;
  }
  // Scratch of the general rows only (the one-hot paths above need none).
  const q = base.slice();
  const exps = fromLogits ? new Float64Array(classes) : null;
  for (let r = 0; r < y.length; r++) {
    const label = y[r];
    if (label === ignoreIndex) continue; // units and grads are zero-filled
    const offset = r * classes;
    q[label] = base[label] + trueCoefficient * (classWeight === null ? 1 : classWeight[label]);
    const scale = up === null ? plan.scale : plan.scale * up[r];
    const loss =
      exps !== null
        ? softmaxCrossEntropyRow(x, offset, classes, q, 0, exps, grad, scale, zLoss)
        : clippedProbabilityCrossEntropyRow(x, offset, classes, q, 0, grad, scale);
    q[label] = base[label];
    total += loss;
    if (units !== null) units[r] = loss;
  }
  return total;
}

/** Whether every entry is 0 (a loop: no closure per call). */
function isZero(v: Float64Array): boolean {
  for (let i = 0; i < v.length; i++) if (v[i] !== 0) return false;
  return true;
}

/**
 * The divisor of a sparse `'mean'`: Σ w_y over the labels that are not ignored (their count
 * when there are no class weights), as torch's weighted cross-entropy divides.
 */
export function countedLabelWeight(
  labels: Tensor,
  classWeight: FloatArray | null,
  ignoreIndex: number | undefined,
): number {
  const y = labels.data;
  let sum = 0;
  for (let r = 0; r < y.length; r++) {
    const label = y[r];
    if (label === ignoreIndex) continue;
    sum += classWeight === null ? 1 : classWeight[label];
  }
  return sum;
}
