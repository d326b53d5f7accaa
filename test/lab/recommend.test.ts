import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labEvidence, measured } from '../../packages/losskit/src/guide/index.js';
import { losses, recommend, selectionTable, selectRow, tasks } from '../../packages/losskit/src/index.js';

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
  assert.equal(first({ task: 'binary', imbalanced: true }).loss, 'binaryCrossEntropyWithLogits');
  assert.deepEqual(first({ task: 'binary', imbalanced: true }).optionsFromData, {
    posWeight: 'negatives / positives',
  });
  assert.equal(first({ task: 'segmentation' }).loss, 'bceDice');
  assert.equal(first({ task: 'segmentation', imbalanced: true }).loss, 'dice');
  assert.equal(first({ task: 'segmentation', metric: 'iou' }).loss, 'iou');
  assert.equal(first({ task: 'metric-learning' }).loss, 'triplet');
  assert.equal(first({ task: 'distillation' }).loss, 'klDivergence');
  assert.equal(first({ task: 'gan' }).loss, 'wganCritic');
  assert.equal(first({ task: 'rl' }).loss, 'ppoClip');
});

test('Catalogue II part A serves its situations: counts, intervals, variance, alignment, recall, noisy labels', () => {
  const first = (query: Parameters<typeof recommend>[0]) => recommend(query)[0];
  assert.equal(first({ task: 'regression', target: 'counts' }).loss, 'poissonNll');
  assert.deepEqual(first({ task: 'regression', target: 'intervals' }).options, { quantile: [0.05, 0.95] });
  assert.equal(first({ task: 'regression', target: 'intervals' }).loss, 'quantile');
  assert.equal(first({ task: 'regression', target: 'variance' }).loss, 'gaussianNll');
  assert.equal(first({ task: 'sequence', target: 'unaligned' }).loss, 'ctc');
  assert.equal(first({ task: 'segmentation', metric: 'recall' }).loss, 'tversky');
  const tversky = first({ task: 'segmentation', metric: 'recall' }).options;
  assert.ok(Number(tversky.beta) > Number(tversky.alpha), 'false negatives weigh more than false positives');
  // A target kind that has no row for the task falls back to the task's base row.
  assert.deepEqual(selectRow({ task: 'binary', target: 'counts' }).when, { task: 'binary' });
  assert.throws(
    () => recommend({ task: 'regression', target: 'ordinal' as never }),
    /unknown target kind 'ordinal'; the kinds are: counts, intervals, variance, unaligned/,
  );
  // Each new loss names a task, so `recommend` lists it for that task even outside its row.
  for (const [loss, task] of [
    ['logCosh', 'regression'],
    ['hinge', 'binary'],
    ['multiMargin', 'multiclass'],
    ['multiLabelSoftMargin', 'multilabel'],
    ['marginRanking', 'ranking'],
    ['cosineEmbedding', 'metric-learning'],
    ['ctc', 'sequence'],
    ['tversky', 'segmentation'],
  ] as const)
    assert.ok(
      recommend({ task }).some((s) => s.loss === loss),
      `${loss} is suggested for ${task}`,
    );
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

test("imbalanced binary follows the lab: posWeight first, then focal with α = 0.75, never torchvision's α = 0.25", () => {
  for (const query of [
    { task: 'binary', imbalanced: true },
    { task: 'binary', imbalanced: true, metric: 'recall' },
  ] as const) {
    const [firstChoice, second] = recommend(query);
    assert.equal(firstChoice.loss, 'binaryCrossEntropyWithLogits');
    assert.deepEqual(firstChoice.optionsFromData, { posWeight: 'negatives / positives' });
    assert.equal(firstChoice.evidence?.variant, 'bce-pos-weight');
    assert.equal(second.loss, 'focal');
    assert.deepEqual(second.options, { alpha: 0.75, gamma: 2 });
  }
  const multilabel = recommend({ task: 'multilabel', imbalanced: true });
  assert.equal(multilabel[0].loss, 'binaryCrossEntropyWithLogits');
  for (const row of selectionTable.filter((r) => r.when.imbalanced))
    for (const choice of row.choose)
      assert.notDeepEqual(choice.options, { alpha: 0.25, gamma: 2 }, `row ${JSON.stringify(row.when)}`);
});

test("the explanation cites the lab's numbers: posWeight's recall against BCE's, and α = 0.25's lowered recall", () => {
  const [posWeight, focal] = recommend({ task: 'binary', imbalanced: true });
  const recall = (variant: string) => String(measured('imbalanced-binary', variant, 'recall'));
  assert.ok(
    posWeight.reason.includes(
      `minority recall ${recall('bce-pos-weight')} against plain BCE's ${recall('bce')}`,
    ),
  );
  assert.ok(focal.reason.includes(`lowered recall to ${recall('focal')}`));
  assert.match(posWeight.reason, /lab, imbalanced-binary, seed 1/);
  assert.deepEqual(posWeight.evidence, {
    experiment: 'imbalanced-binary',
    seed: 1,
    quick: false,
    variant: 'bce-pos-weight',
    label: 'BCE + posWeight',
    metrics: Object.fromEntries(
      Object.entries(labEvidence['imbalanced-binary'].variants['bce-pos-weight'].metrics).map(([id, v]) => [
        labEvidence['imbalanced-binary'].metricLabels[id],
        v,
      ]),
    ),
    command: 'losskit lab --only imbalanced-binary',
  });
});

test("where the lab measured a row, its measured choices are ranked best first by the row's metric", () => {
  const ranked = selectionTable.filter((r) => r.rankedBy !== undefined);
  assert.ok(ranked.length >= 3, 'the imbalanced binary rows are ranked by the lab');
  for (const row of ranked) {
    const by = row.rankedBy;
    if (by === undefined) continue;
    const values = row.choose
      .filter((c) => c.evidence?.experiment === by.experiment)
      .map((c) => measured(by.experiment, c.evidence?.variant ?? '', by.metric));
    assert.ok(values.length >= 2, `row ${JSON.stringify(row.when)} ranks at least two measured choices`);
    assert.deepEqual(
      values,
      [...values].sort((a, b) => b - a),
      `row ${JSON.stringify(row.when)} is in descending ${by.metric}`,
    );
  }
});

test("a choice citing the lab is the lab's variant: same loss, same options, options from data alike", () => {
  for (const row of selectionTable) {
    for (const choice of row.choose) {
      if (choice.evidence === undefined) continue;
      const arm = labEvidence[choice.evidence.experiment]?.variants[choice.evidence.variant];
      assert.ok(arm, `${JSON.stringify(choice.evidence)} exists`);
      assert.equal(choice.loss, arm.loss);
      assert.deepEqual(choice.options ?? {}, arm.options);
      assert.deepEqual(choice.optionsFromData ?? {}, arm.optionsFromData ?? {});
    }
  }
});
