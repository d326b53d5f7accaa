import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertClose } from '../../../../../test/helpers/assert-close.js';
import { inputTargetGradcheck } from '../../../../../test/helpers/gradcheck.js';
import { assertLossInputError } from '../../../../../test/helpers/loss-errors.js';
import { losses, meanSquaredLogarithmicError } from '../../index.js';

const check = inputTargetGradcheck(losses.meanSquaredLogarithmicError);

test('meanSquaredLogarithmicError is (log(1 + x) − log(1 + y))² for non-negative values', () => {
  const input = [0.5, 3, 100, 0.25];
  const target = [1, 0.2, 10, 4];
  const expected = input.map((x, i) => (Math.log(1 + x) - Math.log(1 + target[i])) ** 2);
  assertClose(
    meanSquaredLogarithmicError(input, target, { reduction: 'none' }),
    { shape: [4], data: expected },
    { rtol: 1e-12, atol: 1e-12 },
    'value',
  );
});

test('meanSquaredLogarithmicError reads values below 1e-7 as 1e-7, and gives such inputs no gradient', () => {
  const clipped = losses.meanSquaredLogarithmicError.valueAndGrad(
    { input: [-5, -1e-3, 1e-8], target: [2, 2, 2] },
    { reduction: 'none' },
  );
  const atFloor = meanSquaredLogarithmicError([1e-7], [2], { reduction: 'sum' }).item();
  for (const v of clipped.value.data) assert.equal(v, atFloor);
  assert.deepEqual(Array.from(clipped.grads.input.data), [0, 0, 0]);
  // A negative target counts as 1e-7 as well.
  assert.equal(
    meanSquaredLogarithmicError([3], [-4], { reduction: 'sum' }).item(),
    meanSquaredLogarithmicError([3], [1e-7], { reduction: 'sum' }).item(),
  );
});

test('meanSquaredLogarithmicError passes the gradient at x = 1e-7 exactly (the clip includes its end), 2r/(x + 1)', () => {
  const { grads } = losses.meanSquaredLogarithmicError.valueAndGrad(
    { input: [1e-7, 2], target: [1, 0.5] },
    { reduction: 'sum' },
  );
  const r0 = Math.log1p(1e-7) - Math.log(2);
  const r1 = Math.log(3) - Math.log(1.5);
  assertClose(
    grads.input,
    { shape: [2], data: [(2 * r0) / (1 + 1e-7), (2 * r1) / 3] },
    { rtol: 1e-14, atol: 0 },
    'grad',
  );
});

test('meanSquaredLogarithmicError analytic gradient equals central differences for every reduction', () => {
  const input = [
    [0.7, 1.2, 3],
    [0.1, 2.2, 0.4],
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

test('meanSquaredLogarithmicError is finite at the top of the float range (log1p(1e308) ≈ 709; a 0 target reads as 1e-7)', () => {
  const { value, grads } = losses.meanSquaredLogarithmicError.valueAndGrad({ input: [1e308], target: [0] });
  assertClose(
    value,
    { shape: [], data: [(Math.log(1e308) - Math.log1p(1e-7)) ** 2] },
    { rtol: 1e-12, atol: 0 },
    'value',
  );
  assert.ok(Number.isFinite(grads.input.item()) && grads.input.item() > 0);
});

test('meanSquaredLogarithmicError rejects inputs of different shapes, naming both', () => {
  assertLossInputError(() => meanSquaredLogarithmicError([1, 2, 3], [1, 2]), {
    loss: 'meanSquaredLogarithmicError',
    argument: 'target',
    message: /shape \[2\] does not match input shape \[3\]/,
  });
});
