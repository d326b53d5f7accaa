import { probabilityBceGrad } from './binaryTerms.js';

/**
 * Slopes of the sigmoid focal loss divided by α_t, shared by focal's JavaScript paths. With q the
 * probability of the wrong answer, CE the binary cross-entropy and q^γ its focal factor:
 * ∂(CE·q^γ) = q^γ·∂CE + γ(1 − 2y)·CE·q^(γ−1)·(∂q/∂p)·(∂p/∂input), the second term written with
 * q^(γ−1) = q^γ/q folded into a bounded ratio so that no factor overflows or divides by zero
 * (γ up to 1e308, q down to 5e-324). Where q = 0 (p equals a hard target) the slope is 0.
 */

/**
 * ∂/∂x of CE·q^γ on a logit x, with p = σ(x), r = σ(−x), q = y·r + (1 − y)·p and qg = q^γ:
 * qg[(1 − y)p − y·r] + γ(1 − 2y)·(CE·pr/q)·qg. pr/q ≤ max(p, r) ≤ 1 and CE·pr/q stays below 1
 * (CE grows like |x| where pr falls like e^(−|x|)), so γ multiplies a bounded number.
 */
export function logitFocalSlope(
  p: number,
  r: number,
  q: number,
  qg: number,
  ce: number,
  y: number,
  gamma: number,
): number {
  const bce = qg * ((1 - y) * p - y * r);
  if (gamma === 0 || q === 0) return bce;
  return bce + gamma * (1 - 2 * y) * (ce * ((p * r) / q) * qg);
}

/**
 * ∂/∂p of CE·q^γ on a probability p, with q = y(1 − p) + (1 − y)p, qg = q^γ and CE torch's
 * clamped binary cross-entropy: qg·CE′ + γ(1 − 2y)·(CE/q)·qg, CE′ PyTorch's gradient. CE/q is at
 * most 100 (the log clamp) for hard targets and bounded by it for soft ones (q ≥ min(y, 1 − y)).
 */
export function probabilityFocalSlope(
  p: number,
  q: number,
  qg: number,
  ce: number,
  y: number,
  gamma: number,
): number {
  const bce = qg * probabilityBceGrad(p, y);
  if (gamma === 0 || q === 0) return bce;
  return bce + gamma * (1 - 2 * y) * ((ce / q) * qg);
}
