import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from './cli-capture.js';

const fixture = (name: string) => new URL(`../../../test/fixtures/csv/${name}`, import.meta.url).pathname;

test('losskit --help lists every command', async () => {
  const { code, stdout } = await cli('--help');
  assert.equal(code, 0);
  for (const command of ['lab', 'compare', 'recommend', 'explain', 'plot'])
    assert.match(stdout, new RegExp(`\\n  ${command}\\b`));
});

test('each command has its own --help with examples', async () => {
  for (const command of ['lab', 'compare', 'recommend', 'explain', 'plot']) {
    const { code, stdout } = await cli(command, '--help');
    assert.equal(code, 0, command);
    assert.match(stdout, /Usage: losskit /, command);
    assert.match(stdout, /Examples:/, command);
  }
});

test('an unknown command or option is an error with a pointer to --help', async () => {
  const unknown = await cli('train');
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /unknown command 'train'/);
  const badSeeds = await cli('lab', '--seeds', 'two');
  assert.notEqual(badSeeds.code, 0);
  assert.match(badSeeds.stderr, /--seeds <n>.*expected a positive integer, got 'two'/);
  const badOnly = await cli('lab', '--only', 'nope', '--out', mkdtempSync(join(tmpdir(), 'losskit-')));
  assert.equal(badOnly.code, 1);
  assert.match(badOnly.stderr, /unknown experiment 'nope'; the experiments are: regression-outliers/);
});

test('recommend prints the ranked suggestions with reasons and options', async () => {
  const { code, stdout } = await cli('recommend', '--task', 'binary', '--imbalanced');
  assert.equal(code, 0);
  assert.match(stdout, /Selection table row: binary, imbalanced/);
  assert.match(stdout, / 1\. binaryCrossEntropyWithLogits \{ posWeight: <negatives \/ positives> \}/);
  assert.match(stdout, / 2\. focal \{ alpha: 0\.75, gamma: 2 \}/);
  const json = JSON.parse(
    (await cli('recommend', '--task', 'segmentation', '--metric', 'iou', '--json')).stdout,
  );
  assert.equal(json[0].loss, 'iou');
});

test('recommend rejects a missing or unknown task and lists the choices', async () => {
  const missing = await cli('recommend');
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /required option '--task <task>' not specified/);
  const unknown = await cli('recommend', '--task', 'clustering');
  assert.match(unknown.stderr, /Allowed choices are regression, binary, multiclass/);
});

test("explain prints a loss's formula and guidance, and suggests names for a typo", async () => {
  const { code, stdout } = await cli('explain', 'huber');
  assert.equal(code, 0);
  assert.match(stdout, /^Huber loss \(huber, regression\)/);
  assert.match(stdout, /When to use:/);
  const list = await cli('explain', '--list');
  assert.match(list.stdout, /^mse\s+regression/m);
  const typo = await cli('explain', 'hubber');
  assert.equal(typo.code, 1);
  assert.match(typo.stderr, /losskit: unknown loss 'hubber'; did you mean 'huber'\?/);
});

test('plot writes an SVG of the loss and its gradient, one curve per option value', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'losskit-')), 'huber.svg');
  const { code, stdout } = await cli('plot', 'huber', '--delta', '0.5,1,2', '--out', out);
  assert.equal(code, 0, stdout);
  const svg = readFileSync(out, 'utf8');
  assert.match(svg, /^<\?xml[^>]*>\s*<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  for (const label of ['delta = 0.5', 'delta = 1', 'delta = 2', 'Huber loss: loss', 'Huber loss: gradient'])
    assert.ok(svg.includes(label), label);
  assert.equal((svg.match(/aria-label="line"/g) ?? []).length, 2);
});

test('plot rejects an option the loss does not take, a bad value, and two swept options', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'losskit-')), 'x.svg');
  const unknown = await cli('plot', 'huber', '--gamma', '2', '--out', out);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /'huber' has no option 'gamma'; its options are: delta, reduction/);
  const bad = await cli('plot', 'huber', '--delta', '-1', '--out', out);
  assert.match(bad.stderr, /delta.*must be a finite number > 0, got -1/);
  const two = await cli('plot', 'focal', '--gamma', '0,2', '--alpha', '0.25,0.5', '--out', out);
  assert.match(two.stderr, /only one option may list several values, but gamma and alpha do/);
  const noOut = await cli('plot', 'huber');
  assert.match(noOut.stderr, /required option '--out <file>' not specified/);
});

test('compare trains each suitable loss on a CSV and names the best on the held-out split', async () => {
  const { code, stdout } = await cli(
    'compare',
    fixture('houses.csv'),
    '--target',
    'price',
    '--task',
    'regression',
    '--seeds',
    '2',
  );
  assert.equal(code, 0);
  for (const loss of ['MSE', 'MAE', 'Huber', 'Smooth L1'])
    assert.match(stdout, new RegExp(`\\n[* ] ${loss}\\s+\\d`));
  assert.match(stdout, /trained on 60 rows, tested on 20 held-out rows/);
  assert.match(stdout, /\n(Best on MAE: |No loss is clearly better on MAE: )/);
  const json = JSON.parse(
    (await cli('compare', fixture('flowers.csv'), '--target', 'species', '--task', 'multiclass', '--seeds', '2', '--json'))
      .stdout,
  );
  assert.equal(json.candidates.length, 3);
  assert.ok(
    json.candidates.every((c: { metrics: { accuracy: number } }) => c.metrics.accuracy > 0.8),
    'well-separated flowers are learned',
  );
});

test('compare names the line and column of malformed CSV files', async () => {
  const run = (file: string, target = 'y', task = 'regression') =>
    cli('compare', fixture(file), '--target', target, '--task', task);
  assert.match(
    (await run('ragged.csv')).stderr,
    /losskit: ragged\.csv, line 4: the row has 2 field\(s\) but the header has 3/,
  );
  assert.match(
    (await run('unclosed-quote.csv')).stderr,
    /unclosed-quote\.csv, line 4, column 2: a quoted field is never closed/,
  );
  assert.match(
    (await run('not-a-number.csv')).stderr,
    /not-a-number\.csv, line 7, column 2 \('b'\): 'twelve' is not a number/,
  );
  assert.match((await run('empty.csv')).stderr, /empty\.csv is empty/);
  assert.match((await run('no-such-file.csv')).stderr, /cannot read .*no-such-file\.csv: no such file/);
  assert.match(
    (await run('houses.csv', 'cost')).stderr,
    /houses\.csv has no column 'cost'; its columns are: area, rooms, age, price/,
  );
  assert.match(
    (await run('houses.csv', 'price', 'binary')).stderr,
    /a binary target needs exactly 2 distinct values in column 'price'/,
  );
  assert.equal((await run('ragged.csv')).code, 1);
});

test('lab --list names every experiment with its claim', async () => {
  const { code, stdout } = await cli('lab', '--list');
  assert.equal(code, 0);
  for (const name of ['regression-outliers', 'imbalanced-binary', 'noisy-calibration'])
    assert.match(stdout, new RegExp(`^${name}\\s+\\S`, 'm'));
});
