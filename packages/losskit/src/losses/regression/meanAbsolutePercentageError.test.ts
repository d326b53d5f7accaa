import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertClose } from '../../../../../test/helpers/assert-close.js';
import { inputTargetGradcheck } from '../../../../../test/helpers/gradcheck.js';
import { assertLossInputError } from '../../../../../test/helpers/loss-errors.js';
import { LossInputError, losses, meanAbsolutePercentageError } from '../../index.js';

const check = inputTargetGradcheck(losses.meanAbsolutePercentageError);

test('meanAbsolutePercentageError is the error in percent of the target', () => {
  // 10 % over and 10 % under.
  assert.equal(meanAbsolutePercentageError([110, 45], [100, 50]).item(), 10);
  // Negative targets count by their magnitude.
  assert.equal(meanAbsolutePercentageError([-3], [-2], { reduction: 'sum' }).item(), 50);
});

test('meanAbsolutePercentageError floors |target| at 1e-7 (Keras epsilon)', () => {
  const value = meanAbsolutePercentageError([1e-9, 2e-7, -1], [0, 1e-8, 0], { reduction: 'none' });
  assertClose(value, { shape: [3], data: [1, 190, 1e9] }, { rtol: 1e-14, atol: 0 }, 'value');
});

test('meanAbsolutePercentageError gradient is ±100/max(|y|, 1e-7), and 0 where x = y', () => {
  const { grads } = losses.meanAbsolutePercentageError.valueAndGrad(
    { input: [3, 1, 2, 5], target: [2, 4, 2, 0] },
    { reduction: 'sum' },
  );
  assertClose(grads.input, { shape: [4], data: [50, -25, 0, 1e9] }, { rtol: 1e-15, atol: 0 }, 'grad');
});

test('meanAbsolutePercentageError analytic gradient equals central differences for every reduction', () => {
  const input = [
    [0.7, -1.2, 3],
    [0.1, 2.2, -0.4],
  ];
  const target = [
    [1, 0.5, -2],
    [0.3, 2, 1.5],
  ];
  check(input, target);
  check(input, target, { reduction: 'sum' });
  check(input, target, { reduction: 'none' }, [
    [1, -2, 0.5],
    [3, 0.25, -1],
  ]);
});

test('meanAbsolutePercentageError is finite for large inputs, and names an overflow', () => {
  const { value, grads } = losses.meanAbsolutePercentageError.valueAndGrad({ input: [1e300], target: [1] });
  assert.equal(value.item(), 1e302);
  assert.equal(grads.input.item(), 100);
  // 100·1e308/1e-7 is beyond float64: an error, not Infinity.
  assert.throws(
    () => meanAbsolutePercentageError([1e308], [0]),
    (e: unknown) =>
      e instanceof LossInputError && e.loss === 'meanAbsolutePercentageError' && /overflow/.test(e.message),
  );
});

test('meanAbsolutePercentageError rejects inputs of different shapes, naming both', () => {
  assertLossInputError(() => meanAbsolutePercentageError([[1, 2]], [1, 2]), {
    loss: 'meanAbsolutePercentageError',
    argument: 'target',
    message: /shape \[2\] does not match input shape \[1, 2\]/,
  });
});
