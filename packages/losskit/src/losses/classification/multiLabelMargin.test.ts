import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertClose } from '../../../../../test/helpers/assert-close.js';
import { inputTargetGradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import type { LossEntry } from '../../index.js';
import { multiLabelMargin, multiLabelMarginLoss } from './multiLabelMargin.js';

const check = inputTargetGradcheck(multiLabelMarginLoss as unknown as LossEntry);
const rejects = lossInputErrorAsserter('multiLabelMargin');

const row = [0.3, -0.2, 0.9, 0.1];

describe('multiLabelMargin', () => {
  test('torch’s documented example: x = [0.1, 0.2, 0.4, 0.8], targets [3, 0, −1, 1] give 0.85', () => {
    assertClose(
      multiLabelMargin([[0.1, 0.2, 0.4, 0.8]], [[3, 0, -1, 1]]),
      { shape: [], data: [0.85] },
      { rtol: 1e-12, atol: 0 },
      'value',
    );
  });

  test('the first −1 ends the list: what follows it is ignored', () => {
    assert.equal(
      multiLabelMargin([row], [[2, -1, 0, 1]]).item(),
      multiLabelMargin([row], [[2, -1, -1, -1]]).item(),
    );
  });

  test('a class listed twice counts twice, as torch (values from PyTorch 1.13)', () => {
    const { value, grads } = multiLabelMarginLoss.valueAndGrad({ input: [row], target: [[2, 2, 0, -1]] });
    assertClose(value, { shape: [], data: [0.425] }, { rtol: 1e-12, atol: 0 }, 'value');
    assertClose(
      grads.input,
      { shape: [1, 4], data: [-0.5, 0.25, -0.5, 0.75] },
      { rtol: 1e-12, atol: 0 },
      'grad',
    );
    assertClose(
      multiLabelMargin([row], [[2, 0, -1, -1]]),
      { shape: [], data: [0.375] },
      { rtol: 1e-12, atol: 0 },
      'once',
    );
  });

  test('a row whose list is empty (a leading −1) has loss 0 and a zero gradient', () => {
    const { value, grads } = multiLabelMarginLoss.valueAndGrad({ input: [row], target: [[-1, 2, 0, 1]] });
    assert.equal(value.item(), 0);
    assert.deepEqual([...grads.input.data], [0, 0, 0, 0]);
  });

  test('an unbatched [C] row gives a 0-d value', () => {
    const value = multiLabelMargin(row, [2, 0, -1, -1], { reduction: 'none' });
    assert.deepEqual(value.shape, []);
    assertClose(value, { shape: [], data: [0.375] }, { rtol: 1e-12, atol: 0 }, 'value');
  });

  test('gradients match central differences for every reduction and an upstream', () => {
    const x = [
      [0.4, -1.2, 0.9, 0.15],
      [0.5, 0.3, -0.7, 1.1],
      [-0.6, -0.2, -1.5, 0.35],
    ];
    const y = [
      [2, 0, -1, -1],
      [0, -1, 3, 1],
      [3, 1, 2, 0],
    ];
    check(x, y);
    check(x, y, { reduction: 'sum' });
    check(x, y, { reduction: 'none' }, [1, -2, 0.5]);
  });

  test('scores of ±1e4 give the exact finite loss in float32 and float64', () => {
    for (const data of [new Float64Array([-1e4, 1e4, 0]), new Float32Array([-1e4, 1e4, 0])]) {
      const { value, grads } = multiLabelMarginLoss.valueAndGrad({
        input: { shape: [1, 3], data },
        target: [[0, -1, -1]],
      });
      // (1 + 1e4 + 1e4) + (1 + 1e4 + 0), over C = 3.
      assertClose(value, { shape: [], data: [(2 + 3e4) / 3] }, { rtol: 1e-7, atol: 0 }, 'value');
      assertClose(
        grads.input,
        { shape: [1, 3], data: [-2 / 3, 1 / 3, 1 / 3] },
        { rtol: 1e-7, atol: 0 },
        'grad',
      );
    }
  });

  test('labels outside [−1, C), non-integers and mismatched shapes are errors naming the target', () => {
    rejects(
      () => multiLabelMargin([row], [[4, -1, -1, -1]]),
      'target',
      /label 4 at index \[0, 0\] is outside \[0, 4\) \(or -1/,
    );
    rejects(() => multiLabelMargin([row], [[0, -2, -1, -1]]), 'target', /label -2 at index \[0, 1\]/);
    rejects(
      () => multiLabelMargin([row], [[0.5, -1, -1, -1]]),
      'target',
      /label 0.5 at index \[0, 0\] is not an integer/,
    );
    rejects(
      () => multiLabelMargin([row], [0, -1, -1, -1]),
      'target',
      /shape \[4\] does not match input shape \[1, 4\]/,
    );
  });
});
