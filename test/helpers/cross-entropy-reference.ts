// Test support for the cross-entropy and KL tests: textbook reference formulas (written
// independently of the fused kernel) and fast-check generators of scores, labels and
// distributions. Test code: it lives in test/helpers, outside the packages.
import fc from 'fast-check';

/** log softmax of one row, the direct way: x_c − log Σ exp(x_k), with the max subtracted. */
export function referenceLogSoftmax(row: readonly number[]): number[] {
  const max = Math.max(...row);
  const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
  return row.map((v) => v - lse);
}

/** Splits flat row-major data into rows of `classes` values. */
export function rowsOf(data: ArrayLike<number>, classes: number): number[][] {
  const rows: number[][] = [];
  for (let r = 0; r < data.length / classes; r++)
    rows.push(Array.from({ length: classes }, (_, c) => data[r * classes + c]));
  return rows;
}

/** Per-row −Σ_c q_c log softmax(x)_c against explicit target rows. */
export function referenceCrossEntropy(logits: readonly number[][], targets: readonly number[][]): number[] {
  return logits.map((row, r) => {
    const logp = referenceLogSoftmax(row);
    return -logp.reduce((s, l, c) => s + targets[r][c] * l, 0);
  });
}

/** The one-hot row of `label` over `classes` classes. */
export function oneHot(label: number, classes: number): number[] {
  return Array.from({ length: classes }, (_, c) => (c === label ? 1 : 0));
}

export const sum = (values: readonly number[]): number => values.reduce((s, v) => s + v, 0);

/** Flat logits of `rows` × `classes` in [−bound, bound]. */
const logitsOf = (rows: number, classes: number, bound = 20) =>
  fc.array(fc.double({ min: -bound, max: bound, noNaN: true }), {
    minLength: rows * classes,
    maxLength: rows * classes,
  });

/** A batch of logits [rows, classes] with one integer label per row. */
export const scoresAndLabels = (maxRows = 5, maxClasses = 6) =>
  fc
    .record({ rows: fc.integer({ min: 1, max: maxRows }), classes: fc.integer({ min: 1, max: maxClasses }) })
    .chain(({ rows, classes }) =>
      fc.record({
        rows: fc.constant(rows),
        classes: fc.constant(classes),
        logits: logitsOf(rows, classes),
        labels: fc.array(fc.integer({ min: 0, max: classes - 1 }), { minLength: rows, maxLength: rows }),
      }),
    );

/** A batch of logits [rows, classes] with a probability row (summing to 1) per row. */
export const scoresAndDistributions = (maxRows = 4, maxClasses = 6) =>
  fc
    .record({ rows: fc.integer({ min: 1, max: maxRows }), classes: fc.integer({ min: 1, max: maxClasses }) })
    .chain(({ rows, classes }) =>
      fc.record({
        rows: fc.constant(rows),
        classes: fc.constant(classes),
        logits: logitsOf(rows, classes),
        weights: fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), {
          minLength: rows * classes,
          maxLength: rows * classes,
        }),
      }),
    )
    .map(({ rows, classes, logits, weights }) => ({
      rows,
      classes,
      logits,
      probabilities: normaliseRows(weights, classes),
    }));

/** Divides each row of `classes` values by its sum. */
export function normaliseRows(values: readonly number[], classes: number): number[] {
  return rowsOf(values, classes).flatMap((row) => {
    const total = sum(row);
    return row.map((v) => v / total);
  });
}
