import { type FloatArray, formatIndex, LossInputError, type Tensor } from '../../tensor/index.js';

/**
 * Boundary checks of the regression losses that the shared helpers (`validate.ts`) do not have.
 * Each throws a `LossInputError` naming the loss, the argument and the problem; none runs inside
 * a kernel loop.
 */

/** Every value ≥ 0 (−0 included): Poisson counts, rates, variances. `what` names one value. */
export function requireNonNegative(loss: string, name: string, t: Tensor, what: string): void {
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    if (d[i] < 0) {
      throw new LossInputError(loss, name, `${what} ${d[i]} at index ${formatIndex(i, t.shape)} is negative`);
    }
  }
}

/**
 * A gradient that a loss's kernel wrote may overflow where the value does not (a variance or a
 * rate near 0 divides it); the boundary scans gradients only for large upstreams, so such a loss
 * scans its own after the kernel. Throws a `LossInputError` naming `culprit`, with the first
 * non-finite entry and `hint`, the cure.
 */
export function requireFiniteGradient(
  loss: string,
  culprit: string,
  gradName: string,
  g: FloatArray,
  shape: readonly number[],
  dtype: string,
  hint: string,
): void {
  for (let i = 0; i < g.length; i++) {
    if (Number.isFinite(g[i])) continue;
    throw new LossInputError(
      loss,
      culprit,
      `the gradient grads.${gradName} is ${g[i]} at index ${formatIndex(i, shape)} in ${dtype} for these finite arguments (an overflow); ${hint}`,
    );
  }
}
