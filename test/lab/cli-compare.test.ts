// `losskit compare` through the CLI: seeds, baselines, options and their errors, CSV line endings,
// and data near the limits of double precision. Few epochs and small files keep it quick.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCsv } from '../../packages/lab/src/cli/csv.js';
import { cli } from './cli-capture.js';

const fixture = (name: string) => new URL(`../../../test/fixtures/csv/${name}`, import.meta.url).pathname;
const quick = ['--epochs', '2', '--seeds', '2'];
const regression = (file: string, target: string, ...args: string[]) =>
  cli('compare', fixture(file), '--target', target, '--task', 'regression', ...args);

interface JsonEntry {
  id: string;
  metrics: Record<string, number>;
  summary: Record<string, { values: number[]; spread: number }>;
}

test('a CSV whose header ends in CRLF and whose rows end in LF is read row by row', async () => {
  const table = parseCsv('a,b,y\r\n1,2,3\n4,5,6\r\n7,8,9\r10,11,12\n', 'mixed.csv');
  assert.deepEqual(table.header, ['a', 'b', 'y']);
  assert.deepEqual(table.rows, [
    ['1', '2', '3'],
    ['4', '5', '6'],
    ['7', '8', '9'],
    ['10', '11', '12'],
  ]);
  assert.deepEqual(table.lines, [2, 3, 4, 5]);
  const run = await regression('mixed-line-endings.csv', 'y', ...quick);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /predicting 'y' from 2 column\(s\) \(x1, x2\)/);
  assert.match(run.stdout, /trained on 30 rows, tested on 10 held-out rows/);
});

test('finite values near 1e300 give finite metrics, never Infinity, NaN or undefined', async () => {
  const run = await regression('huge-values.csv', 't');
  assert.equal(run.code, 0, run.stderr);
  assert.doesNotMatch(run.stdout, /Infinity|NaN|undefined/);
  assert.match(run.stdout, /\n {2}MSE\s+\d\.\d\de\+(299|300) ± \d\.\d\de\+\d+/);
  const json = JSON.parse((await regression('huge-values.csv', 't', ...quick, '--json')).stdout);
  for (const entry of [...json.candidates, ...json.baselines] as JsonEntry[]) {
    for (const [id, s] of Object.entries(entry.summary))
      assert.ok([...s.values, s.spread].every(Number.isFinite), `${entry.id} ${id}: ${JSON.stringify(s)}`);
  }
});

test('held-out errors too large for double precision end in an error naming the column, exit code 1', async () => {
  const run = await regression('overflowing-errors.csv', 'y');
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^losskit: column 'y': the held-out MAE of .+ is Infinity, not a finite number/);
  assert.equal(run.stdout, '');
});

test('--seed accepts 0 and numbers the seeds from it; negative or fractional seeds are rejected', async () => {
  const json = JSON.parse(
    (await regression('houses.csv', 'price', '--seed', '0', '--seeds', '3', '--epochs', '1', '--json'))
      .stdout,
  );
  assert.deepEqual(json.seeds, [0, 1, 2]);
  for (const bad of ['-1', '1.5', 'one']) {
    const run = await regression('houses.csv', 'price', '--seed', bad);
    assert.equal(run.code, 1, bad);
    assert.match(run.stderr, new RegExp(`--seed <n>.*expected a non-negative integer, got '${bad}'`));
  }
});

test('compare runs 5 seeds by default and reports every loss and baseline as mean ± spread', async () => {
  const run = await regression('houses.csv', 'price', '--epochs', '1');
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /Each of 5 seeds \(1–5\): trained on 60 rows, tested on 20 held-out rows/);
  assert.match(run.stdout, /mean ± standard deviation over the seeds/);
  for (const label of [
    'MSE',
    'MAE',
    'Huber',
    'Smooth L1',
    'Constant \\(median\\)',
    'Linear \\(least squares\\)',
  ])
    assert.match(
      run.stdout,
      new RegExp(`\\n[* ] ${label}\\s+\\d+\\.\\d+ ± \\d+\\.\\d+\\s+\\d+\\.\\d+ ± \\d+\\.\\d+\\n`),
    );
  assert.match(
    run.stdout,
    /\n(Best on MAE: .+ Its lead over every other loss|No loss is clearly better on MAE: )/,
  );
  const json = JSON.parse((await regression('houses.csv', 'price', '--epochs', '1', '--json')).stdout);
  assert.equal(json.candidates.length, 4);
  assert.deepEqual(
    json.baselines.map((b: JsonEntry) => b.id),
    ['constant', 'linear'],
  );
  assert.ok(json.candidates.every((c: JsonEntry) => c.summary.mae.values.length === 5));
  assert.equal(json.best === undefined, !json.decision.clear, 'best is named exactly when the lead is clear');
});

test('compare flags a linear baseline that beats every loss on linear data', async () => {
  const run = await regression('mixed-line-endings.csv', 'y', ...quick);
  assert.match(
    run.stdout,
    /\nWarning: the baseline Linear \(least squares\) beats every loss on MAE \([\d.]+ ± [\d.]+ against [\d.]+ ± [\d.]+ for the best loss, .+\): the network does no better than a linear model/,
  );
  const binary = await cli(
    'compare',
    fixture('churn.csv'),
    '--target',
    'churned',
    '--task',
    'binary',
    ...quick,
  );
  assert.equal(binary.code, 0, binary.stderr);
  assert.match(binary.stdout, /\n {2}Constant \(class prior\)\s+\d/);
  assert.match(binary.stdout, /\n {2}Logistic regression\s+\d/);
  const multi = await cli(
    'compare',
    fixture('flowers.csv'),
    '--target',
    'species',
    '--task',
    'multiclass',
    ...quick,
  );
  assert.match(multi.stdout, /\n {2}Softmax regression\s+\d/);
});

