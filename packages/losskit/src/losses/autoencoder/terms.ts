import { type DType, type FloatArray, formatIndex, LossInputError, type Tensor } from '../../tensor/index.js';
import { clampedLog, LARGEST_FINITE } from '../math.js';
import { enumOption } from '../options.js';
import { requireMinRank, requireSameShape, requireUnitInterval } from '../validate.js';

/**
 * The kernels shared by `reconstruction`, `vaeKl` and `vaeLoss`: each is written once here and
 * called with the weights of whichever reduction the caller applies. A kernel returns the
 * float64 sum of its element terms, writes them to `units` when given, and sets
 * `grad[i] = weight_i · ∂ℓᵢ` with weight_i = scale (times `upstream[i]` when given).
 */

/** The element-wise reconstruction losses. */
export const reconstructionKinds = ['mse', 'l1', 'bce'] as const;
export type ReconstructionKind = (typeof reconstructionKinds)[number];

/** The option choosing a reconstruction kind; a bad value lists the valid ones. */
export const reconstructionKindOption = () => enumOption(reconstructionKinds, 'mse');

interface ElementTerm {
  value(xhat: number, x: number): number;
  slope(xhat: number, x: number): number;
}

/** PyTorch's BCE gradient floor: (p − y) / max(p(1 − p), 1e-12), also where the log is clamped. */
const BCE_EPS = 1e-12;

const elementTerms: Readonly<Record<ReconstructionKind, ElementTerm>> = {
  // (x̂ − x)², torch mse_loss.
  mse: { value: (p, y) => (p - y) * (p - y), slope: (p, y) => 2 * (p - y) },
  // |x̂ − x|, torch l1_loss: gradient sign(x̂ − x), 0 at 0.
  l1: { value: (p, y) => Math.abs(p - y), slope: (p, y) => Math.sign(p - y) },
  // −(x·log x̂ + (1 − x)·log(1 − x̂)), logs clamped at −100, torch binary_cross_entropy.
  bce: {
    value: (p, y) => -(y * clampedLog(p) + (1 - y) * clampedLog(1 - p)),
    slope: (p, y) => (p - y) / Math.max(p * (1 - p), BCE_EPS),
  },
};

/** Σ ℓ(x̂ᵢ, xᵢ) for the given kind; see the module comment for `units` and `grad`. */
export function reconstructionSum(
  kind: ReconstructionKind,
  xhat: FloatArray,
  x: FloatArray,
  units: FloatArray | null,
  grad: FloatArray | null,
  scale: number,
  upstream: FloatArray | null,
): number {
  const term = elementTerms[kind];
  let total = 0;
  for (let i = 0; i < xhat.length; i++) {
    const l = term.value(xhat[i], x[i]);
    total += l;
    if (units !== null) units[i] = l;
    if (grad !== null)
      grad[i] = (upstream === null ? scale : scale * upstream[i]) * term.slope(xhat[i], x[i]);
  }
  return total;
}

/** Same shapes; for 'bce', the reconstruction is a probability and the target lies in [0, 1]. */
export function validateReconstruction(
  loss: string,
  kind: ReconstructionKind,
  input: Tensor,
  target: Tensor,
): void {
  requireSameShape(loss, 'input', input, 'target', target);
  if (kind === 'bce') {
    requireUnitInterval(loss, 'input', input);
    requireUnitInterval(loss, 'target', target, 'target');
  }
}

/**
 * Each KL term ½(exp(lv) + μ² − 1 − lv) and its gradients are finite in `dtype` (the result's):
 * a log-variance above log(largest) ≈ 709.78 (88.72 for float32) has a variance exp(lv) that
 * overflows, and |μ| above √largest ≈ 1.34e154 (1.84e19) a square that does. Either is an error
 * naming the argument, the value and its index, not an infinite loss (the true KL is not
 * representable there). Callers skip it where the KL term is not computed (β = 0).
 */
export function requireRepresentableLatents(loss: string, mu: Tensor, logVar: Tensor, dtype: DType): void {
  const largest = LARGEST_FINITE[dtype];
  const maxLogVar = Math.log(largest);
  const maxMu = Math.sqrt(largest);
  const lv = logVar.data;
  for (let i = 0; i < lv.length; i++) {
    if (lv[i] > maxLogVar) {
      throw new LossInputError(
        loss,
        'logVar',
        `${lv[i]} at index ${formatIndex(i, logVar.shape)} is above ${maxLogVar.toFixed(2)}, where the variance exp(logVar) overflows ${dtype}`,
      );
    }
  }
  const m = mu.data;
  for (let i = 0; i < m.length; i++) {
    if (Math.abs(m[i]) > maxMu) {
      throw new LossInputError(
        loss,
        'mu',
        `${m[i]} at index ${formatIndex(i, mu.shape)} is beyond ±${maxMu.toPrecision(3)}, where μ² overflows ${dtype}`,
      );
    }
  }
}

/**
 * Σ ½(exp(lvᵢ) + μᵢ² − 1 − lvᵢ), the KL divergence of N(μ, exp(lv)) from N(0, 1) summed over
 * every element; ∂/∂μ = μ, ∂/∂lv = ½(exp(lv) − 1). Finite for the inputs that
 * `requireRepresentableLatents` accepts (a sum of many near-overflow terms aside).
 * `gradMu` and `gradLogVar` are both null or both set.
 */
export function gaussianKlSum(
  mu: FloatArray,
  logVar: FloatArray,
  units: FloatArray | null,
  gradMu: FloatArray | null,
  gradLogVar: FloatArray | null,
  scale: number,
  upstream: FloatArray | null,
): number {
  let total = 0;
  for (let i = 0; i < mu.length; i++) {
    const m = mu[i];
    const lv = logVar[i];
    const variance = Math.exp(lv);
    const l = 0.5 * (variance + m * m - 1 - lv);
    total += l;
    if (units !== null) units[i] = l;
    if (gradMu !== null && gradLogVar !== null) {
      const w = upstream === null ? scale : scale * upstream[i];
      gradMu[i] = w * m;
      gradLogVar[i] = w * 0.5 * (variance - 1);
    }
  }
  return total;
}

/** `mu` is `[N, Z, ...]` and `logVar` has exactly its shape. */
export function validateLatents(loss: string, mu: Tensor, logVar: Tensor): void {
  requireMinRank(loss, 'mu', mu, 2, '[N, Z]');
  requireSameShape(loss, 'mu', mu, 'logVar', logVar);
}
