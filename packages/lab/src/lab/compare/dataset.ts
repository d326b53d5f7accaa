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
  /** The target column's name, for messages (default 'target'). */
  readonly targetName?: string;
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
  /** A feature column that could simply be left out to get past the problem (a non-numeric one). */
  readonly column?: string;

  constructor(message: string, options: { readonly column?: string } = {}) {
    super(message);
    if (options.column !== undefined) this.column = options.column;
  }
}

/** Which columns are features (default: every column but the target). */
export interface ColumnChoice {
  /** Use only these columns as features. */
  readonly columns?: readonly string[];
  /** Use every column but these (and the target) as features. */
  readonly ignore?: readonly string[];
}

const sortClasses = (values: Iterable<string>) =>
  [...values].sort((a, b) => {
    const na = Number(a);
    const nb = Number(b);
    return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a.localeCompare(b);
  });

const notFinite = (value: number) =>
  Number.isNaN(value) ? 'is not a number' : 'is not a finite number (beyond ±1.8e308)';

/** Indices of the feature columns `choice` selects, with an error for unknown or conflicting names. */
function featureColumnsOf(table: TextTable, targetColumn: number, choice: ColumnChoice): number[] {
  const target = table.header[targetColumn];
  if (choice.columns !== undefined && choice.ignore !== undefined)
    throw new DataError('give the columns to use or the columns to ignore, not both');
  const named = choice.columns ?? choice.ignore;
  if (named === undefined) return table.header.map((_, i) => i).filter((i) => i !== targetColumn);
  const role = choice.columns !== undefined ? 'columns to use' : 'columns to ignore';
  const unknown = named.filter((name) => !table.header.includes(name));
  if (unknown.length > 0) {
    throw new DataError(
      `${table.source} has no column ${unknown.map((n) => `'${n}'`).join(', ')} (among the ${role}); its columns are: ${table.header.join(', ')}`,
    );
  }
  if (named.includes(target))
    throw new DataError(`'${target}' is the target; it cannot be among the ${role}`);
  const columns = table.header
    .map((_, i) => i)
    .filter((i) => i !== targetColumn && named.includes(table.header[i]) === (choice.columns !== undefined));
  if (columns.length === 0)
    throw new DataError(`${table.source}: no feature column is left besides the target '${target}'`);
  return columns;
}

/**
 * Converts a table: the target column by name; the feature columns are every other column, or
 * those `choice` names. Empty and non-numeric feature cells, a missing target column, unknown
 * column names and an unsuitable target are `DataError`s naming the line and the column.
 *
 * @example
 * tableToDataset(table, 'price', 'regression', { ignore: ['id'] });
 */
export function tableToDataset(
  table: TextTable,
  targetName: string,
  task: CompareTask,
  choice: ColumnChoice = {},
): Dataset {
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
  const featureColumns = featureColumnsOf(table, targetColumn, choice);
  const minimum = 10;
  if (table.rows.length < minimum) {
    throw new DataError(
      `${table.source} has ${table.rows.length} data row(s); compare needs at least ${minimum} to hold some out`,
    );
  }
  const features = table.rows.map((row, r) => {
    const out = new Float64Array(featureColumns.length);
    featureColumns.forEach((c, j) => {
      const cell = row[c];
      const column = table.header[c];
      if (cell === '')
        throw new DataError(`${where(r, c)}: empty cell (compare does not impute missing values)`, {
          column,
        });
      const value = Number(cell);
      if (!Number.isFinite(value))
        throw new DataError(
          `${where(r, c)}: '${cell}' ${notFinite(value)} (feature columns must be numeric)`,
          {
            column,
          },
        );
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
        throw new DataError(`${where(r, targetColumn)}: regression target '${cell}' ${notFinite(value)}`);
      target[r] = value;
    });
    return { targetName, featureNames, features, target };
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
  return { targetName, featureNames, features, target, classes };
}
