import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { assertClose } from '../../../../../test/helpers/assert-close.js';
import { nestedGradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { type LossEntry, pairwiseHinge, pairwiseHingeLoss } from '../../index.js';

/** Central-difference check of pairwiseHingeLoss on plain nested arrays. */
const check = nestedGradcheck(pairwiseHingeLoss as unknown as LossEntry);

const rejects = lossInputErrorAsserter('pairwiseHinge');

describe('pairwiseHinge', () => {
  test('at the kink (positive − negative = margin) the value is 0 and the gradient passes, as torch clamp_min', () => {
    const { value, grads } = pairwiseHingeLoss.valueAndGrad(
      { positive: [1.5, 3], negative: [0.5, 0] },
      { reduction: 'sum' },
    );
    assert.equal(value.item(), 0);
    assert.deepEqual([...grads.positive.data], [-1, 0]);
    assert.deepEqual([...grads.negative.data], [1, 0]);
  });

  test('scores of any matching shape are compared element by element', () => {
    const value = pairwiseHinge(
      [
        [0, 2],
        [1, 1],
      ],
      [
        [0, 0],
        [0, 3],
      ],
      { reduction: 'none' },
    );
    assertClose(value, { shape: [2, 2], data: [1, 0, 0, 3] }, { rtol: 0, atol: 0 }, 'value');
  });

  test('gradients match central differences for 2-D scores with an upstream and for margin 0', () => {
    const positive = [
      [0.3, -1.2, 0.8],
      [2.1, 0.4, -0.6],
    ];
    const negative = [
      [0.9, -0.1, 0.2],
      [0.5, 1.1, 0.7],
    ];
    check({ positive, negative }, { reduction: 'none', margin: 0.35 }, [
      [1, -2, 0.5],
      [3, 1, -1],
    ]);
    check({ positive, negative }, { margin: 0 });
  });

  test('adding the same constant to both scores leaves the loss unchanged', () => {
    const score = fc.double({ min: -100, max: 100, noNaN: true });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(score, score), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: -1000, max: 1000 }),
        (pairs, c) => {
          const pos = pairs.map(([p]) => p);
          const neg = pairs.map(([, n]) => n);
          const base = pairwiseHinge(pos, neg).item();
          const shifted = pairwiseHinge(
            pos.map((p) => p + c),
            neg.map((n) => n + c),
          ).item();
          assert.ok(Math.abs(base - shifted) <= 1e-9 * (1 + Math.abs(base)), `${base} vs ${shifted}`);
        },
      ),
    );
  });

  test('mismatched shapes are errors naming both shapes (no broadcasting)', () => {
    rejects(
      () => pairwiseHinge([1, 2, 3], [[1], [2], [3]]),
      'negative',
      /shape \[3, 1\] does not match positive shape \[3\]/,
    );
  });

  test('a negative margin is an error', () => {
    rejects(
      () => pairwiseHinge([1], [0], { margin: -1 }),
      'options.margin',
      /must be a finite number >= 0, got -1/,
    );
  });
});
