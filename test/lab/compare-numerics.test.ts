// The numerical pieces of `compare`: overflow-free standardisation and seed summaries, and the
// deterministic baselines (least squares, softmax regression).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitLeastSquares, predictLinear } from '../../packages/lab/src/lab/compare/least-squares.js';
import {
  fitSoftmaxRegression,
  softmaxProbabilities,
  softmaxRidge,
} from '../../packages/lab/src/lab/compare/softmax-regression.js';
import { solveSymmetric } from '../../packages/lab/src/lab/compare/solve-symmetric.js';
import { standardizeColumn } from '../../packages/lab/src/lab/compare/standardize-column.js';
import { summarizeSeeds } from '../../packages/lab/src/lab/compare/summarize-seeds.js';
import { summarize } from '../../packages/lab/src/lab/index.js';

const close = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${what}: got ${actual}, expected ${expected} ± ${tolerance}`,
  );

test('standardizeColumn gives training rows mean 0 and std 1, and scale is the std in data units', () => {
  const { values, scale } = standardizeColumn(Float64Array.of(1, 2, 3, 4, 100), [0, 1, 2, 3]);
  const std = Math.sqrt(1.25);
  close(scale, std, 1e-12, 'scale');
  for (let i = 0; i < 5; i++) close(values[i], ([1, 2, 3, 4, 100][i] - 2.5) / std, 1e-12, `row ${i}`);
});

test('standardizeColumn stays finite for values near 1e300 and gives the same standard values as at 1', () => {
  const small = Float64Array.of(1.5, -2, 3.25, 0.5, 7);
  const huge = Float64Array.from(small, (v) => v * 1e300);
  const a = standardizeColumn(small, [0, 1, 2, 3]);
  const b = standardizeColumn(huge, [0, 1, 2, 3]);
  assert.ok(b.values.every(Number.isFinite), `standard values ${b.values}`);
  for (let i = 0; i < small.length; i++) close(b.values[i], a.values[i], 1e-12, `row ${i}`);
  close(b.scale / 1e300, a.scale, 1e-12, 'scale / 1e300');
  const extreme = standardizeColumn(Float64Array.of(1.7e308, -1.7e308, 1e308), [0, 1]);
  assert.deepEqual(Array.from(extreme.values), [1, -1, 1e308 / 1.7e308]);
  close(extreme.scale / 1.7e308, 1, 1e-12, 'scale of ±1.7e308');
});

test('standardizeColumn maps a column constant on the training rows to zeros there, without dividing by 0', () => {
  const { values, scale } = standardizeColumn(Float64Array.of(5, 5, 5, 10), [0, 1, 2]);
  assert.deepEqual(Array.from(values), [0, 0, 0, 0.5]);
  assert.equal(scale, 10);
  assert.deepEqual(standardizeColumn(new Float64Array(3), [0, 1]), { values: new Float64Array(3), scale: 1 });
});

test('summarizeSeeds agrees with summarize, and keeps mean and spread finite near 1e308', () => {
  const values = [0.81, 0.79, 0.9, 0.85];
  const robust = summarizeSeeds(values);
  const plain = summarize(values);
  close(robust.mean, plain.mean, 1e-15, 'mean');
  close(robust.spread, plain.spread, 1e-15, 'spread');
  assert.equal(summarizeSeeds([3]).spread, 0);
  const huge = summarizeSeeds([1.7e308, 1.5e308]);
  close(huge.mean / 1e308, 1.6, 1e-12, 'mean / 1e308');
  close(huge.spread / 1e307, Math.SQRT2, 1e-12, 'spread / 1e307');
});

test('solveSymmetric solves a positive definite system and refuses an indefinite one', () => {
  const x = solveSymmetric(Float64Array.of(4, 2, 2, 3), Float64Array.of(2, 1), 2);
  assert.ok(x);
  close(x[0], 0.5, 1e-15, 'x0');
  close(x[1], 0, 1e-15, 'x1');
  assert.equal(solveSymmetric(Float64Array.of(1, 2, 2, 1), Float64Array.of(1, 1), 2), undefined);
});

test('fitLeastSquares recovers exact coefficients and intercept from noiseless data', () => {
  const rows = 20;
  const x = new Float64Array(rows * 2);
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    x[r * 2] = Math.sin(r);
    x[r * 2 + 1] = Math.cos(3 * r);
    y[r] = 3 * x[r * 2] - 2 * x[r * 2 + 1] + 0.5;
  }
  const fit = fitLeastSquares(x, y, 2);
  close(fit.weights[0], 3, 1e-5, 'weight 0');
  close(fit.weights[1], -2, 1e-5, 'weight 1');
  close(fit.bias, 0.5, 1e-5, 'bias');
  const predictions = predictLinear(fit, x);
  for (let r = 0; r < rows; r++) close(predictions[r], y[r], 1e-5, `prediction ${r}`);
});

test('fitLeastSquares gives finite predictions for duplicate and all-zero columns (the ridge)', () => {
  const rows = 10;
  const x = new Float64Array(rows * 3);
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    x[r * 3] = r - 4.5;
    x[r * 3 + 1] = r - 4.5;
    y[r] = 2 * (r - 4.5);
  }
  const predictions = predictLinear(fitLeastSquares(x, y, 3), x);
  for (let r = 0; r < rows; r++) close(predictions[r], y[r], 1e-4, `prediction ${r}`);
});

/** The gradient of mean cross-entropy + (λ/2)‖W‖², computed independently of the fitter. */
function objectiveGradient(
  weights: Float64Array,
  x: Float64Array,
  labels: number[],
  width: number,
  classes: number,
) {
  const grad = Float64Array.from(weights, (w) => softmaxRidge * w);
  for (let r = 0; r < labels.length; r++) {
    const row = x.subarray(r * width, (r + 1) * width);
    const logits = Array.from({ length: classes }, (_, k) =>
      row.reduce((s, v, c) => s + v * weights[k * (width + 1) + c], weights[k * (width + 1) + width]),
    );
    const max = Math.max(...logits);
    const exps = logits.map((z) => Math.exp(z - max));
    const total = exps.reduce((s, e) => s + e, 0);
    for (let k = 0; k < classes; k++) {
      const g = (exps[k] / total - (labels[r] === k ? 1 : 0)) / labels.length;
      for (let c = 0; c < width; c++) grad[k * (width + 1) + c] += g * row[c];
      grad[k * (width + 1) + width] += g;
    }
  }
  return grad;
}

test('fitSoftmaxRegression reaches the optimum of the ridge-regularised cross-entropy (zero gradient)', () => {
  const labels = [0, 1, 2, 0, 1, 2, 1, 0, 2, 1, 0, 2, 2, 1];
  const x = Float64Array.from(
    { length: labels.length * 2 },
    (_, i) => Math.sin(1.7 * i) + (i % 2 ? 0.3 : -0.2),
  );
  const fit = fitSoftmaxRegression(x, Float64Array.from(labels), 2, 3);
  const grad = objectiveGradient(fit.weights, x, labels, 2, 3);
  assert.ok(
    grad.every((g) => Math.abs(g) < 1e-7),
    `gradient at the returned weights: ${Array.from(grad)}`,
  );
  const again = fitSoftmaxRegression(x, Float64Array.from(labels), 2, 3);
  assert.deepEqual(again.weights, fit.weights, 'deterministic');
});

test('fitSoftmaxRegression separates separable classes with finite weights and probabilities', () => {
  const x = Float64Array.of(-3, -2, -1, 1, 2, 3);
  const fit = fitSoftmaxRegression(x, Float64Array.of(0, 0, 0, 1, 1, 1), 1, 2);
  assert.ok(fit.weights.every(Number.isFinite), `weights ${fit.weights}`);
  const p = softmaxProbabilities(fit, Float64Array.of(-2.5, 2.5));
  assert.ok(p[0] > 0.95 && p[3] > 0.95, `probabilities ${Array.from(p)}`);
  close(p[0] + p[1], 1, 1e-12, 'row sums to 1');
  const grad = objectiveGradient(fit.weights, x, [0, 0, 0, 1, 1, 1], 1, 2);
  assert.ok(
    grad.every((g) => Math.abs(g) < 1e-7),
    `gradient ${Array.from(grad)}`,
  );
});
