import { clampedLog, LOG_CLAMP, softplus } from '../math.js';

/**
 * Per-element binary cross-entropy terms and their derivatives, shared by the binary losses
 * (and reusable by any loss with a BCE part). Scalar, allocation-free, no validation.
 */

/** PyTorch's floor under p(1 − p) in the gradient of `F.binary_cross_entropy`. */
export const BCE_GRAD_EPS = 1e-12;

/**
 * −[y log p + (1 − y) log(1 − p)] with each log clamped at −100, as torch
 * `F.binary_cross_entropy` computes it; log(1 − p) is taken as log1p(−p).
 */
export function probabilityBce(p: number, y: number): number {
  return -(y * clampedLog(p) + (1 - y) * Math.max(Math.log1p(-p), LOG_CLAMP));
}

/**
 * ∂/∂p of `probabilityBce` as PyTorch defines it, (p − y) / max(p(1 − p), 1e-12), also where the
 * log is clamped (so p = 0 with y = 1 gives −1e12, not the 0 of the clamped value).
 */
export function probabilityBceGrad(p: number, y: number): number {
  return (p - y) / Math.max(p * (1 - p), BCE_GRAD_EPS);
}

/**
 * BCE of a logit, −[y log σ(x) + (1 − y) log σ(−x)], written as (1 − y)·softplus(x) + y·softplus(−x):
 * two non-negative terms, so there is no cancellation and logits of ±1e4 stay exact.
 */
export function logitBce(x: number, y: number): number {
  return (1 - y) * softplus(x) + y * softplus(-x);
}
