import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertClose } from '../../../../../test/helpers/assert-close.js';
import { inputTargetGradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import type { LossEntry } from '../../index.js';
import { hinge, hingeLoss } from './hinge.js';

const check = inputTargetGradcheck(hingeLoss as unknown as LossEntry);
const rejects = lossInputErrorAsserter('hinge');

const scores = [0.3, -1.7, 2.4, -0.2, 0.9, -3.1];
const signs = [1, -1, -1, 1, 1, -1];

describe('hinge', () => {
  test('is the mean of max(0, 1 − y·x) (Keras hinge), element by element under none', () => {
    const expected = scores.map((x, i) => Math.max(0, 1 - signs[i] * x));
    assertClose(
      hinge(scores, signs, { reduction: 'none' }),
      { shape: [6], data: expected },
      { rtol: 0, atol: 0 },
      'none',
    );
    const mean = expected.reduce((a, b) => a + b, 0) / 6;
    assertClose(hinge(scores, signs), { shape: [], data: [mean] }, { rtol: 1e-15, atol: 0 }, 'mean');
  });

  test('labels all in {0, 1} are read as 0 → −1: the same value and gradient as the ±1 labels', () => {
    const zeroOne = signs.map((y) => (y + 1) / 2);
    const a = hingeLoss.valueAndGrad({ input: scores, target: zeroOne });
    const b = hingeLoss.valueAndGrad({ input: scores, target: signs });
    assert.equal(a.value.item(), b.value.item());
    assert.deepEqual([...a.grads.input.data], [...b.grads.input.data]);
    // A target of only 1s reads the same either way.
    assert.equal(hinge([0.5, -0.5], [1, 1]).item(), 1);
  });

  test('at the margin (y·x = 1) the value is 0 and the gradient −y passes, as pairwiseHinge', () => {
    const { value, grads } = hingeLoss.valueAndGrad(
      { input: [1, -1, 2], target: [1, -1, 1] },
      { reduction: 'sum' },
    );
    assert.equal(value.item(), 0);
    assert.deepEqual([...grads.input.data], [-1, 1, 0]);
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
      const { value, grads } = hingeLoss.valueAndGrad(
        { input: { shape: [2], data }, target: [-1, -1] },
        { reduction: 'none' },
      );
      assert.deepEqual([...value.data], [10001, 0]);
      assert.deepEqual([...grads.input.data], [1, 0]);
    }
  });

  test('any other label, or 0s mixed with −1s, is an error naming the label', () => {
    rejects(
      () => hinge([1, 2, 3], [1, 2, -1]),
      'target',
      /label 2 at index \[1\] must be -1 or 1 \(or 0 or 1 for every label\)/,
    );
    rejects(
      () => hinge([1, 2, 3], [0, 1, -1]),
      'target',
      /mixes 0 \(at index \[0\]\) and -1 \(at index \[2\]\)/,
    );
    rejects(() => hinge([1, 2, 3], [0.5, 1, 1]), 'target', /label 0.5/);
    rejects(() => hinge([1, 2, 3], [[1, 1, 1]]), 'target', /shape \[1, 3\] does not match input shape \[3\]/);
  });
});
