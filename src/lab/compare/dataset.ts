// A user's table (from a CSV file) turned into numbers for `losskit compare`, with errors that name
// the line and the column of the offending cell.

/** Rows of text cells under a header, with the source line of each row. */
export interface TextTable {
  /** Shown in errors, e.g. the file name. */
  readonly source: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** 1-based line number of each row in the source. */
  readonly lines: readonly number[];
}

export type CompareTask = 'regression' | 'binary' | 'multiclass';
export const compareTasks: readonly CompareTask[] = ['regression', 'binary', 'multiclass'];

/** Numeric features and a target, ready to train on. */
export interface Dataset {
  readonly featureNames: readonly string[];
  /** One row of numbers per example. */
  readonly features: readonly Float64Array[];
  /** Regression: the value; binary: 0/1; multiclass: the class index. */
  readonly target: Float64Array;
  /** Class names for binary and multiclass targets, in index order. */
  readonly classes?: readonly string[];
}

/** A problem in the user's data: the message names the source, the line and the column. */
export class DataError extends Error {
  override readonly name = 'DataError';
}

const sortClasses = (values: Iterable<string>) =>
  [...values].sort((a, b) => {
    const na = Number(a);
    const nb = Number(b);
    return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a.localeCompare(b);
  });

/**
 * Converts a table: the target column by name, every other column a numeric feature. Empty and
 * non-numeric feature cells, a missing target column and an unsuitable target are errors.
 */
export function tableToDataset(table: TextTable, targetName: string, task: CompareTask): Dataset {
  const where = (row: number, column: number) =>
    `${table.source}, line ${table.lines[row]}, column ${column + 1} ('${table.header[column]}')`;
  const targetColumn = table.header.indexOf(targetName);
  if (targetColumn === -1) {
    throw new DataError(
      `${table.source} has no column '${targetName}'; its columns are: ${table.header.join(', ')}`,
    );
  }
  if (table.header.length < 2)
    throw new DataError(`${table.source} needs at least one feature column besides '${targetName}'`);
  const minimum = 10;
  if (table.rows.length < minimum) {
    throw new DataError(
      `${table.source} has ${table.rows.length} data row(s); compare needs at least ${minimum} to hold some out`,
    );
  }
  const featureColumns = table.header.map((_, i) => i).filter((i) => i !== targetColumn);
  const features = table.rows.map((row, r) => {
    const out = new Float64Array(featureColumns.length);
    featureColumns.forEach((c, j) => {
      const cell = row[c];
      if (cell === '')
        throw new DataError(`${where(r, c)}: empty cell (compare does not impute missing values)`);
      const value = Number(cell);
      if (!Number.isFinite(value))
        throw new DataError(`${where(r, c)}: '${cell}' is not a number (feature columns must be numeric)`);
      out[j] = value;
    });
    return out;
  });
  const targetCells = table.rows.map((row, r) => {
    const cell = row[targetColumn];
    if (cell === '') throw new DataError(`${where(r, targetColumn)}: empty target`);
    return cell;
  });
  const featureNames = featureColumns.map((c) => table.header[c]);
  if (task === 'regression') {
    const target = new Float64Array(targetCells.length);
    targetCells.forEach((cell, r) => {
      const value = Number(cell);
      if (!Number.isFinite(value))
        throw new DataError(`${where(r, targetColumn)}: regression target '${cell}' is not a number`);
      target[r] = value;
    });
    return { featureNames, features, target };
  }
  const classes = sortClasses(new Set(targetCells));
  if (task === 'binary' && classes.length !== 2) {
    throw new DataError(
      `${table.source}: a binary target needs exactly 2 distinct values in column '${targetName}', found ${classes.length} (${classes.slice(0, 5).join(', ')}${classes.length > 5 ? ', …' : ''})`,
    );
  }
  if (task === 'multiclass' && classes.length < 2) {
    throw new DataError(
      `${table.source}: column '${targetName}' has a single class; there is nothing to classify`,
    );
  }
  const index = new Map(classes.map((c, i) => [c, i]));
  const target = Float64Array.from(targetCells, (cell) => index.get(cell) ?? 0);
  return { featureNames, features, target, classes };
}
