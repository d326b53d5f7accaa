// One seed's train/test split of a data set, standardised on its training rows.
import { type CompareTask, DataError, type Dataset } from './dataset.js';
import { standardizeColumn } from './standardize-column.js';

/** Row-major features in standard units and targets, for the training and the held-out rows. */
export interface HeldOutSplit {
  /** Features per row. */
  readonly width: number;
  readonly xTrain: Float64Array;
  readonly xTest: Float64Array;
  /** Regression: standard units; classification: class indices. */
  readonly yTrain: Float64Array;
  readonly yTest: Float64Array;
  /** Data units per standard unit of a regression target (1 for classification). */
  readonly targetScale: number;
}

/** How many of `rows` rows a `testFraction` holds out; an error when either side would be too small. */
export function heldOutCount(rows: number, testFraction: number): number {
  const test = Math.round(rows * testFraction);
  if (test < 1 || rows - test < 2) {
    throw new DataError(
      `a test fraction of ${testFraction} holds out ${test} of ${rows} rows; at least 1 must be held out and 2 left to train on`,
    );
  }
  return test;
}

/**
 * Splits `dataset` by `order` (a permutation of its rows: the first `testCount` are held out),
 * then standardises every feature column, and a regression target, with the training rows' mean
 * and standard deviation (see `standardizeColumn`).
 */
export function heldOutSplit(
  dataset: Dataset,
  task: CompareTask,
  order: Int32Array,
  testCount: number,
): HeldOutSplit {
  const testRows = order.subarray(0, testCount);
  const trainRows = order.subarray(testCount);
  const width = dataset.featureNames.length;
  const xTrain = new Float64Array(trainRows.length * width);
  const xTest = new Float64Array(testRows.length * width);
  const column = new Float64Array(dataset.features.length);
  for (let c = 0; c < width; c++) {
    dataset.features.forEach((row, r) => {
      column[r] = row[c];
    });
    const z = standardizeColumn(column, trainRows).values;
    trainRows.forEach((r, i) => {
      xTrain[i * width + c] = z[r];
    });
    testRows.forEach((r, i) => {
      xTest[i * width + c] = z[r];
    });
  }
  const target =
    task === 'regression'
      ? standardizeColumn(dataset.target, trainRows)
      : { values: dataset.target, scale: 1 };
  return {
    width,
    xTrain,
    xTest,
    yTrain: Float64Array.from(trainRows, (r) => target.values[r]),
    yTest: Float64Array.from(testRows, (r) => target.values[r]),
    targetScale: target.scale,
  };
}
