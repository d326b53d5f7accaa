import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertClose } from '../../../../../test/helpers/assert-close.js';
import { inputTargetGradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import type { LossEntry } from '../../index.js';
import { squaredHinge, squaredHingeLoss } from './squaredHinge.js';

const check = inputTargetGradcheck(squaredHingeLoss as unknown as LossEntry);
const rejects = lossInputErrorAsserter('squaredHinge');

const scores = [0.3, -1.7, 2.4, -0.2, 0.9, -3.1];
const signs = [1, -1, -1, 1, 1, -1];

describe('squaredHinge', () => {
  test('is max(0, 1 − y·x)² element by element (Keras squared_hinge)', () => {
    const expected = scores.map((x, i) => Math.max(0, 1 - signs[i] * x) ** 2);
    assertClose(
      squaredHinge(scores, signs, { reduction: 'none' }),
      { shape: [6], data: expected },
      { rtol: 1e-15, atol: 0 },
      'none',
    );
  });

  test('labels all in {0, 1} give what the ±1 labels give', () => {
    const a = squaredHingeLoss.valueAndGrad({ input: scores, target: signs.map((y) => (y + 1) / 2) });
    const b = squaredHingeLoss.valueAndGrad({ input: scores, target: signs });
    assert.equal(a.value.item(), b.value.item());
    assert.deepEqual([...a.grads.input.data], [...b.grads.input.data]);
  });

  test('the gradient −2y·max(0, 1 − y·x) is continuous: 0 at the margin and beyond it', () => {
    const { grads } = squaredHingeLoss.valueAndGrad(
      { input: [1, 3, 0.5], target: [1, 1, -1] },
      { reduction: 'sum' },
    );
    assertClose(grads.input, { shape: [3], data: [0, 0, 3] }, { rtol: 0, atol: 0 }, 'grad');
  });

  test('gradients match central differences (±1 and 0/1 labels, every reduction, an upstream)', () => {
    const x = [
      [0.3, -1.7, 2.4],
      [-0.2, 0.9, -3.1],
    ];
    check(x, [
      [1, -1, -1],
      [1, 1, -1],
    ]);
    check(
      x,
      [
        [1, 0, 0],
        [1, 1, 0],
      ],
      { reduction: 'sum' },
    );
    check(
      x,
      [
        [0, 1, 1],
        [0, 0, 1],
      ],
      { reduction: 'none' },
      [
        [1, -2, 0.5],
        [3, 1, -1],
      ],
    );
  });

  test('scores of ±1e4 give the exact finite loss in float32 and float64', () => {
    for (const data of [new Float64Array([1e4, -1e4]), new Float32Array([1e4, -1e4])]) {
      const { value, grads } = squaredHingeLoss.valueAndGrad(
        { input: { shape: [2], data }, target: [-1, -1] },
        { reduction: 'none' },
      );
      // 10001² needs 27 bits: float32 holds it to its 24-bit precision.
      assertClose(value, { shape: [2], data: [10001 ** 2, 0] }, { rtol: 1e-7, atol: 0 }, 'value');
      assertClose(grads.input, { shape: [2], data: [2 * 10001, 0] }, { rtol: 0, atol: 0 }, 'grad');
    }
  });

  test('any other label, or 0s mixed with −1s, is an error naming the label', () => {
    rejects(() => squaredHinge([1, 2], [1, -2]), 'target', /label -2 at index \[1\] must be -1 or 1/);
    rejects(() => squaredHinge([1, 2], [-1, 0]), 'target', /mixes 0 .* and -1/);
    rejects(() => squaredHinge([1, 2], [1]), 'target', /shape \[1\] does not match input shape \[2\]/);
  });
});
