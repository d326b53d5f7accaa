import type { FloatArray } from '../../tensor/index.js';
import { clampedLog, sigmoid, softplus } from '../math.js';

/**
 * Building blocks of the adversarial losses. Every GAN objective here is a signed sum of
 * expectations E_x[term(D(x))], each a mean over its own tensor (real and fake batches may
 * differ in size), so one helper computes an expectation and its gradient and each loss file
 * only chooses terms and signs.
 */

/** A per-element term of an adversarial objective and its derivative with respect to D. */
export interface CriticTerm {
  value(d: number): number;
  slope(d: number): number;
}

/**
 * E[term(xᵢ)] = (1/n)·Σ term(xᵢ), accumulated in float64. When `grad` is non-null, adds
 * `weight`·term′(xᵢ)/n to `grad[i]` (the caller folds the upstream and the term's sign into
 * `weight`). An empty tensor has expectation 0 and contributes no gradient.
 */
export function expectation(
  x: FloatArray,
  term: CriticTerm,
  weight: number,
  grad: FloatArray | null,
): number {
  const n = x.length;
  if (n === 0) return 0;
  let total = 0;
  for (let i = 0; i < n; i++) total += term.value(x[i]);
  if (grad !== null) {
    const w = weight / n;
    for (let i = 0; i < n; i++) grad[i] += w * term.slope(x[i]);
  }
  return total / n;
}

/** The scalar upstream of a 0-d loss value (null means 1). */
export const scalarUpstream = (upstream: FloatArray | null): number => (upstream === null ? 1 : upstream[0]);

/** PyTorch's BCE gradient floor: ∂/∂p is (p − y) / max(p(1 − p), 1e-12), also where the log is clamped. */
const BCE_EPS = 1e-12;

/**
 * Binary cross-entropy of D's output against the label 1 ("this is real"): −log D.
 * Logits: softplus(−x) = −log σ(x), slope −σ(−x). Probabilities: torch's BCE, log clamped at
 * −100, slope (p − 1) / max(p(1 − p), 1e-12).
 */
export const labelOneTerm = (fromLogits: boolean): CriticTerm => (fromLogits ? logitLabelOne : probLabelOne);

/**
 * Binary cross-entropy of D's output against the label 0 ("this is fake"): −log(1 − D).
 * Logits: softplus(x), slope σ(x). Probabilities: torch's BCE, slope p / max(p(1 − p), 1e-12).
 */
export const labelZeroTerm = (fromLogits: boolean): CriticTerm =>
  fromLogits ? logitLabelZero : probLabelZero;

const logitLabelOne: CriticTerm = { value: (x) => softplus(-x), slope: (x) => -sigmoid(-x) };
const logitLabelZero: CriticTerm = { value: (x) => softplus(x), slope: (x) => sigmoid(x) };
const probLabelOne: CriticTerm = {
  value: (p) => -clampedLog(p),
  slope: (p) => (p - 1) / Math.max(p * (1 - p), BCE_EPS),
};
const probLabelZero: CriticTerm = {
  value: (p) => -clampedLog(1 - p),
  slope: (p) => p / Math.max(p * (1 - p), BCE_EPS),
};

/** ½(d − target)², slope d − target: the least-squares GAN term. */
export function halfSquaredDistanceTo(target: number): CriticTerm {
  return { value: (d) => 0.5 * (d - target) * (d - target), slope: (d) => d - target };
}

/** d itself, slope 1: the Wasserstein critic term. */
export const identityTerm: CriticTerm = { value: (d) => d, slope: () => 1 };

/** The hinge on a real sample, max(0, 1 − D); slope −1 where 1 − D > 0 (0 at the kink, as torch's relu). */
export const realHingeTerm: CriticTerm = {
  value: (d) => Math.max(0, 1 - d),
  slope: (d) => (1 - d > 0 ? -1 : 0),
};

/** The hinge on a generated sample, max(0, 1 + D); slope 1 where 1 + D > 0. */
export const fakeHingeTerm: CriticTerm = {
  value: (d) => Math.max(0, 1 + d),
  slope: (d) => (1 + d > 0 ? 1 : 0),
};
