import { LossInputError } from '../tensor/errors.js';
import { formatShape, sameShape } from '../tensor/shape.js';

/**
 * Shape checks that read only shapes: they take anything with a `shape` (a core `Tensor`, a
 * TF.js tensor), so that the core and the TF.js adapter share one wording. Each throws a
 * `LossInputError` naming the loss, the argument and the problem.
 */

/** Anything with a shape: a core tensor, a TF.js tensor, a `{shape, data}` option. */
export interface Shaped {
  readonly shape: readonly number[];
}

/** `b` must have exactly `a`'s shape (no broadcasting between inputs). */
export function requireSameShape(loss: string, aName: string, a: Shaped, bName: string, b: Shaped): void {
  if (!sameShape(a.shape, b.shape)) {
    throw new LossInputError(
      loss,
      bName,
      `shape ${formatShape(b.shape)} does not match ${aName} shape ${formatShape(a.shape)}`,
    );
  }
}

/** `t` must have exactly `rank` axes. */
export function requireRank(loss: string, name: string, t: Shaped, rank: number, layout: string): void {
  if (t.shape.length !== rank)
    throw new LossInputError(loss, name, `must have shape ${layout}, got ${formatShape(t.shape)}`);
}

/** `t` must have at least `rank` axes. */
export function requireMinRank(loss: string, name: string, t: Shaped, rank: number, layout: string): void {
  if (t.shape.length < rank)
    throw new LossInputError(loss, name, `must have shape ${layout}, got ${formatShape(t.shape)}`);
}

/** Scores must have at least `minRank` axes and a non-empty class (last) axis. */
export function requireClassAxis(
  loss: string,
  name: string,
  scores: Shaped,
  minRank: number,
  layout: string,
): void {
  const rank = scores.shape.length;
  if (rank < minRank || scores.shape[rank - 1] === 0) {
    throw new LossInputError(
      loss,
      name,
      `must have shape ${layout} with at least one class, got ${formatShape(scores.shape)}`,
    );
  }
}

/** The label tensor must have the input's shape minus its last (class) axis. */
export function requireLabelShape(
  loss: string,
  inputName: string,
  input: Shaped,
  labelName: string,
  labels: Shaped,
): void {
  const expected = input.shape.slice(0, -1);
  if (!sameShape(expected, labels.shape)) {
    throw new LossInputError(
      loss,
      labelName,
      `shape ${formatShape(labels.shape)} does not match ${inputName} shape ${formatShape(input.shape)} without its class axis (${formatShape(expected)})`,
    );
  }
}