test('compare states the model it trains: layers, optimizer, epochs and batch size', async () => {
  const custom = await regression('houses.csv', 'price', '--hidden', '8,4', '--epochs', '3', '--seeds', '1');
  assert.match(
    custom.stdout,
    /\nModel: MLP 3 → 8 → 4 → 1 \(ReLU\), Adam \(learning rate 0\.01\), 3 epochs, batch size 32;/,
  );
  const defaults = await regression('houses.csv', 'price', '--seeds', '1');
  assert.match(
    defaults.stdout,
    /\nModel: MLP 3 → 32 → 1 \(ReLU\), Adam \(learning rate 0\.01\), 200 epochs, batch size 32;/,
  );
  assert.match(defaults.stdout, /a single seed gives no spread to judge a lead by/);
});

test('--test-fraction sets the held-out share and rejects values outside (0, 1) or splits with an empty side', async () => {
  const half = await regression('mixed-line-endings.csv', 'y', '--test-fraction', '0.5', ...quick);
  assert.match(half.stdout, /trained on 20 rows, tested on 20 held-out rows/);
  for (const bad of ['0', '1', '1.5', 'abc']) {
    const run = await regression('mixed-line-endings.csv', 'y', '--test-fraction', bad);
    assert.equal(run.code, 1, bad);
    assert.match(run.stderr, new RegExp(`expected a number between 0 and 1 \\(exclusive\\), got '${bad}'`));
  }
  const none = await regression('mixed-line-endings.csv', 'y', '--test-fraction', '0.01');
  assert.equal(none.code, 1);
  assert.match(none.stderr, /losskit: a test fraction of 0\.01 holds out 0 of 40 rows/);
});

test('--hidden, --epochs and --seeds reject what is not a positive integer (list) within its limit', async () => {
  for (const [flag, value, message] of [
    ['--hidden', '32,x', /expected 1 to 16 comma-separated widths from 1 to 4096, such as 32,32, got '32,x'/],
    ['--hidden', '0', /got '0'/],
    ['--hidden', '16,', /got '16,'/],
    ['--hidden', '5000', /got '5000'/],
    ['--epochs', '0', /--epochs <n>.*expected a positive integer, got '0'/],
    ['--epochs', '1e3', /--epochs <n>.*expected a positive integer, got '1e3'/],
    ['--seeds', '0', /--seeds <n>.*expected a positive integer, got '0'/],
    ['--seeds', '1001', /--seeds <n>.*expected a positive integer up to 1000, got '1001'/],
  ] as const) {
    const run = await regression('houses.csv', 'price', flag, value);
    assert.equal(run.code, 1, `${flag} ${value}`);
    assert.match(run.stderr, message);
  }
});

test('--columns and --ignore choose the features; unknown names are listed with the available ones', async () => {
  const binary = (...args: string[]) =>
    cli('compare', fixture('with-id.csv'), '--target', 'label', '--task', 'binary', ...quick, ...args);
  const ignored = await binary('--ignore', 'id,name');
  assert.equal(ignored.code, 0, ignored.stderr);
  assert.match(ignored.stdout, /predicting 'label' from 2 column\(s\) \(u, v\)/);
  assert.match((await binary('--columns', 'v')).stdout, /from 1 column\(s\) \(v\)/);
  const unknown = await binary('--columns', 'nope,u,height');
  assert.equal(unknown.code, 1);
  assert.match(
    unknown.stderr,
    /losskit: with-id\.csv has no column 'nope', 'height' \(among the columns to use\); its columns are: id, name, u, v, label/,
  );
  assert.match(
    (await binary('--ignore', 'label')).stderr,
    /'label' is the target; it cannot be among the columns to ignore/,
  );
  assert.match(
    (await binary('--columns', 'u', '--ignore', 'id')).stderr,
    /give --columns or --ignore, not both/,
  );
});

test('a non-numeric column is named with the --ignore that leaves it out', async () => {
  const binary = (...args: string[]) =>
    cli('compare', fixture('with-id.csv'), '--target', 'label', '--task', 'binary', ...args);
  const plain = await binary();
  assert.equal(plain.code, 1);
  assert.match(
    plain.stderr,
    /with-id\.csv, line 2, column 2 \('name'\): 'person1' is not a number \(feature columns must be numeric\); leave the column out with --ignore name\n/,
  );
  assert.match((await binary('--ignore', 'id')).stderr, /leave the column out with --ignore id,name\n/);
  assert.match((await binary('--columns', 'name,u')).stderr, /leave 'name' out of --columns\n/);
});

test('compare --help lists every option with its default (or that it is required) and an example', async () => {
  const { code, stdout } = await cli('compare', '--help');
  assert.equal(code, 0);
  const options = stdout.slice(stdout.indexOf('Options:'), stdout.indexOf('Examples:'));
  const entries = options
    .split(/\n(?= {2}-)/)
    .slice(1)
    .map((e) => e.replace(/\s+/g, ' '));
  const names = entries.map((e) => e.trim().split(' ')[0]);
  for (const flag of [
    '--target',
    '--task',
    '--seeds',
    '--seed',
    '--test-fraction',
    '--epochs',
    '--hidden',
    '--columns',
    '--ignore',
    '--json',
  ])
    assert.ok(names.includes(flag), `${flag} is listed`);
  for (const entry of entries.filter((e) => !e.includes('--help'))) {
    assert.match(entry, /default|required/, entry);
    assert.match(entry, /e\.g\. --/, entry);
  }
  assert.match(entries.find((e) => e.includes('--hidden')) ?? '', /\(default: 32\)$/);
  assert.match(stdout, /Examples:\n {2}losskit compare houses\.csv --target price --task regression\n/);
});
