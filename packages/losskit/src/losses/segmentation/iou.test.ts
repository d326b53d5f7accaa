import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { assertAllFinite } from '../../../../../test/helpers/assert-close.js';
import { inputTargetGradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { dice, iou, iouLoss, type LossEntry } from '../../index.js';

/** Central-difference check of iouLoss on plain nested arrays. */
const check = inputTargetGradcheck(iouLoss as unknown as LossEntry);

const rejects = lossInputErrorAsserter('iou');

describe('iou', () => {
  test('an empty target with an empty prediction has loss 0, for both aggregates', () => {
    const zeros = [
      [0, 0],
      [0, 0],
    ];
    assert.equal(iou(zeros, zeros).item(), 0);
    assert.equal(iou(zeros, zeros, { aggregate: 'sample' }).item(), 0);
  });

  test('on an empty target the loss grows with every false positive', () => {
    let previous = 0;
    for (let k = 1; k <= 4; k++) {
      const pred = [Array.from({ length: 6 }, (_, i) => (i < k ? 1 : 0))];
      const loss = iou(pred, [[0, 0, 0, 0, 0, 0]]).item();
      assert.ok(loss > previous, `${k} false positives: ${loss} should exceed ${previous}`);
      previous = loss;
    }
  });

  test('logits of ±1e4 give a finite value and gradient', () => {
    const { value, grads } = iouLoss.valueAndGrad(
      {
        input: [
          [1e4, -1e4],
          [-1e4, 1e4],
        ],
        target: [
          [0, 1],
          [1, 1],
        ],
      },
      { fromLogits: true, aggregate: 'sample' },
    );
    assertAllFinite(value, 'value');
    assertAllFinite(grads.input, 'grads.input');
  });

  test('gradients match central differences for sample aggregation, logits, eps and an upstream', () => {
    const probs = [
      [0.9, 0.2, 0.65, 0.1],
      [0.3, 0.8, 0.05, 0.55],
    ];
    const target = [
      [1, 0, 1, 0],
      [0, 0, 0, 0],
    ];
    check(probs, target, { aggregate: 'sample' });
    check(
      [
        [2.1, -0.3, 0.8],
        [-1.5, 0.2, 3],
      ],
      [
        [1, 0, 1],
        [0, 0.4, 1],
      ],
      { fromLogits: true, aggregate: 'sample' },
    );
    check(probs, target, { eps: 1, fromLogits: true }, -1.5);
  });

  test('the IoU loss is never below the Dice loss on the same inputs (J ≤ D)', () => {
    const pair = fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1));
    fc.assert(
      fc.property(fc.array(pair, { minLength: 1, maxLength: 12 }), (pairs) => {
        const input = [pairs.map(([p]) => p)];
        const target = [pairs.map(([, y]) => y)];
        assert.ok(iou(input, target).item() >= dice(input, target).item() - 1e-12);
      }),
    );
  });

  test('bad inputs are errors naming the argument and the problem', () => {
    rejects(
      () => iou([[-0.1, 0.5]], [[0, 1]]),
      'input',
      /probability -0.1 at index \[0, 0\] is outside \[0, 1\]/,
    );
    rejects(
      () => iou([[0.5, 0.5]], [[-1, 1]]),
      'target',
      /target value -1 at index \[0, 0\] is outside \[0, 1\]/,
    );
    rejects(
      () => iou([[0.5, 0.5]], [[0, 1, 1]]),
      'target',
      /shape \[1, 3\] does not match input shape \[1, 2\]/,
    );
    rejects(
      () => iou([[0.5]], [[1]], { aggregate: 'pixel' as never }),
      'options.aggregate',
      /'batch' \| 'sample'/,
    );
  });
});
