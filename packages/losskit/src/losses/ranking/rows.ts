import { formatShape, LossInputError, sameShape, type Tensor } from '../../tensor/index.js';

/**
 * Embedding inputs of the ranking losses are a batch of rows `[N, D]` or one unbatched row `[D]`
 * (as torch's `triplet_margin_loss` accepts). Throws unless `t` has rank 1 or 2.
 */
export function requireEmbeddings(loss: string, name: string, t: Tensor): void {
  if (t.rank !== 1 && t.rank !== 2) {
    throw new LossInputError(loss, name, `must have shape [N, D] or [D], got ${formatShape(t.shape)}`);
  }
}

/** The shape of one value per row: `[N]` for `[N, D]`, `[]` for an unbatched `[D]`. */
export const rowShape = (t: Tensor): readonly number[] => t.shape.slice(0, -1);

/** Length of a row (D). */
export const rowLength = (t: Tensor): number => t.shape[t.rank - 1];

/** `labels` must hold one value per row of `rows`: shape `[N]` for `[N, D]`, 0-d for `[D]`. */
export function requireRowLabels(
  loss: string,
  rowsName: string,
  rows: Tensor,
  labelName: string,
  labels: Tensor,
): void {
  const expected = rowShape(rows);
  if (!sameShape(expected, labels.shape)) {
    throw new LossInputError(
      loss,
      labelName,
      `shape ${formatShape(labels.shape)} does not match ${rowsName} shape ${formatShape(rows.shape)}: expected one label per row, ${formatShape(expected)}`,
    );
  }
}
