// Each experiment's verdict is a pure function of its metrics: numbers that support the claim
// make it hold, numbers that contradict it make it fail, numbers that cannot decide it (undefined,
// or every arm failing alike) make it inconclusive, and the explanation says why.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { experiments } from '../../packages/lab/src/lab/experiments/index.js';
import { imbalancedBinary } from '../../packages/lab/src/lab/experiments/imbalanced-binary.js';
import { noisyCalibration } from '../../packages/lab/src/lab/experiments/noisy-calibration.js';
import { regressionOutliers } from '../../packages/lab/src/lab/experiments/regression-outliers.js';

test("regression-outliers holds when MAE and Huber have at most half of MSE's coefficient error and a lower clean MAE", () => {
  const row = (slopeError: number, interceptError: number, cleanTestMae: number) => ({
    slopeError,
    interceptError,
    cleanTestMae,
  });
  const supporting = { mse: row(1.5, 1.2, 1.3), mae: row(0.1, 0.1, 0.25), huber: row(0.3, 0.2, 0.3) };
  assert.equal(regressionOutliers.verdict(supporting).outcome, 'held');
  const huberNoBetter = { ...supporting, huber: row(1.0, 0.8, 0.9) };
  const verdict = regressionOutliers.verdict(huberNoBetter);
  assert.equal(verdict.outcome, 'did not hold');
  assert.match(verdict.explanation, /Huber's coefficient error 1\.8 is above 0\.5 × MSE's 2\.7/);
  const worseOnCleanData = { ...supporting, mae: row(0.1, 0.1, 1.4) };
  assert.match(
    regressionOutliers.verdict(worseOnCleanData).explanation,
    /MAE's clean-test MAE 1\.4 is not below MSE's 1\.3/,
  );
});

