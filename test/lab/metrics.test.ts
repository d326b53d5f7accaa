import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  averagePrecision,
  binaryScores,
  calibration,
  precisionRecallCurve,
  softmaxRows,
} from '../../packages/lab/src/lab/index.js';

test('average precision is 1 for a perfect ranking and the mean precision at each positive otherwise', () => {
  assert.equal(averagePrecision([0.9, 0.8, 0.1, 0.2], [1, 1, 0, 0]), 1);
  // Ranked: 0.9(0) 0.8(1) 0.7(0) 0.6(1) → precisions at positives 1/2 and 2/4.
  assert.equal(averagePrecision([0.9, 0.8, 0.7, 0.6], [0, 1, 0, 1]), (1 / 2 + 2 / 4) / 2);
  assert.equal(averagePrecision([0.3, 0.2], [0, 0]), 0);
});

test('tied scores are ranked pessimistically, so a constant score gets the positive rate, not 1', () => {
  assert.ok(averagePrecision([0.5, 0.5, 0.5, 0.5], [1, 0, 0, 0]) <= 0.25 + 1e-12);
});

test('binaryScores counts precision, recall and F1 at a threshold', () => {
  const s = binaryScores([0.9, 0.6, 0.4, 0.2], [1, 0, 1, 0], 0.5);
  assert.deepEqual(s, { precision: 0.5, recall: 0.5, f1: 0.5 });
  assert.deepEqual(binaryScores([0.1], [1], 0.5), { precision: 0, recall: 0, f1: 0 });
});

test('calibration: a confident wrong model has a large ECE, a perfectly calibrated one none', () => {
  const confidentWrong = calibration([0.99, 0.01, 0.99, 0.01], [1, 1], 2);
  assert.equal(confidentWrong.accuracy, 0);
  assert.ok(Math.abs(confidentWrong.ece - 0.99) < 1e-12);
  const calibrated = calibration([0.75, 0.25, 0.75, 0.25, 0.75, 0.25, 0.75, 0.25], [0, 0, 0, 1], 2);
  assert.equal(calibrated.accuracy, 0.75);
  assert.equal(calibrated.meanConfidence, 0.75);
  assert.ok(calibrated.ece < 1e-12);
});

test('softmaxRows gives rows that sum to one and survive large logits', () => {
  const p = softmaxRows([1000, 0, -1000, 1, 1, 1], 3);
  assert.ok(Math.abs(p[0] - 1) < 1e-12 && p[2] === 0);
  assert.ok(Math.abs(p[3] + p[4] + p[5] - 1) < 1e-12);
});

test('the precision–recall curve has a point at each positive, ending at recall 1', () => {
  assert.deepEqual(precisionRecallCurve([0.9, 0.8, 0.7, 0.6], [0, 1, 0, 1]), [
    [0.5, 0.5],
    [1, 0.5],
  ]);
  assert.deepEqual(precisionRecallCurve([0.1], [0]), []);
});
