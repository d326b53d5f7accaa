import { shownInUnitInterval } from '../kernels/wasm/float32.js';
import { formatIndex, LossInputError, type Tensor } from '../tensor/index.js';

// Checks that read only shapes live in shape-checks.ts, shared with the TF.js adapter.
export { requireLabelShape, requireMinRank, requireRank, requireSameShape } from './shape-checks.js';

/**
 * Boundary checks shared by the losses. Each throws a `LossInputError` naming the loss, the
 * argument and the problem; none runs inside a kernel.
 */

/** Every value in [0, 1] (probabilities; binary or soft targets). */
export function requireUnitInterval(loss: string, name: string, t: Tensor, what = 'probability'): void {
  const d = t.data;
  // Large float32 inputs: the WebAssembly SIMD probe (about 5× the scan's speed). Only an input
  // it cannot clear takes the scan, which names the first offender.
  if (shownInUnitInterval(d)) return;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (!(v >= 0 && v <= 1)) {
      throw new LossInputError(
        loss,
        name,
        `${what} ${v} at index ${formatIndex(i, t.shape)} is outside [0, 1]`,
      );
    }
  }
}

/** Every value exactly 0 or 1. */
export function requireZeroOne(loss: string, name: string, t: Tensor): void {
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (v !== 0 && v !== 1)
      throw new LossInputError(loss, name, `label ${v} at index ${formatIndex(i, t.shape)} must be 0 or 1`);
  }
}

/**
 * Every value exactly −1 or 1: the targets of softMargin and of torch's `margin_ranking_loss`,
 * `hinge_embedding_loss` and `cosine_embedding_loss`. Torch lets any other value through silently;
 * here it is an error naming its value and index.
 */
export function requireSignLabels(loss: string, name: string, t: Tensor): void {
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (v !== -1 && v !== 1)
      throw new LossInputError(loss, name, `label ${v} at index ${formatIndex(i, t.shape)} must be -1 or 1`);
  }
}

/** Every value ≤ 0: log-probabilities (a probability above 1 is an error, as for probabilities). */
export function requireLogProbabilities(loss: string, name: string, t: Tensor): void {
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    if (d[i] > 0)
      throw new LossInputError(
        loss,
        name,
        `log-probability ${d[i]} at index ${formatIndex(i, t.shape)} is above 0 (probability above 1)`,
      );
  }
}

/**
 * Every value an integer class index in [0, classes), or equal to `ignoreIndex` when given.
 * Returns the number of labels that are not ignored.
 */
export function requireLabels(
  loss: string,
  name: string,
  t: Tensor,
  classes: number,
  ignoreIndex?: number,
): number {
  const d = t.data;
  let counted = 0;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (ignoreIndex !== undefined && v === ignoreIndex) continue;
    if (!Number.isInteger(v))
      throw new LossInputError(
        loss,
        name,
        `label ${v} at index ${formatIndex(i, t.shape)} is not an integer`,
      );
    if (v < 0 || v >= classes) {
      const ignore = ignoreIndex === undefined ? '' : ` (or the ignoreIndex ${ignoreIndex})`;
      throw new LossInputError(
        loss,
        name,
        `label ${v} at index ${formatIndex(i, t.shape)} is outside [0, ${classes})${ignore}`,
      );
    }
    counted++;
  }
  return counted;
}
