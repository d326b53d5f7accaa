import { describeValue } from '../../tensor/errors.js';
import { type FloatArray, LossInputError } from '../../tensor/index.js';
import { expNonPositive } from '../math.js';
import type { OptionSpec } from '../options.js';
import { PROBABILITY_CLIP } from './softmaxCrossEntropyKernel.js';

const LOG_CLIP = Math.log(PROBABILITY_CLIP);

/**
 * The softmax focal loss shared by `categoricalFocal` (dense target rows) and
 * `sparseCategoricalFocal` (integer labels): per class c of a row,
 * ℓ_c = −α_c·y_c·(1 − p_c)^γ·log p_c, with p = softmax(x) (logits, log space) or the given
 * probabilities clipped to [1e-7, 1] (not renormalised). Row kernels over typed arrays: nothing
 * validated or allocated per row.
 *
 * Gradients keep (1 − p)^(γ−1) out of every product, writing it as (1 − p)^γ·(log p)/(1 − p):
 * (log p)/(1 − p) lies in [log(1e-7)/(1 − 1e-7), −1] for clipped probabilities, p·(log p)/(1 − p)
 * in [−1, 0] for softmax probabilities, and both tend to −1 where p = 1 (the limit PyTorch's
 * autograd misses, giving NaN there for γ < 1).
 */

/** `alpha`: one weight for every class, one per class ([C]), or null (no weighting). */
export type ClassAlpha = number | readonly number[] | null;

/** The `alpha` option: a number in [0, 1], a list of such numbers (one per class), or null. */
export function classAlphaOption(defaultValue: ClassAlpha): OptionSpec<ClassAlpha> {
  const accepts = 'a number in [0, 1], a list of numbers in [0, 1] (one per class), or null';
  const inUnit = (v: unknown): v is number => typeof v === 'number' && v >= 0 && v <= 1;
  return {
    default: defaultValue,
    accepts,
    parse(value, loss, name) {
      if (value === null || inUnit(value)) return value;
      const list =
        Array.isArray(value) || value instanceof Float64Array || value instanceof Float32Array
          ? Array.from(value as ArrayLike<unknown>)
          : null;
      if (list === null) {
        throw new LossInputError(loss, `options.${name}`, `must be ${accepts}, got ${describeValue(value)}`);
      }
      const bad = list.findIndex((v) => !inUnit(v));
      if (bad !== -1) {
        throw new LossInputError(
          loss,
          `options.${name}`,
          `entry ${bad} is ${describeValue(list[bad])}, but every class weight must be a number in [0, 1]`,
        );
      }
      return Object.freeze(list as number[]);
    },
  };
}

/** A list `alpha` holds one weight per class. */
export function requireClassAlpha(loss: string, alpha: ClassAlpha, classes: number): void {
  if (alpha !== null && typeof alpha !== 'number' && alpha.length !== classes) {
    throw new LossInputError(
      loss,
      'options.alpha',
      `must have ${classes} entries (one per class of the input's last axis), got ${alpha.length}`,
    );
  }
}

/** α_c for every class (ones for null), resolved once per call. */
export function alphaPerClass(alpha: ClassAlpha, classes: number): Float64Array {
  if (alpha === null) return new Float64Array(classes).fill(1);
  if (typeof alpha === 'number') return new Float64Array(classes).fill(alpha);
  return Float64Array.from(alpha);
}

/** (log p)/(1 − p), with its limit −1 at p = 1 (where both are 0). */
function logOverComplement(logP: number, complement: number): number {
  return complement === 0 ? -1 : logP / complement;
}

/**
 * The focal term's slope factor with respect to log p on the softmax path, divided by α·y:
 * h = (1 − p)^γ·(1 − γ·p·(log p)/(1 − p)), so that ∂ℓ_c/∂x_j = −α_c y_c h_c (δ_cj − p_j).
 * p·(log p)/(1 − p) is in [−1, 0], so γ multiplies a bounded number (γ up to 1e308).
 */
function softmaxFocalSlope(
  p: number,
  logP: number,
  complement: number,
  focal: number,
  gamma: number,
): number {
  if (gamma === 0) return focal;
  return focal * (1 - gamma * (p * logOverComplement(logP, complement)));
}

/**
 * ∂ℓ_c/∂p_c on the clipped-probability path, divided by α·y (p ≥ 1e-7):
 * (1 − p)^γ·(γ·(log p)/(1 − p) − 1/p). γ·(1 − p)^γ is taken first, so a huge γ meets a 0 factor
 * before it meets the bounded ratio.
 */
function probabilityFocalSlope(
  p: number,
  logP: number,
  complement: number,
  focal: number,
  gamma: number,
): number {
  if (gamma === 0) return -focal / p;
  return gamma * focal * logOverComplement(logP, complement) - focal / p;
}

/**
 * One row of logits x[offset … offset+C) against the dense target y[yOffset …]: returns
 * ℓ = −Σ_c α_c y_c (1 − p_c)^γ log p_c and, when `grad` is given, writes every entry of
 * ∂ℓ/∂x_j = gradScale·(p_j·Σ_c g_c − g_j), g_c = α_c y_c h_c. log p_c = x_c − m − log s and
 * 1 − p_c = −expm1(log p_c) (accurate at both ends), finite for logits of ±1e4. `exps` is
 * caller-owned scratch of at least C elements.
 */
