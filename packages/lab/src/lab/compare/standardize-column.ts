// Standardising one column without overflow: values near 1e300 square to Infinity, so the mean and
// the spread are computed on the column divided by its largest magnitude (every value then lies in
// [-1, 1]) and only the final scale is multiplied back.

/** A column in standard units, and the size of one unit in the data's own units. */
export interface StandardizedColumn {
  /** `(x - mean) / std` for every row, the mean and std taken over the training rows. */
  readonly values: Float64Array;
  /** Data units per standard unit: the training rows' standard deviation (for a constant column, its largest magnitude). */
  readonly scale: number;
}

/**
 * Standardises `values` with the mean and (population) standard deviation of the rows listed in
 * `trainRows`, robustly: the statistics are computed on `values / max|values|`, so finite values
 * of any magnitude (up to ±1.7e308) give finite results (the scaled values lie in [-1, 1] and a
 * non-zero spread of them is at least ~1e-162, so every standard value stays below ~1e163). A
 * column constant on the training rows is centred and divided by its largest magnitude instead.
 * The unit `max|values|` cancels out of `(x − mean) / std`, so taking it over every row (the
 * held-out ones too) tells the training statistics nothing about the held-out rows.
 *
 * @example
 * standardizeColumn(Float64Array.of(1e300, -1e300), [0, 1]); // values [1, -1], scale 1e300
 */
export function standardizeColumn(values: Float64Array, trainRows: ArrayLike<number>): StandardizedColumn {
  let unit = 0;
  for (const v of values) unit = Math.max(unit, Math.abs(v));
  if (unit === 0) return { values: new Float64Array(values.length), scale: 1 };
  let mean = 0;
  for (let i = 0; i < trainRows.length; i++) mean += values[trainRows[i]] / unit;
  mean /= trainRows.length;
  let variance = 0;
  for (let i = 0; i < trainRows.length; i++) variance += (values[trainRows[i]] / unit - mean) ** 2;
  const spread = Math.sqrt(variance / trainRows.length);
  const std = spread > 0 ? spread : 1;
  return { values: Float64Array.from(values, (v) => (v / unit - mean) / std), scale: unit * std };
}
