import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertAllFinite, assertClose } from '../../../../../test/helpers/assert-close.js';
import { inputTargetGradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { bceIou, bceIouLoss, iouLoss, type LossEntry } from '../../index.js';

/** Central-difference check of bceIouLoss on plain nested arrays. */
const check = inputTargetGradcheck(bceIouLoss as unknown as LossEntry);

const rejects = lossInputErrorAsserter('bceIou');

const probs = [
  [0.9, 0.2, 0.65, 0.1],
  [0.3, 0.8, 0.05, 0.55],
];
const target = [
  [1, 0, 1, 0],
  [0, 1, 0, 0],
];

describe('bceIou', () => {
  test('alpha 0 is the IoU loss, value and gradient', () => {
    const mixed = bceIouLoss.valueAndGrad({ input: probs, target }, { alpha: 0, aggregate: 'sample' });
    const pure = iouLoss.valueAndGrad({ input: probs, target }, { aggregate: 'sample' });
    assertClose(mixed.value, pure.value, { rtol: 1e-15, atol: 0 }, 'value');
    assertClose(mixed.grads.input, pure.grads.input, { rtol: 1e-15, atol: 0 }, 'grads');
  });

  test('alpha 1 is the binary cross-entropy averaged over every element', () => {
    const expected = -(Math.log(0.9) + Math.log(0.8)) / 2;
    assertClose(
      bceIou([[0.9, 0.2]], [[1, 0]], { alpha: 1 }),
      { shape: [], data: [expected] },
      { rtol: 1e-14, atol: 0 },
      'value',
    );
  });

  test('an empty target with an empty prediction costs only the (zero) BCE', () => {
    assert.equal(bceIou([[0, 0, 0]], [[0, 0, 0]]).item(), 0);
  });

  test('logits of ±1e4 give a finite value and gradient, even on the wrong side', () => {
    const { value, grads } = bceIouLoss.valueAndGrad(
      { input: [[1e4, -1e4, 1e4]], target: [[0, 1, 1]] },
      { fromLogits: true },
    );
    assertAllFinite(value, 'value');
    assert.ok(value.item() > 3000, 'the BCE part is about 2e4 / 3 times alpha');
    assertAllFinite(grads.input, 'grads.input');
  });

  test('gradients match central differences for alpha, sample aggregation, logits, soft targets and an upstream', () => {
    check(probs, target, { alpha: 0.7, aggregate: 'sample' });
    check(
      [
        [2.1, -0.3, 0.8],
        [-1.5, 0.2, 3],
      ],
      [
        [1, 0, 1],
        [0, 0.4, 1],
      ],
      { fromLogits: true, aggregate: 'sample', alpha: 0.2 },
    );
    check(
      probs,
      [
        [0.9, 0.1, 0.5, 0],
        [0.2, 1, 0, 0.3],
      ],
      { eps: 1 },
      -2,
    );
  });

  test('alpha outside [0, 1], probabilities outside [0, 1] and a bad aggregate are errors', () => {
    rejects(() => bceIou(probs, target, { alpha: 2 }), 'options.alpha', /got 2/);
    rejects(() => bceIou([[1.01]], [[1]]), 'input', /probability 1.01 at index \[0, 0\] is outside \[0, 1\]/);
    rejects(
      () => bceIou([[0.5]], [[1]], { aggregate: 'all' as never }),
      'options.aggregate',
      /must be one of 'batch' \| 'sample', got 'all'/,
    );
  });
});
