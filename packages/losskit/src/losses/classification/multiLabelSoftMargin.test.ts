import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertClose } from '../../../../../test/helpers/assert-close.js';
import { inputTargetGradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import type { LossEntry } from '../../index.js';
import { binaryCrossEntropyWithLogits } from './binaryCrossEntropyWithLogits.js';
import { multiLabelSoftMargin, multiLabelSoftMarginLoss } from './multiLabelSoftMargin.js';

const check = inputTargetGradcheck(multiLabelSoftMarginLoss as unknown as LossEntry);
const rejects = lossInputErrorAsserter('multiLabelSoftMargin');

const x = [
  [0.4, -1.2, 0.9],
  [2.5, 0.3, -0.7],
];
const y = [
  [1, 0, 1],
  [0, 0, 1],
];
const weight = [0.5, 1, 2];

describe('multiLabelSoftMargin', () => {
  test('each row is the class-weighted mean of the per-class binary cross-entropies of the logits', () => {
    const bce = binaryCrossEntropyWithLogits(x, y, { reduction: 'none' }).data;
    const expected = [0, 1].map((r) => [0, 1, 2].reduce((s, c) => s + weight[c] * bce[3 * r + c], 0) / 3);
    assertClose(
      multiLabelSoftMargin(x, y, { weight, reduction: 'none' }),
      { shape: [2], data: expected },
      { rtol: 1e-14, atol: 0 },
      'none',
    );
    // Unweighted, its mean over rows is the mean binary cross-entropy over every element.
    assertClose(
      multiLabelSoftMargin(x, y),
      binaryCrossEntropyWithLogits(x, y),
      { rtol: 1e-14, atol: 0 },
      'mean',
    );
  });

  test('an unbatched [C] row gives a 0-d value', () => {
    const value = multiLabelSoftMargin([0.4, -1.2, 0.9], [1, 0, 1], { reduction: 'none' });
    assert.deepEqual(value.shape, []);
  });

  test('gradients match central differences with and without class weights, every reduction, an upstream', () => {
    check(x, y);
    check(x, y, { weight, reduction: 'sum' });
    check(x, y, { weight, reduction: 'none' }, [1.5, -2]);
  });

  test('scores of ±1e4 give the exact finite loss in float32 and float64', () => {
    for (const data of [new Float64Array([1e4, -1e4]), new Float32Array([1e4, -1e4])]) {
      const { value, grads } = multiLabelSoftMarginLoss.valueAndGrad(
        { input: { shape: [1, 2], data }, target: [[0, 1]] },
        { reduction: 'sum' },
      );
      // Both labels are wrong by 1e4: (1e4 + 1e4)/2; gradients (σ(x) − y)/C = ±1/2.
      assert.equal(value.item(), 1e4);
      assert.deepEqual([...grads.input.data], [0.5, -0.5]);
    }
  });

  test('targets other than 0 and 1, bad weights and mismatched shapes are errors naming the argument', () => {
    rejects(
      () =>
        multiLabelSoftMargin(x, [
          [1, 0.5, 1],
          [0, 0, 1],
        ]),
      'target',
      /label 0.5 at index \[0, 1\] must be 0 or 1/,
    );
    rejects(
      () => multiLabelSoftMargin(x, [[1, 0, 1]]),
      'target',
      /shape \[1, 3\] does not match input shape \[2, 3\]/,
    );
    rejects(() => multiLabelSoftMargin(x, y, { weight: [1, 2] }), 'options.weight', /must have shape \[3\]/);
    rejects(() => multiLabelSoftMargin(x, y, { weight: [1, -2, 1] }), 'options.weight', /negative/);
  });
});