test('imbalanced-binary holds only if both focal and posWeight raise recall enough without losing PR-AUC', () => {
  const row = (prAuc: number, recall: number) => ({ prAuc, recall, precision: 0.5, f1: 0.3 });
  const supporting = {
    bce: row(0.45, 0.2),
    focal: row(0.47, 0.4),
    'bce-pos-weight': row(0.44, 0.85),
    'focal-alpha-75': row(0.46, 0.3),
  };
  assert.equal(imbalancedBinary.verdict(supporting).outcome, 'held');
  const focalLowRecall = { ...supporting, focal: row(0.47, 0.1) };
  const verdict = imbalancedBinary.verdict(focalLowRecall);
  assert.equal(verdict.outcome, 'did not hold');
  assert.match(verdict.explanation, /focal's recall 0\.1 is below the required 0\.3/);
  const rankingLost = { ...supporting, 'bce-pos-weight': row(0.3, 0.85) };
  assert.match(
    imbalancedBinary.verdict(rankingLost).explanation,
    /posWeight's PR-AUC 0\.3 is more than 0\.05 below BCE's 0\.45/,
  );
  // A BCE that finds no positive at all still needs a real gain (the 0.1 margin), not 1.5 × 0.
  const bceZero = {
    ...supporting,
    bce: row(0.45, 0),
    focal: row(0.45, 0.05),
    'bce-pos-weight': row(0.45, 0.8),
  };
  assert.equal(imbalancedBinary.verdict(bceZero).outcome, 'did not hold');
});

test('noisy-calibration holds when label smoothing halves the ECE and is less confident', () => {
  const row = (ece: number, meanConfidence: number) => ({ accuracy: 0.7, ece, meanConfidence });
  assert.equal(
    noisyCalibration.verdict({ 'cross-entropy': row(0.14, 0.85), 'label-smoothing': row(0.03, 0.7) }).outcome,
    'held',
  );
  const notHalved = noisyCalibration.verdict({
    'cross-entropy': row(0.14, 0.85),
    'label-smoothing': row(0.1, 0.7),
  });
  assert.equal(notHalved.outcome, 'did not hold');
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

test('regression-outliers is inconclusive, never held, when MSE fits the line exactly or an error is undefined', () => {
  const row = (slopeError: number, interceptError: number, cleanTestMae: number) => ({
    slopeError,
    interceptError,
    cleanTestMae,
  });
  const exact = regressionOutliers.verdict({
    mse: row(0, 0, 0.3),
    mae: row(0, 0, 0.25),
    huber: row(0, 0, 0.2),
  });
  assert.equal(exact.outcome, 'inconclusive');
  assert.match(exact.explanation, /Inconclusive: MSE recovered the line exactly/);
  const undefinedError = regressionOutliers.verdict({
    mse: row(1.5, 1.2, 1.3),
    mae: row(Number.NaN, 0.1, 0.25),
    huber: row(0.3, 0.2, 0.3),
  });
  assert.equal(undefinedError.outcome, 'inconclusive');
  assert.match(undefinedError.explanation, /MAE's coefficient error is NaN \(not a finite number\)/);
});

test('imbalanced-binary is inconclusive, never held, when no variant of the claim finds a positive or a metric is undefined', () => {
  const row = (prAuc: number, recall: number) => ({ prAuc, recall, precision: 0, f1: 0 });
  const allZero = {
    bce: row(0.3, 0),
    focal: row(0.3, 0),
    'bce-pos-weight': row(0.3, 0),
    'focal-alpha-75': row(0.3, 0.1),
  };
  const verdict = imbalancedBinary.verdict(allZero);
  assert.equal(verdict.outcome, 'inconclusive');
  assert.match(verdict.explanation, /Inconclusive: no variant of the claim predicted a single positive/);
  const undefinedPrAuc = imbalancedBinary.verdict({ ...allZero, focal: row(Number.NaN, 0.4) });
  assert.equal(undefinedPrAuc.outcome, 'inconclusive');
  assert.match(undefinedPrAuc.explanation, /focal's PR-AUC is NaN/);
});

test('imbalanced-binary quotes the α = 0.75 focal arm without letting it decide the claim', () => {
  const row = (prAuc: number, recall: number, f1: number) => ({ prAuc, recall, precision: 0.5, f1 });
  const metrics = {
    bce: row(0.43, 0.11, 0.196),
    focal: row(0.407, 0.0138, 0.0271),
    'bce-pos-weight': row(0.455, 0.917, 0.127),
    'focal-alpha-75': row(0.9, 0.99, 0.99),
  };
  const verdict = imbalancedBinary.verdict(metrics);
  assert.equal(verdict.outcome, 'did not hold', "focal α = 0.25's recall decides, however good α = 0.75 is");
  assert.match(
    verdict.explanation,
    /focal with α = 0\.75, outside the claim: recall 0\.99, PR-AUC 0\.9, F1 0\.99/,
  );
});

test('noisy-calibration is inconclusive, never held, when cross-entropy has no calibration error or a metric is undefined', () => {
  const row = (ece: number, meanConfidence: number) => ({ accuracy: 0.7, ece, meanConfidence });
  const perfect = noisyCalibration.verdict({ 'cross-entropy': row(0, 0.85), 'label-smoothing': row(0, 0.7) });
  assert.equal(perfect.outcome, 'inconclusive');
  assert.match(perfect.explanation, /Inconclusive: cross-entropy is already perfectly calibrated/);
  const undefinedEce = noisyCalibration.verdict({
    'cross-entropy': row(Number.NaN, 0.85),
    'label-smoothing': row(0.03, 0.7),
  });
  assert.equal(undefinedEce.outcome, 'inconclusive');
});

test('every built-in verdict is inconclusive, never held, on metrics that are all NaN', () => {
  for (const experiment of experiments) {
    const metrics = Object.fromEntries(
      experiment.variants.map((v) => [
        v.id,
        Object.fromEntries(experiment.metrics.map((m) => [m.id, Number.NaN])),
      ]),
    );
    const verdict = experiment.verdict(metrics);
    assert.equal(verdict.outcome, 'inconclusive', experiment.name);
    assert.match(verdict.explanation, /Inconclusive: .*NaN/, experiment.name);
  }
});
