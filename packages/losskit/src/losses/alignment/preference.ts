// The pieces the preference-optimisation losses share: the shape check of paired inputs and the
// logistic preference term with label smoothing.
import type { Tensor } from '../../tensor/index.js';
import { sigmoid, softplus } from '../math.js';
import { requireSameShape } from '../validate.js';

/**
 * ℓ(z) = −(1 − ε)·log σ(z) − ε·log σ(−z) = (1 − ε)·softplus(−z) + ε·softplus(z): the logistic
 * loss of a preference margin z whose label is flipped with probability ε (conservative DPO).
 */
export const smoothedLogistic = (z: number, eps: number): number =>
  (1 - eps) * softplus(-z) + eps * softplus(z);

/** dℓ/dz of `smoothedLogistic`: −(1 − ε)·σ(−z) + ε·σ(z). */
export const smoothedLogisticSlope = (z: number, eps: number): number =>
  -(1 - eps) * sigmoid(-z) + eps * sigmoid(z);

/** Every named input has the shape of the first (per-pair values, usually [N]). */
export function requirePairedShapes(
  loss: string,
  t: Readonly<Record<string, Tensor>>,
  names: readonly string[],
): void {
  const [first, ...rest] = names;
  for (const name of rest) requireSameShape(loss, first, t[first], name, t[name]);
}
