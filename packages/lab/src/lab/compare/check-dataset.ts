// What `compareLosses` needs of a data set it is handed directly (`tableToDataset` output always
// qualifies): consistent shapes, finite numbers, and class labels that match the task.
import { LossInputError } from 'losskit';
import type { CompareTask, Dataset } from './dataset.js';

/**
 * Throws a `LossInputError` naming `compareLosses`, the part of the data set and the problem when
 * `dataset` cannot be compared as `task`: rows of the wrong width, a non-finite value, a target
 * of another length, classes missing (or not 2 for a binary task), or a label that is not a class
 * index.
 */
export function checkDataset(dataset: Dataset, task: CompareTask): void {
  const fail = (argument: string, problem: string): never => {
    throw new LossInputError('compareLosses', `dataset.${argument}`, problem);
  };
  const width = dataset.featureNames.length;
  if (width === 0) fail('featureNames', 'needs at least one feature');
  dataset.features.forEach((row, r) => {
    if (row.length !== width) fail(`features[${r}]`, `has ${row.length} values for ${width} feature names`);
    const bad = row.findIndex((v) => !Number.isFinite(v));
    if (bad !== -1) fail(`features[${r}][${bad}]`, `must be a finite number, got ${row[bad]}`);
  });
  if (dataset.target.length !== dataset.features.length)
    fail('target', `has ${dataset.target.length} values for ${dataset.features.length} rows`);
  if (task === 'regression') {
    const bad = dataset.target.findIndex((v) => !Number.isFinite(v));
    if (bad !== -1) fail(`target[${bad}]`, `must be a finite number, got ${dataset.target[bad]}`);
    return;
  }
  const classes = dataset.classes?.length ?? 0;
  if (classes < 2 || (task === 'binary' && classes !== 2))
    fail(
      'classes',
      `a ${task} task needs ${task === 'binary' ? 'exactly 2' : 'at least 2'} class names, got ${classes}`,
    );
  const bad = dataset.target.findIndex((v) => !(Number.isInteger(v) && v >= 0 && v < classes));
  if (bad !== -1)
    fail(`target[${bad}]`, `must be a class index from 0 to ${classes - 1}, got ${dataset.target[bad]}`);
}
