import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { assertClose } from '../../../../../test/helpers/assert-close.js';
import { gradcheck } from '../../../../../test/helpers/gradcheck.js';
import { assertLossInputError } from '../../../../../test/helpers/loss-errors.js';
import { huber, LossInputError, losses, mae, smoothL1 } from '../../index.js';

const sum = (values: ArrayLike<number>): number => Array.from(values).reduce((a, b) => a + b, 0);

const exact = { rtol: 0, atol: 0 };
const pairs = fc.integer({ min: 1, max: 12 }).chain((n) => {
  const values = fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: n, maxLength: n });
  return fc.tuple(values, values);
});

test('smoothL1 is ½d²/β inside β and |d| − ½β outside', () => {
  const value = smoothL1([0.5, -3, 0], [0, 0, 2], { beta: 2, reduction: 'none' });
  assertClose(value, { shape: [3], data: [0.0625, 2, 1] }, exact, 'value');
  const { grads } = losses.smoothL1.valueAndGrad(
    { input: [0.5, -3, 0], target: [0, 0, 2] },
    { beta: 2, reduction: 'sum' },
  );
  assertClose(grads.input, { shape: [3], data: [0.25, -1, -1] }, exact, 'grad');
});

test('smoothL1 with beta 0 is exactly mae, gradient 0 at a zero residual included', () => {
  const input = [1.5, -2, 3, 0.25];
  const target = [1, 1, 3, 0.5];
  const a = losses.smoothL1.valueAndGrad({ input, target }, { beta: 0 });
  const b = losses.mae.valueAndGrad({ input, target });
  assertClose(a.value, b.value, exact, 'value');
  assertClose(a.grads.input, b.grads.input, exact, 'grad');
  assert.equal(a.grads.input.data[2], 0);
  assert.equal(
    smoothL1(input, target, { beta: 0, reduction: 'sum' }).item(),
    mae(input, target, { reduction: 'sum' }).item(),
  );
});

test('huber with delta 1 equals smoothL1 with beta 1, value and gradient', () => {
  fc.assert(
    fc.property(pairs, ([input, target]) => {
      const h = losses.huber.valueAndGrad({ input, target }, { delta: 1, reduction: 'none' });
      const s = losses.smoothL1.valueAndGrad({ input, target }, { beta: 1, reduction: 'none' });
      assertClose(s.value, h.value, { rtol: 1e-14, atol: 1e-15 }, 'value');
      assertClose(s.grads.input, h.grads.input, { rtol: 1e-14, atol: 1e-15 }, 'grad');
    }),
  );
});

test('huber with delta δ equals δ times smoothL1 with beta δ', () => {
  fc.assert(
    fc.property(pairs, fc.double({ min: 0.01, max: 5, noNaN: true }), ([input, target], delta) => {
      const h = huber(input, target, { delta, reduction: 'sum' }).item();
      const s = smoothL1(input, target, { beta: delta, reduction: 'sum' }).item();
      assert.ok(
        Math.abs(h - delta * s) <= 1e-12 * (1 + Math.abs(h)),
        `huber ${h} vs δ·smoothL1 ${delta * s}`,
      );
    }),
  );
});

test("smoothL1 'mean' equals the mean of 'none'", () => {
  fc.assert(
    fc.property(pairs, fc.double({ min: 0, max: 3, noNaN: true }), ([input, target], beta) => {
      const units = smoothL1(input, target, { beta, reduction: 'none' }).data;
      const mean = sum(units) / units.length;
      assertClose(
        smoothL1(input, target, { beta }),
        { shape: [], data: [mean] },
        { rtol: 1e-12, atol: 1e-12 },
        'mean',
      );
    }),
  );
});

test('smoothL1 gradient matches central differences for a small beta and an upstream', () => {
  gradcheck(
    losses.smoothL1 as never,
    {
      input: { shape: [2, 3], data: [0.05, -0.3, 2, 0.01, 1, -0.08] },
      target: { shape: [2, 3], data: [0, 0, 0, 0, 0.5, 0] },
    },
    { beta: 0.1, reduction: 'none' },
    { shape: [2, 3], data: [1, -2, 0.5, 3, 1, -1] },
  );
});

test('smoothL1 rejects a negative or non-finite beta', () => {
  for (const beta of [-0.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(
      () => smoothL1([1], [0], { beta }),
      (e: unknown) => e instanceof LossInputError && e.argument === 'options.beta' && />= 0/.test(e.message),
      String(beta),
    );
  }
});

test('smoothL1 rejects inputs of different shapes, naming both shapes', () => {
  assertLossInputError(() => smoothL1([1, 2, 3], [[1, 2, 3]]), {
    argument: 'target',
    message: /\[1, 3\] does not match input shape \[3\]/,
  });
});
