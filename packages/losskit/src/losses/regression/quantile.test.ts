import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertClose } from '../../../../../test/helpers/assert-close.js';
import { inputTargetGradcheck } from '../../../../../test/helpers/gradcheck.js';
import { assertLossInputError } from '../../../../../test/helpers/loss-errors.js';
import { losses, mae, quantile } from '../../index.js';

const check = inputTargetGradcheck(losses.quantile);
const exact = { rtol: 0, atol: 0 };

test('quantile weighs under-prediction by τ and over-prediction by 1 − τ', () => {
  const value = quantile([0, 0, 2], [1, -1, 2], { quantile: 0.9, reduction: 'none' });
  assertClose(value, { shape: [3], data: [0.9, 0.1 * 1, 0] }, { rtol: 1e-15, atol: 0 }, 'value');
});

test('quantile at τ = 0.5 (the default) is half the mean absolute error', () => {
  const input = [0.3, -2, 5, 1.25];
  const target = [1, 1, -3, 1.25];
  assertClose(
    quantile(input, target),
    { shape: [], data: [0.5 * mae(input, target).item()] },
    exact,
    'value',
  );
});

test('quantile gradient is −τ below the target, 1 − τ above it and 0 on it', () => {
  const { grads } = losses.quantile.valueAndGrad(
    { input: [0, 3, 1], target: [1, 2, 1] },
    { quantile: 0.25, reduction: 'sum' },
  );
  assertClose(grads.input, { shape: [3], data: [-0.25, 0.75, 0] }, exact, 'grad');
});

test('a list of levels scores entry k of every row at τₖ: each column equals a one-level call on it', () => {
  const input = [
    [0.1, 0.5, 2],
    [-1, 0.3, 0.8],
    [2, 2, 2],
    [0, -0.4, 1.1],
  ];
  const target = [
    [0.4, 0.2, 1],
    [0.5, 0.3, 3],
    [1, 3, 1.5],
    [-1, 0.6, 1],
  ];
  const levels = [0.1, 0.5, 0.9];
  const all = losses.quantile.valueAndGrad({ input, target }, { quantile: levels, reduction: 'none' });
  levels.forEach((tau, k) => {
    const column = losses.quantile.valueAndGrad(
      { input: input.map((r) => r[k]), target: target.map((r) => r[k]) },
      { quantile: tau, reduction: 'none' },
    );
    for (let row = 0; row < input.length; row++) {
      assert.equal(all.value.data[row * 3 + k], column.value.data[row], `value [${row}, ${k}]`);
      assert.equal(all.grads.input.data[row * 3 + k], column.grads.input.data[row], `grad [${row}, ${k}]`);
    }
  });
});

test('quantile analytic gradient equals central differences, one level or a list, for every reduction', () => {
  const input = [
    [0.7, -1.2, 3],
    [0.1, 2.2, -0.4],
  ];
  const target = [
    [1, 0.5, -2],
    [0.3, 2, 1.5],
  ];
  check(input, target);
  check(input, target, { quantile: 0.05, reduction: 'sum' });
  check(input, target, { quantile: [0.2, 0.5, 0.95] });
  check(input, target, { quantile: [0.2, 0.5, 0.95], reduction: 'none' }, [
    [1, -2, 0.5],
    [3, 0.25, -1],
  ]);
});

test('quantile is finite for residuals up to the float range', () => {
  const { value, grads } = losses.quantile.valueAndGrad(
    { input: [-1e308, 1e308], target: [0, 0] },
    { quantile: 0.3, reduction: 'none' },
  );
  assertClose(value, { shape: [2], data: [0.3e308, 0.7e308] }, { rtol: 1e-15, atol: 0 }, 'value');
  assert.deepEqual(Array.from(grads.input.data), [-0.3, 0.7]);
});

test('quantile rejects levels outside (0, 1), naming options.quantile and the bad entry', () => {
  for (const bad of [0, 1, -0.5, 1.5, Number.NaN]) {
    assertLossInputError(() => quantile([1], [2], { quantile: bad }), {
      loss: 'quantile',
      argument: 'options.quantile',
      message: /must be a number in \(0, 1\), or a non-empty list/,
    });
  }
  assertLossInputError(() => quantile([[1, 2]], [[2, 3]], { quantile: [0.5, 1] }), {
    loss: 'quantile',
    argument: 'options.quantile',
    message: /got 1 at position 1/,
  });
  assertLossInputError(() => quantile([[1, 2]], [[2, 3]], { quantile: [] }), {
    loss: 'quantile',
    argument: 'options.quantile',
    message: /got an empty list/,
  });
});

test('a list of levels must have one level per entry of the last axis', () => {
  assertLossInputError(() => quantile([[1, 2, 3]], [[1, 2, 3]], { quantile: [0.1, 0.9] }), {
    loss: 'quantile',
    argument: 'options.quantile',
    message: /has 2 levels but the input has a last axis of 3 \(shape \[1, 3\]\)/,
  });
  assertLossInputError(() => quantile(1, 2, { quantile: [0.5] }), {
    loss: 'quantile',
    argument: 'options.quantile',
    message: /a 0-d input/,
  });
});

test('quantile rejects inputs of different shapes, naming both', () => {
  assertLossInputError(() => quantile([1, 2], [1, 2, 3]), {
    loss: 'quantile',
    argument: 'target',
    message: /shape \[3\] does not match input shape \[2\]/,
  });
});
