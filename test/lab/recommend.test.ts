import assert from 'node:assert/strict';
import { test } from 'node:test';
import { losses, recommend, selectionTable, selectRow, tasks } from '../../src/index.js';

const registry: Readonly<Record<string, unknown>> = losses;

test("recommend returns the selection table's first choice for each row of the table", () => {
  for (const row of selectionTable) {
    const suggestions = recommend(row.when);
    assert.equal(suggestions[0].loss, row.choose[0].loss, `row ${JSON.stringify(row.when)}`);
    assert.deepEqual(
      suggestions.filter((s) => s.fromTable).map((s) => s.loss),
      row.choose.map((c) => c.loss),
      `row ${JSON.stringify(row.when)} keeps the table's ranking`,
    );
  }
});

test("the catalogue's key situations get the catalogue's losses", () => {
  const first = (query: Parameters<typeof recommend>[0]) => recommend(query)[0];
  assert.equal(first({ task: 'regression' }).loss, 'mse');
  assert.equal(first({ task: 'regression', outliers: true }).loss, 'huber');
  assert.deepEqual(first({ task: 'regression', outliers: true }).options, { delta: 1 });
  assert.equal(first({ task: 'binary' }).loss, 'binaryCrossEntropyWithLogits');
  assert.equal(first({ task: 'binary', imbalanced: true }).loss, 'focal');
  assert.deepEqual(first({ task: 'binary', imbalanced: true }).options, { alpha: 0.25, gamma: 2 });
  assert.equal(first({ task: 'multiclass', noisyLabels: true }).loss, 'labelSmoothingCrossEntropy');
  assert.equal(first({ task: 'segmentation' }).loss, 'bceDice');
  assert.equal(first({ task: 'segmentation', imbalanced: true }).loss, 'dice');
  assert.equal(first({ task: 'segmentation', metric: 'iou' }).loss, 'iou');
  assert.equal(first({ task: 'metric-learning' }).loss, 'triplet');
  assert.equal(first({ task: 'distillation' }).loss, 'klDivergence');
  assert.equal(first({ task: 'gan' }).loss, 'wganCritic');
  assert.equal(first({ task: 'rl' }).loss, 'ppoClip');
});

test("the most specific matching row wins, and conditions without a row fall back to the task's base row", () => {
  assert.deepEqual(selectRow({ task: 'binary', imbalanced: true, metric: 'recall' }).when, {
    task: 'binary',
    imbalanced: true,
    metric: 'recall',
  });
  assert.deepEqual(selectRow({ task: 'binary', imbalanced: true, metric: 'iou' }).when, {
    task: 'binary',
    imbalanced: true,
  });
  assert.deepEqual(selectRow({ task: 'gan', outliers: true }).when, { task: 'gan' });
});

test('every task has a base row and every loss the table names is in the registry', () => {
  for (const task of tasks) {
    assert.ok(
      selectionTable.some((r) => r.when.task === task && Object.keys(r.when).length === 1),
      `base row for ${task}`,
    );
  }
  for (const row of selectionTable) {
    for (const choice of row.choose)
      assert.ok(
        choice.loss in registry,
        `${choice.loss} (row ${JSON.stringify(row.when)}) is a registry loss`,
      );
  }
});

test("suggestions are ranked 1..n, carry a reason, and add the task's other registry losses after the table's", () => {
  const suggestions = recommend({ task: 'regression' });
  assert.deepEqual(
    suggestions.map((s) => s.rank),
    suggestions.map((_, i) => i + 1),
  );
  for (const s of suggestions) assert.ok(s.reason.length > 10 && s.title.length > 0);
  const firstOther = suggestions.findIndex((s) => !s.fromTable);
  assert.ok(firstOther > 0 && suggestions.slice(firstOther).every((s) => !s.fromTable));
  assert.equal(new Set(suggestions.map((s) => s.loss)).size, suggestions.length, 'no loss twice');
});

test('an unknown task or metric is an error listing the valid ones', () => {
  assert.throws(
    () => recommend({ task: 'clustering' as never }),
    /unknown task 'clustering'; the tasks are: regression, binary/,
  );
  assert.throws(
    () => recommend({ task: 'binary', metric: 'auc' as never }),
    /unknown metric 'auc'; the metrics are: .*pr-auc/,
  );
});