export function softmaxFocalRow(
  x: FloatArray,
  offset: number,
  classes: number,
  y: FloatArray,
  yOffset: number,
  alpha: Float64Array,
  gamma: number,
  exps: Float64Array,
  grad: FloatArray | null,
  gradScale: number,
): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < classes; c++) if (x[offset + c] > max) max = x[offset + c];
  let expSum = 0;
  for (let c = 0; c < classes; c++) {
    const e = expNonPositive(x[offset + c] - max);
    exps[c] = e;
    expSum += e;
  }
  const logSum = Math.log(expSum);
  let loss = 0;
  let slopeSum = 0;
  for (let c = 0; c < classes; c++) {
    const w = alpha[c] * y[yOffset + c];
    // Weight 0 adds nothing, also where log p_c is −∞ (logits of ±1e308), which would give NaN.
    if (w === 0) {
      if (grad !== null) grad[offset + c] = 0;
      continue;
    }
    const logP = x[offset + c] - max - logSum;
    const complement = -Math.expm1(logP);
    const focal = complement ** gamma;
    loss -= w * focal * logP;
    if (grad !== null) {
      const g = w * softmaxFocalSlope(exps[c] / expSum, logP, complement, focal, gamma);
      grad[offset + c] = g;
      slopeSum += g;
    }
  }
  if (grad !== null) {
    const k = slopeSum / expSum;
    for (let c = 0; c < classes; c++) grad[offset + c] = gradScale * (k * exps[c] - grad[offset + c]);
  }
  return loss;
}

/**
 * One row of probabilities p[offset … offset+C) against the dense target y[yOffset …]:
 * ℓ = −Σ_c α_c y_c (1 − p̃_c)^γ log p̃_c with p̃ = clip(p, 1e-7, 1) (Keras' epsilon, no
 * renormalisation), and every gradient entry: 0 where the clip is active (p < 1e-7; p = 1 keeps
 * its gradient) or the weight is 0, else gradScale·α_c y_c·(1 − p)^γ·(γ·(log p)/(1 − p) − 1/p).
 */
export function clippedFocalRow(
  p: FloatArray,
  offset: number,
  classes: number,
  y: FloatArray,
  yOffset: number,
  alpha: Float64Array,
  gamma: number,
  grad: FloatArray | null,
  gradScale: number,
): number {
  let loss = 0;
  for (let c = 0; c < classes; c++) {
    const w = alpha[c] * y[yOffset + c];
    const pc = p[offset + c];
    if (w === 0 || pc < PROBABILITY_CLIP) {
      if (w !== 0) loss -= w * (1 - PROBABILITY_CLIP) ** gamma * LOG_CLIP;
      if (grad !== null) grad[offset + c] = 0;
      continue;
    }
    const logP = Math.log(pc);
    const complement = 1 - pc;
    const focal = complement ** gamma;
    loss -= w * focal * logP;
    if (grad !== null)
      grad[offset + c] = gradScale * w * probabilityFocalSlope(pc, logP, complement, focal, gamma);
  }
  return loss;
}

/**
 * One row of logits against the integer `label` with weight w = α_label: ℓ = −w(1 − p_y)^γ log p_y
 * and, when `grad` is given, every entry of ∂ℓ/∂x_j = gradScale·w·h_y·(p_j − [j = y]). The
 * exponentials are parked in `grad` and rescaled in place (no scratch). w = 0 gives 0 and
 * leaves `grad` untouched (the caller's zero-filled buffer).
 */
export function softmaxFocalLabelRow(
  x: FloatArray,
  offset: number,
  classes: number,
  label: number,
  w: number,
  gamma: number,
  grad: FloatArray | null,
  gradScale: number,
): number {
  if (w === 0) return 0;
  const end = offset + classes;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = offset; i < end; i++) if (x[i] > max) max = x[i];
  let expSum = 0;
  for (let i = offset; i < end; i++) {
    const e = expNonPositive(x[i] - max);
    if (grad !== null) grad[i] = e;
    expSum += e;
  }
  const shifted = x[offset + label] - max;
  const logP = shifted - Math.log(expSum);
  const complement = -Math.expm1(logP);
  const focal = complement ** gamma;
  if (grad !== null) {
    const g = gradScale * w * softmaxFocalSlope(Math.exp(logP), logP, complement, focal, gamma);
    const k = g / expSum;
    for (let i = offset; i < end; i++) grad[i] *= k;
    grad[offset + label] -= g;
  }
  return -w * focal * logP;
}

/**
 * One row of probabilities against the integer `label` with weight w = α_label: ℓ as
 * `clippedFocalRow` with a one-hot target; only the label's gradient entry is written (the
 * others stay the caller's zeros).
 */
export function clippedFocalLabelRow(
  p: FloatArray,
  offset: number,
  label: number,
  w: number,
  gamma: number,
  grad: FloatArray | null,
  gradScale: number,
): number {
  if (w === 0) return 0;
  const pc = p[offset + label];
  if (pc < PROBABILITY_CLIP) return -w * (1 - PROBABILITY_CLIP) ** gamma * LOG_CLIP;
  const logP = Math.log(pc);
  const complement = 1 - pc;
  const focal = complement ** gamma;
  if (grad !== null)
    grad[offset + label] = gradScale * w * probabilityFocalSlope(pc, logP, complement, focal, gamma);
  return -w * focal * logP;
}
