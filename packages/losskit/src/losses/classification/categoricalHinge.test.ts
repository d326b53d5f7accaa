import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertClose } from '../../../../../test/helpers/assert-close.js';
import { inputTargetGradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import type { LossEntry } from '../../index.js';
import { categoricalHinge, categoricalHingeLoss } from './categoricalHinge.js';

const check = inputTargetGradcheck(categoricalHingeLoss as unknown as LossEntry);
const rejects = lossInputErrorAsserter('categoricalHinge');

/** Keras's categorical_hinge written out for one row: max(0, max((1 − y)·x) − Σ y·x + 1). */
function kerasRow(x: number[], y: number[]): number {
  const pos = x.reduce((s, v, c) => s + y[c] * v, 0);
  const neg = Math.max(...x.map((v, c) => (1 - y[c]) * v));
  return Math.max(0, neg - pos + 1);
}

const x = [
  [0.4, -1.2, 0.9, 0.1],
  [2.5, 0.3, -0.7, 1.1],
  [-0.6, -0.2, -1.5, 0.2],
];
const y = [
  [0, 0, 1, 0],
  [1, 0, 0, 0],
  [0, 0.2, 0, 0.8],
];

describe('categoricalHinge', () => {
  test('matches Keras’s formula row by row, one-hot and soft targets alike', () => {
    const expected = x.map((row, r) => kerasRow(row, y[r]));
    assertClose(
      categoricalHinge(x, y, { reduction: 'none' }),
      { shape: [3], data: expected },
      { rtol: 1e-15, atol: 0 },
      'none',
    );
  });

  test('takes max((1 − y)·x) literally: the true class enters the max as 0', () => {
    // Every wrong score is negative, so the max is the true class's 0: ℓ = max(0, 1 − x_y).
    assert.equal(categoricalHinge([0.25, -1, -2], [1, 0, 0]).item(), 0.75);
    // Were the max over the wrong classes only, this would be max(0, 1 − 1 − 0.25) = 0.
  });

  test('inside the margin the gradient is −1 on the true class and +1 on the best wrong class', () => {
    const { grads } = categoricalHingeLoss.valueAndGrad(
      { input: [0.2, 0.5, -1], target: [1, 0, 0] },
      { reduction: 'sum' },
    );
    assertClose(grads.input, { shape: [3], data: [-1, 1, 0] }, { rtol: 0, atol: 0 }, 'grad');
    const met = categoricalHingeLoss.valueAndGrad(
      { input: [3, 0.5, -1], target: [1, 0, 0] },
      { reduction: 'sum' },
    );
    assert.deepEqual([...met.grads.input.data], [0, 0, 0]);
  });

  test('an unbatched [C] row gives a 0-d value', () => {
    const value = categoricalHinge([0.4, -1.2, 0.9, 0.1], [0, 0, 1, 0], { reduction: 'none' });
    assert.deepEqual(value.shape, []);
    assert.equal(value.item(), kerasRow([0.4, -1.2, 0.9, 0.1], [0, 0, 1, 0]));
  });

  test('gradients match central differences for every reduction and an upstream', () => {
    check(x, y);
    check(x, y, { reduction: 'sum' });
    check(x, y, { reduction: 'none' }, [2, -1, 0.5]);
  });

  test('scores of ±1e4 give the exact finite loss in float32 and float64', () => {
    for (const data of [new Float64Array([-1e4, 1e4, 0]), new Float32Array([-1e4, 1e4, 0])]) {
      const { value, grads } = categoricalHingeLoss.valueAndGrad({
        input: { shape: [3], data },
        target: [1, 0, 0],
      });
      assert.equal(value.item(), 20001);
      assertClose(grads.input, { shape: [3], data: [-1, 1, 0] }, { rtol: 0, atol: 0 }, 'grad');
    }
  });

  test('targets outside [0, 1] and mismatched shapes are errors naming the target', () => {
    rejects(
      () => categoricalHinge([1, 2], [1.5, 0]),
      'target',
      /target value 1.5 at index \[0\] is outside \[0, 1\]/,
    );
    rejects(() => categoricalHinge([1, 2], [1, -1]), 'target', /target value -1 at index \[1\]/);
    rejects(
      () => categoricalHinge([[1, 2]], [1, 0]),
      'target',
      /shape \[2\] does not match input shape \[1, 2\]/,
    );
    rejects(() => categoricalHinge(3, 1), 'input', /must have shape \[\.\.\., C\]/);
  });
});
