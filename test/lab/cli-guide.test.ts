// The guide's commands end to end: `recommend` follows the lab's evidence and `explain` takes the
// names other libraries use.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cli } from './cli-capture.js';

test('recommend --task binary --imbalanced ranks posWeight first, then focal with α = 0.75, citing the lab', async () => {
  const { code, stdout } = await cli('recommend', '--task', 'binary', '--imbalanced');
  assert.equal(code, 0);
  assert.match(stdout, /Selection table row: binary, imbalanced/);
  assert.match(stdout, / 1\. binaryCrossEntropyWithLogits \{ posWeight: <negatives \/ positives> \}/);
  assert.match(stdout, / 2\. focal \{ alpha: 0\.75, gamma: 2 \}/);
  assert.doesNotMatch(stdout, /alpha: 0\.25/);
  assert.match(stdout, /minority recall 0\.917 against plain BCE's 0\.11/);
  assert.match(stdout, /lowered recall to 0\.0138/);
  assert.match(
    stdout,
    /Lab \(imbalanced-binary, seed 1, BCE \+ posWeight\): PR-AUC 0\.455, minority recall 0\.917, precision 0\.0683, F1 0\.127 — losskit lab --only imbalanced-binary/,
  );
});

test('recommend --json carries the options to set from the data and the lab evidence of each measured suggestion', async () => {
  const json = JSON.parse(
    (await cli('recommend', '--task', 'binary', '--imbalanced', '--metric', 'f1', '--json')).stdout,
  );
  assert.equal(json[0].loss, 'focal');
  assert.deepEqual(json[0].options, { alpha: 0.75, gamma: 2 });
  assert.equal(json[0].evidence.metrics.F1, 0.308);
  assert.equal(json[1].loss, 'binaryCrossEntropyWithLogits');
  assert.equal(json[1].evidence.variant, 'bce');
  const recall = JSON.parse((await cli('recommend', '--task', 'binary', '--imbalanced', '--json')).stdout);
  assert.deepEqual(recall[0].optionsFromData, { posWeight: 'negatives / positives' });
});

test('explain takes PyTorch, Keras and fit names and says which registry loss they are', async () => {
  const cases: [string, RegExp][] = [
    [
      'BCEWithLogitsLoss',
      /^'BCEWithLogitsLoss' is PyTorch's name for binaryCrossEntropyWithLogits\.\n\nBinary cross-entropy with logits/,
    ],
    ['bce', /^'bce' is fit's short name for binaryCrossEntropy\./],
    ['l1', /^'l1' is PyTorch's name for mae\./],
    [
      'CrossEntropyLoss',
      /^'CrossEntropyLoss' is PyTorch's name for sparseCategoricalCrossEntropy\.\nNote: with class-index targets/,
    ],
    ['sparse_categorical_crossentropy', /Note: Keras defaults to from_logits=False: pass fromLogits: false/],
    ['MSELoss', /^'MSELoss' is PyTorch's name for mse\./],
    ['mean_squared_error', /^'mean_squared_error' is Keras's name for mse\./],
    ['HuberLoss', /\(huber, regression\)/],
    ['SmoothL1Loss', /\(smoothL1, regression\)/],
    ['KLDivLoss', /Note: PyTorch's input is log-probabilities \(inputKind: 'logProbs'\)/],
    ['kl_divergence', /Note: Keras takes probabilities for both arguments \(inputKind: 'probs'\)/],
    ['TripletMarginLoss', /\(triplet, ranking\)/],
  ];
  for (const [name, expected] of cases) {
    const { code, stdout, stderr } = await cli('explain', name);
    assert.equal(code, 0, `${name}: ${stderr}`);
    assert.match(stdout, expected, name);
  }
});

test('explain nll explains negativeLogLikelihood, with what differs from PyTorch', async () => {
  const { code, stdout } = await cli('explain', 'nll');
  assert.equal(code, 0);
  assert.match(stdout, /negativeLogLikelihood/);
  assert.match(stdout, /log-probabilities/);
});

test('recommend --target intervals gives the quantile loss at 5% and 95%; --target takes only known kinds', async () => {
  const { code, stdout } = await cli('recommend', '--task', 'regression', '--target', 'intervals');
  assert.equal(code, 0);
  assert.match(stdout, /Selection table row: regression, intervals targets/);
  assert.match(stdout, / 1\. quantile \{ quantile: \[0\.05, 0\.95\] \}/);
  const bad = await cli('recommend', '--task', 'regression', '--target', 'ordinal');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /Allowed choices are counts, intervals, variance, unaligned/);
});

test("explain suggests the nearest name for a typo: did you mean 'huber'?", async () => {
  const typo = await cli('explain', 'hubber');
  assert.equal(typo.code, 1);
  assert.match(
    typo.stderr,
    /^losskit: unknown loss 'hubber'; did you mean 'huber'\? \(`losskit explain --list` lists them all\)/,
  );
  const library = await cli('explain', 'SmothL1Loss');
  assert.match(library.stderr, /did you mean 'smoothL1'\?/);
});
