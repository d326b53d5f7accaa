// `compareLosses` and its parts at module level: column choice, several seeds with baselines, the
// rule that names a best loss, overflow, and the text report.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { baselinesAhead, decideWinner } from '../../packages/lab/src/lab/compare/decide-winner.js';
import { formatMetricColumn } from '../../packages/lab/src/lab/compare/format-comparison.js';
import { heldOutCount } from '../../packages/lab/src/lab/compare/held-out-split.js';
import { summarizeSeeds } from '../../packages/lab/src/lab/compare/summarize-seeds.js';
import {
  type ComparisonResult,
  DataError,
  type Dataset,
  type MetricSpec,
  type TextTable,
  compareLosses,
  formatComparison,
  summarize,
  tableToDataset,
} from '../../packages/lab/src/lab/index.js';
import type { LossName } from '../../packages/losskit/src/losses/registry.js';
import { LossInputError } from '../../packages/losskit/src/tensor/index.js';

const mae: MetricSpec = { id: 'mae', label: 'MAE', better: 'lower' };
const accuracy: MetricSpec = { id: 'accuracy', label: 'accuracy', better: 'higher' };

const table: TextTable = {
  source: 'people.csv',
  header: ['id', 'name', 'age', 'height', 'weight'],
  rows: Array.from({ length: 12 }, (_, i) => [
    String(i + 1),
    `p${i}`,
    String(20 + i),
    String(150 + 2 * i),
    String(50 + 3 * i),
  ]),
  lines: Array.from({ length: 12 }, (_, i) => i + 2),
};

/** y = 2a − b + small wiggle, `rows` rows, optionally scaled by `scale` (features and target). */
function linearDataset(rows: number, scale = 1): Dataset {
  const features = Array.from({ length: rows }, (_, i) =>
    Float64Array.of(Math.sin(i) * 3 * scale, Math.cos(2 * i) * 2 * scale),
  );
  const target = Float64Array.from(features, (f, i) => 2 * f[0] - f[1] + 0.1 * Math.sin(7 * i) * scale);
  return { targetName: 'y', featureNames: ['a', 'b'], features, target };
}

test('tableToDataset uses only the --columns given, or every column but the ignored ones and the target', () => {
  const chosen = tableToDataset(table, 'weight', 'regression', { columns: ['height', 'age'] });
  assert.deepEqual(chosen.featureNames, ['age', 'height'], 'in file order');
  assert.deepEqual(Array.from(chosen.features[1]), [21, 152]);
  assert.equal(chosen.targetName, 'weight');
  const rest = tableToDataset(table, 'weight', 'regression', { ignore: ['id', 'name'] });
  assert.deepEqual(rest.featureNames, ['age', 'height']);
});

test('tableToDataset names unknown columns with the available ones, and rejects the target as a feature', () => {
  assert.throws(
    () => tableToDataset(table, 'weight', 'regression', { columns: ['age', 'size', 'colour'] }),
    (e: unknown) =>
      e instanceof DataError &&
      e.message ===
        "people.csv has no column 'size', 'colour' (among the columns to use); its columns are: id, name, age, height, weight",
  );
  assert.throws(
    () => tableToDataset(table, 'weight', 'regression', { ignore: ['nickname'] }),
    /people\.csv has no column 'nickname' \(among the columns to ignore\); its columns are: id, name/,
  );
  assert.throws(
    () => tableToDataset(table, 'weight', 'regression', { ignore: ['weight'] }),
    /'weight' is the target; it cannot be among the columns to ignore/,
  );
  assert.throws(
    () => tableToDataset(table, 'weight', 'regression', { columns: ['age'], ignore: ['id'] }),
    /give the columns to use or the columns to ignore, not both/,
  );
  assert.throws(
    () => tableToDataset(table, 'weight', 'regression', { ignore: ['id', 'name', 'age', 'height'] }),
    /people\.csv: no feature column is left besides the target 'weight'/,
  );
});

test('a non-numeric feature column is a DataError that carries the column, so the CLI can suggest --ignore', () => {
  assert.throws(
    () => tableToDataset(table, 'weight', 'regression'),
    (e: unknown) =>
      e instanceof DataError &&
      e.column === 'name' &&
      /people\.csv, line 2, column 2 \('name'\): 'p0' is not a number/.test(e.message),
  );
});

test('heldOutCount holds out the rounded fraction and refuses splits with nothing on a side', () => {
  assert.equal(heldOutCount(80, 0.25), 20);
  assert.throws(() => heldOutCount(40, 0.01), /a test fraction of 0\.01 holds out 0 of 40 rows/);
  assert.throws(
    () => heldOutCount(10, 0.9),
    /holds out 9 of 10 rows; at least 1 must be held out and 2 left/,
  );
});

