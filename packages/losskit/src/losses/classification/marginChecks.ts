import { type DType, formatIndex, LossInputError, type Tensor } from '../../tensor/index.js';
import { LARGEST_FINITE } from '../math.js';

/**
 * Boundary checks of the margin losses (hinge, softMargin, multiLabelMargin, …) and the one
 * overflow check of their class-weighted gradients. Each throws a `LossInputError` naming the
 * loss, the argument and the problem; none runs inside a kernel's element loop.
 */

/**
 * Hinge labels: all in {−1, 1}, or all in {0, 1} (then read as 0 → −1, Keras's conversion). A
 * tensor of only 1s reads the same either way. Any other value, or 0s mixed with −1s, is an error.
 * Kernels then map each label with `signOfHingeLabel`.
 */
export function requireHingeLabels(loss: string, name: string, t: Tensor): void {
  const d = t.data;
  let zero = -1;
  let minusOne = -1;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (v === 0) {
      if (zero < 0) zero = i;
    } else if (v === -1) {
      if (minusOne < 0) minusOne = i;
    } else if (v !== 1) {
      throw new LossInputError(
        loss,
        name,
        `label ${v} at index ${formatIndex(i, t.shape)} must be -1 or 1 (or 0 or 1 for every label)`,
      );
    }
  }
  if (zero >= 0 && minusOne >= 0) {
    throw new LossInputError(
      loss,
      name,
      `mixes 0 (at index ${formatIndex(zero, t.shape)}) and -1 (at index ${formatIndex(minusOne, t.shape)}): labels must be all in {-1, 1} or all in {0, 1}`,
    );
  }
}

/** The ±1 sign of a label checked by `requireHingeLabels`: 0 → −1, ±1 unchanged. */
export function signOfHingeLabel(y: number): number {
  return y === 0 ? -1 : y;
}

/**
 * Multi-label targets [..., C]: integer class indices in [0, C), each row's list ended by its
 * first −1 (what follows it is padding, still an integer in [−1, C)).
 */
export function requirePaddedLabels(loss: string, name: string, t: Tensor, classes: number): void {
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (!Number.isInteger(v))
      throw new LossInputError(
        loss,
        name,
        `label ${v} at index ${formatIndex(i, t.shape)} is not an integer`,
      );
    if (v < -1 || v >= classes) {
      throw new LossInputError(
        loss,
        name,
        `label ${v} at index ${formatIndex(i, t.shape)} is outside [0, ${classes}) (or -1, which ends the row's list)`,
      );
    }
  }
}

/**
 * The largest gradient magnitude a `dtype` result holds. A class weight can make a gradient
 * exceed it while the value stays finite (a weight above 3.4e38 in a float32 call, or a weight
 * near 1e308 times a small margin violation): kernels compare a row's gradient against it.
 */
export const largestGradient = (dtype: DType): number => LARGEST_FINITE[dtype];

/** The error of a class-weighted gradient that the result's dtype cannot hold. */
export function weightedGradientOverflow(loss: string, gradient: number, dtype: DType): LossInputError {
  return new LossInputError(
    loss,
    'options.weight',
    `gives a gradient of ${gradient} in ${dtype}, beyond what ${dtype} holds (an overflow); rescale the class weights`,
  );
}
