import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { assertClose } from '../../../../../test/helpers/assert-close.js';
import { assertLossInputError } from '../../../../../test/helpers/loss-errors.js';
import { losses, mae } from '../../index.js';

const sum = (values: ArrayLike<number>): number => Array.from(values).reduce((a, b) => a + b, 0);

const pairs = fc.integer({ min: 1, max: 12 }).chain((n) => {
  const values = fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: n, maxLength: n });
  return fc.tuple(values, values);
});

test('mae is the mean absolute residual', () => {
  assert.equal(mae([1, 2, 3, -1], [1, 0, 4, 1]).item(), (0 + 2 + 1 + 2) / 4);
});

test('mae gradient is sign(x − y) / n, and 0 where the residual is 0 (torch l1_loss)', () => {
  const { grads } = losses.mae.valueAndGrad({ input: [3, -2, 5, 0.5], target: [1, 2, 5, 0.25] });
  assertClose(grads.input, { shape: [4], data: [0.25, -0.25, 0, 0.25] }, { rtol: 0, atol: 0 }, 'grad');
});

test('an outlier moves the mae gradient no more than any other residual', () => {
  const small = losses.mae.valueAndGrad({ input: [1.5], target: [1] }).grads.input.item();
  const huge = losses.mae.valueAndGrad({ input: [1e12], target: [1] }).grads.input.item();
  assert.equal(small, huge);
});

test("mae 'mean' equals the mean of 'none', and 'sum' its sum", () => {
  fc.assert(
    fc.property(pairs, ([x, y]) => {
      const units = mae(x, y, { reduction: 'none' }).data;
      const total = sum(units);
      assertClose(
        mae(x, y),
        { shape: [], data: [total / units.length] },
        { rtol: 1e-12, atol: 1e-12 },
        'mean',
      );
      assertClose(
        mae(x, y, { reduction: 'sum' }),
        { shape: [], data: [total] },
        { rtol: 1e-12, atol: 1e-12 },
        'sum',
      );
    }),
  );
});

test('mae rejects inputs of different shapes, naming both shapes', () => {
  assertLossInputError(() => mae([[1], [2], [3]], [1, 2, 3]), {
    loss: 'mae',
    argument: 'target',
    message: /\[3\] does not match input shape \[3, 1\]/,
  });
});