test('compareLosses runs every seed from the first given, with mean ± spread for losses and baselines', () => {
  const result = compareLosses(linearDataset(40), {
    task: 'regression',
    seed: 0,
    seeds: 3,
    epochs: 2,
    hidden: [4, 3],
  });
  assert.deepEqual(result.seeds, [0, 1, 2]);
  assert.deepEqual(result.model, {
    layers: [2, 4, 3, 1],
    optimizer: 'Adam',
    learningRate: 0.01,
    epochs: 2,
    batchSize: 32,
  });
  assert.deepEqual(
    result.baselines.map((b) => b.id),
    ['constant', 'linear'],
  );
  for (const entry of [...result.candidates, ...result.baselines]) {
    for (const id of ['mae', 'rmse']) {
      const s = entry.summary[id];
      assert.equal(s.values.length, 3, `${entry.id} ${id}`);
      assert.ok(s.values.every(Number.isFinite), `${entry.id} ${id}: ${s.values}`);
      assert.equal(entry.metrics[id], s.mean);
      assert.ok(s.spread > 0, `${entry.id} ${id}: three different splits give different values`);
    }
  }
  const linear = result.baselines[1].metrics.mae;
  const constant = result.baselines[0].metrics.mae;
  assert.ok(linear < 0.2 * constant, `least squares fits the linear data: ${linear} vs constant ${constant}`);
  assert.ok(result.baselinesAhead.includes('linear'), 'two epochs of an MLP lose to least squares');
});

test('compareLosses measures data near 1e300 with finite metrics, 1e300 times those of the same data at 1', () => {
  const options = { task: 'regression', seeds: 2, epochs: 2 } as const;
  const plain = compareLosses(linearDataset(40), options);
  const huge = compareLosses(linearDataset(40, 1e300), options);
  const all = (r: ComparisonResult) => [...r.candidates, ...r.baselines];
  all(huge).forEach((entry, k) => {
    for (const id of ['mae', 'rmse']) {
      const expected = all(plain)[k].metrics[id];
      assert.ok(Number.isFinite(entry.metrics[id]) && Number.isFinite(entry.summary[id].spread));
      assert.ok(
        Math.abs(entry.metrics[id] / 1e300 - expected) <= 1e-6 * expected,
        `${entry.id} ${id}: ${entry.metrics[id]} vs ${expected}e300`,
      );
    }
  });
  assert.doesNotMatch(formatComparison(huge), /Infinity|NaN|undefined/);
});

test('compareLosses turns held-out errors beyond double precision into a DataError naming the target column', () => {
  const features = Array.from({ length: 20 }, (_, i) => Float64Array.of(i));
  const target = Float64Array.from({ length: 20 }, (_, i) => i * 1e306);
  features[19] = Float64Array.of(1e9);
  target[19] = -1.7e308;
  assert.throws(
    () =>
      compareLosses(
        { targetName: 'price', featureNames: ['x'], features, target },
        // With 18 of the 20 rows held out, seed 1 holds out the outlier the models extrapolate to.
        { task: 'regression', seeds: 1, epochs: 1, testFraction: 0.9 },
      ),
    (e: unknown) =>
      e instanceof DataError &&
      /^column 'price': the held-out MAE of .* is Infinity, not a finite number/.test(e.message),
  );
});

test('compareLosses rejects bad options with a LossInputError naming the option', () => {
  const data = linearDataset(20);
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ seed: -1 }, /compareLosses: options\.seed: must be a non-negative integer, got -1/],
    [{ seed: 1.5 }, /options\.seed: must be a non-negative integer/],
    [{ seeds: 0 }, /options\.seeds: must be an integer from 1 to 1000, got 0/],
    [{ seeds: 1001 }, /options\.seeds: must be an integer from 1 to 1000, got 1001/],
    [{ testFraction: 1 }, /options\.testFraction: must be a number in \(0, 1\), got 1/],
    [{ epochs: 0 }, /options\.epochs: must be an integer from 1 to 100000, got 0/],
    [
      { hidden: [] },
      /options\.hidden: must be 1 to 16 layer widths, each an integer from 1 to 4096, got \[\]/,
    ],
    [{ hidden: [8, 0] }, /options\.hidden: .* got \[8, 0\]/],
    [{ hidden: [1e9] }, /options\.hidden: .* got \[1000000000\]/],
  ];
  for (const [options, message] of cases) {
    assert.throws(
      () => compareLosses(data, { task: 'regression', ...options }),
      (e: unknown) => e instanceof LossInputError && message.test(e.message),
      JSON.stringify(options),
    );
  }
});

