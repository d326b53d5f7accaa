// Each experiment's verdict is a pure function of its metrics: numbers that support the claim
// make it hold, numbers that contradict it make it fail, and the explanation says why.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { imbalancedBinary } from '../../src/lab/experiments/imbalanced-binary.js';
import { noisyCalibration } from '../../src/lab/experiments/noisy-calibration.js';
import { regressionOutliers } from '../../src/lab/experiments/regression-outliers.js';

test("regression-outliers holds when MAE and Huber have at most half of MSE's coefficient error and a lower clean MAE", () => {
  const row = (slopeError: number, interceptError: number, cleanTestMae: number) => ({
    slopeError,
    interceptError,
    cleanTestMae,
  });
  const supporting = { mse: row(1.5, 1.2, 1.3), mae: row(0.1, 0.1, 0.25), huber: row(0.3, 0.2, 0.3) };
  assert.equal(regressionOutliers.verdict(supporting).held, true);
  const huberNoBetter = { ...supporting, huber: row(1.0, 0.8, 0.9) };
  const verdict = regressionOutliers.verdict(huberNoBetter);
  assert.equal(verdict.held, false);
  assert.match(verdict.explanation, /Huber's coefficient error 1\.8 is above 0\.5 × MSE's 2\.7/);
  const worseOnCleanData = { ...supporting, mae: row(0.1, 0.1, 1.4) };
  assert.match(
    regressionOutliers.verdict(worseOnCleanData).explanation,
    /MAE's clean-test MAE 1\.4 is not below MSE's 1\.3/,
  );
});

test('imbalanced-binary holds only if both focal and posWeight raise recall enough without losing PR-AUC', () => {
  const row = (prAuc: number, recall: number) => ({ prAuc, recall, precision: 0.5, f1: 0.3 });
  const supporting = { bce: row(0.45, 0.2), focal: row(0.47, 0.4), 'bce-pos-weight': row(0.44, 0.85) };
  assert.equal(imbalancedBinary.verdict(supporting).held, true);
  const focalLowRecall = { ...supporting, focal: row(0.47, 0.1) };
  const verdict = imbalancedBinary.verdict(focalLowRecall);
  assert.equal(verdict.held, false);
  assert.match(verdict.explanation, /focal's recall 0\.1 is below the required 0\.3/);
  const rankingLost = { ...supporting, 'bce-pos-weight': row(0.3, 0.85) };
  assert.match(
    imbalancedBinary.verdict(rankingLost).explanation,
    /posWeight's PR-AUC 0\.3 is more than 0\.05 below BCE's 0\.45/,
  );
  // A BCE that finds no positive at all still needs a real gain (the 0.1 margin), not 1.5 × 0.
  const bceZero = { bce: row(0.45, 0), focal: row(0.45, 0.05), 'bce-pos-weight': row(0.45, 0.8) };
  assert.equal(imbalancedBinary.verdict(bceZero).held, false);
});

test('noisy-calibration holds when label smoothing halves the ECE and is less confident', () => {
  const row = (ece: number, meanConfidence: number) => ({ accuracy: 0.7, ece, meanConfidence });
  assert.equal(
    noisyCalibration.verdict({ 'cross-entropy': row(0.14, 0.85), 'label-smoothing': row(0.03, 0.7) }).held,
    true,
  );
  const notHalved = noisyCalibration.verdict({
    'cross-entropy': row(0.14, 0.85),
    'label-smoothing': row(0.1, 0.7),
  });
  assert.equal(notHalved.held, false);
  assert.match(notHalved.explanation, /label smoothing's ECE is above 0\.5 × cross-entropy's \(0\.07\)/);
  const moreConfident = noisyCalibration.verdict({
    'cross-entropy': row(0.14, 0.85),
    'label-smoothing': row(0.03, 0.9),
  });
  assert.match(moreConfident.explanation, /label smoothing is not less confident/);
});

test('a verdict fed metrics without a variant it needs fails loudly', () => {
  assert.throws(
    () => noisyCalibration.verdict({ 'cross-entropy': { accuracy: 1, ece: 0, meanConfidence: 1 } }),
    /no metrics for variant 'label-smoothing'/,
  );
});