test('compareLosses rejects a data set that does not fit the task with a LossInputError naming the part', () => {
  const good = linearDataset(20);
  const cases: [Dataset, 'regression' | 'binary' | 'multiclass', RegExp][] = [
    [
      { ...good, featureNames: [] },
      'regression',
      /compareLosses: dataset\.featureNames: needs at least one feature/,
    ],
    [
      { ...good, features: [Float64Array.of(1), ...good.features.slice(1)] },
      'regression',
      /dataset\.features\[0\]: has 1 values for 2 feature names/,
    ],
    [
      { ...good, features: [Float64Array.of(1, Number.NaN), ...good.features.slice(1)] },
      'regression',
      /dataset\.features\[0\]\[1\]: must be a finite number, got NaN/,
    ],
    [
      { ...good, target: good.target.subarray(1) },
      'regression',
      /dataset\.target: has 19 values for 20 rows/,
    ],
    [good, 'binary', /dataset\.classes: a binary task needs exactly 2 class names, got 0/],
    [
      { ...good, classes: ['a', 'b', 'c'], target: new Float64Array(20).fill(1) },
      'binary',
      /dataset\.classes: a binary task needs exactly 2 class names, got 3/,
    ],
    [
      { ...good, classes: ['a', 'b', 'c'], target: new Float64Array(20).fill(1.5) },
      'multiclass',
      /dataset\.target\[0\]: must be a class index from 0 to 2, got 1\.5/,
    ],
  ];
  for (const [dataset, task, message] of cases) {
    assert.throws(
      () => compareLosses(dataset, { task, seeds: 1, epochs: 1 }),
      (e: unknown) => e instanceof LossInputError && message.test(e.message),
      String(message),
    );
  }
});

test('a loss wins only when its mean lead over every other loss exceeds the spread of the paired differences', () => {
  const clear = decideWinner(
    [
      { id: 'mse', values: [10, 12, 11] },
      { id: 'huber', values: [9, 11, 10.2] },
    ],
    mae,
  );
  assert.equal(clear.leader, 'huber');
  assert.equal(clear.clear, true, 'ahead by 0.93 on every seed, spread 0.12');
  assert.equal(clear.leads[0].over, 'mse');
  assert.ok(Math.abs(clear.leads[0].lead - 2.8 / 3) < 1e-12);
  const noisy = decideWinner(
    [
      { id: 'mse', values: [10, 12, 11] },
      { id: 'huber', values: [9, 12.5, 10.9] },
    ],
    mae,
  );
  assert.equal(noisy.leader, 'huber');
  assert.equal(noisy.clear, false, 'lead 0.2 against a spread of 0.75');
});

test('a winner must beat every other loss, and a metric where higher is better is read that way', () => {
  const decision = decideWinner(
    [
      { id: 'a', values: [0.9, 0.91, 0.92] },
      { id: 'b', values: [0.8, 0.81, 0.82] },
      { id: 'c', values: [0.88, 0.92, 0.9] },
    ],
    accuracy,
  );
  assert.equal(decision.leader, 'a');
  assert.equal(decision.clear, false, 'a is clearly ahead of b but not of c');
  assert.equal(decision.leads[0].over, 'c', 'the closest contender comes first');
});

test('one seed never names a winner, and identical losses are reported as tied rather than compared', () => {
  assert.equal(
    decideWinner(
      [
        { id: 'a', values: [1] },
        { id: 'b', values: [5] },
      ],
      mae,
    ).clear,
    false,
  );
  const tied = decideWinner(
    [
      { id: 'huber', values: [1, 1.1] },
      { id: 'smooth', values: [1, 1.1] },
      { id: 'mse', values: [3, 3.1] },
    ],
    mae,
  );
  assert.deepEqual(tied.tied, ['huber', 'smooth']);
  assert.deepEqual(
    tied.leads.map((l) => l.over),
    ['mse'],
  );
  assert.equal(tied.clear, true);
});

test('a baseline is flagged only when its mean beats every loss', () => {
  const losses = [
    { id: 'mse', values: [50, 52] },
    { id: 'mae', values: [49, 53] },
  ];
  const baselines = [
    { id: 'constant', values: [80, 82] },
    { id: 'linear', values: [44, 45] },
  ];
  assert.deepEqual(baselinesAhead(losses, baselines, mae), ['linear']);
  assert.deepEqual(baselinesAhead(losses, [{ id: 'linear', values: [51, 51] }], mae), []);
});

test('metric columns share their decimals, and switch to exponents for huge values', () => {
  assert.deepEqual(formatMetricColumn([summarize([44.31, 44.35]), summarize([5.2, 5.4])]), [
    '44.33 ± 0.03',
    '5.30 ± 0.14',
  ]);
  assert.deepEqual(formatMetricColumn([summarize([0.912])]), ['0.9120']);
  assert.deepEqual(formatMetricColumn([summarizeSeeds([3e299, 5e299])]), ['4.00e+299 ± 1.41e+299']);
});

/** A hand-made result, so the report's wording is tested without training. */
function resultWith(values: Record<string, number[]>, baseline: number[]): ComparisonResult {
  const candidates = Object.entries(values).map(([id, v]) => ({
    id,
    label: id.toUpperCase(),
    // Ids name candidates; the report reads the loss only for its info, so any registry name does.
    loss: (id === 'smooth' ? 'smoothL1' : id) as LossName,
    options: id === 'huber' ? { delta: 1 } : {},
    metrics: { mae: summarize(v).mean },
    summary: { mae: summarize(v) },
  }));
  const decision = decideWinner(
    candidates.map((c) => ({ id: c.id, values: c.summary.mae.values })),
    mae,
  );
  const baselines = [
    {
      id: 'linear' as const,
      label: 'Linear (least squares)',
      description: '',
      metrics: { mae: summarize(baseline).mean },
      summary: { mae: summarize(baseline) },
    },
  ];
  return {
    task: 'regression',
    target: 'price',
    features: ['area', 'rooms'],
    seeds: baseline.map((_, i) => i + 1),
    trainRows: 60,
    testRows: 20,
    model: { layers: [2, 32, 1], optimizer: 'Adam', learningRate: 0.01, epochs: 200, batchSize: 32 },
    primary: mae,
    metricSpecs: [mae],
    candidates,
    baselines,
    decision,
    ...(decision.clear ? { best: decision.leader } : {}),
    tied: decision.tied,
    baselinesAhead: baselinesAhead(
      candidates.map((c) => ({ id: c.id, values: c.summary.mae.values })),
      baselines.map((b) => ({ id: b.id, values: b.summary.mae.values })),
      mae,
    ),
  };
}

test('the report states the model, the seeds and the split, and names a clear winner with its options', () => {
  const text = formatComparison(resultWith({ mse: [10, 12, 11], huber: [9, 11, 10.2] }, [20, 21, 22]));
  assert.match(text, /Each of 3 seeds \(1–3\): trained on 60 rows, tested on 20 held-out rows/);
  assert.match(
    text,
    /Model: MLP 2 → 32 → 1 \(ReLU\), Adam \(learning rate 0\.01\), 200 epochs, batch size 32/,
  );
  assert.match(text, /\n\* HUBER\s+10\.07 ± 1\.01\n/);
  assert.match(text, /Best on MAE: HUBER \(huber \{"delta":1\}\)\. Its lead over every other loss is larger/);
  assert.doesNotMatch(text, /Warning/);
});

test('without a clear lead the report says plainly that no loss is clearly better, and stars none', () => {
  const text = formatComparison(resultWith({ mse: [10, 12, 11], huber: [9, 12.5, 10.9] }, [20, 21, 22]));
  assert.match(
    text,
    /No loss is clearly better on MAE: HUBER has the best mean, but its lead over MSE \(0\.20\) is not larger than the seed-to-seed spread of that difference \(± 0\.75\)\./,
  );
  assert.doesNotMatch(text, /Best on|\n\* /);
  const single = formatComparison(resultWith({ mse: [10], huber: [9] }, [20]));
  assert.match(single, /a single seed gives no spread to judge a lead by/);
  assert.doesNotMatch(single, /±|undefined|NaN/);
});

test('losses tied with a clear winner on every seed are starred and named with it', () => {
  const text = formatComparison(
    resultWith({ huber: [9, 11, 10.2], smooth: [9, 11, 10.2], mse: [10, 12, 11] }, [20, 21, 22]),
  );
  assert.match(text, /\n\* HUBER\s/);
  assert.match(text, /\n\* SMOOTH\s/);
  assert.match(text, /\n {2}MSE\s/);
  assert.match(text, /Best on MAE: HUBER .* HUBER and SMOOTH tie on MAE on every seed\./);
});

test('the report warns when a baseline beats every loss', () => {
  const text = formatComparison(resultWith({ mse: [50, 52, 51], mae: [49, 53, 50] }, [44, 45, 44]));
  assert.match(
    text,
    /Warning: the baseline Linear \(least squares\) beats every loss on MAE \(44\.33 ± 0\.58 against 50\.67 ± 2\.08 for the best loss, MAE\)/,
  );
  assert.match(text, /\nbaselines\n {2}Linear \(least squares\)\s+44\.33 ± 0\.58/);
});
