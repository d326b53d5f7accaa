import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertClose } from '../../../../../test/helpers/assert-close.js';
import { nestedGradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { type LossEntry, marginRanking, marginRankingLoss, pairwiseHingeLoss } from '../../index.js';

/** Central-difference check of marginRankingLoss on plain nested arrays. */
const check = nestedGradcheck(marginRankingLoss as unknown as LossEntry);

const rejects = lossInputErrorAsserter('marginRanking');

const input1 = [0.3, -1.2, 0.8, 2.1, 0.4];
const input2 = [0.9, -0.1, 0.2, 0.5, 1.1];

describe('marginRanking', () => {
  test('with target 1 it is pairwiseHinge(input1, input2), with target −1 pairwiseHinge(input2, input1)', () => {
    for (const margin of [0, 0.35, 1]) {
      for (const [y, positive, negative] of [
        [1, input1, input2],
        [-1, input2, input1],
      ] as const) {
        const target = input1.map(() => y);
        const got = marginRankingLoss.valueAndGrad(
          { input1, input2, target },
          { margin, reduction: 'none' },
          [1, -2, 0.5, 3, 1],
        );
        const want = pairwiseHingeLoss.valueAndGrad(
          { positive, negative },
          { margin, reduction: 'none' },
          [1, -2, 0.5, 3, 1],
        );
        const tol = { rtol: 0, atol: 0 };
        assertClose(got.value, want.value, tol, `value (y ${y}, margin ${margin})`);
        const [g1, g2] =
          y === 1 ? [want.grads.positive, want.grads.negative] : [want.grads.negative, want.grads.positive];
        assertClose(got.grads.input1, g1, tol, `grads.input1 (y ${y})`);
        assertClose(got.grads.input2, g2, tol, `grads.input2 (y ${y})`);
      }
    }
  });

  test('at the kink (y·(x₁ − x₂) = margin) the value is 0 and the gradient passes, as PyTorch 1.13', () => {
    // torch: F.margin_ranking_loss([1.5, 0.2, -1], [1, 0.7, -1.5], [1, -1, -1], margin=0.5,
    // reduction='sum') = 1, grads [-1, 1, 1] and [1, -1, -1] (rows 0 and 1 sit on the kink).
    const { value, grads } = marginRankingLoss.valueAndGrad(
      { input1: [1.5, 0.2, -1], input2: [1, 0.7, -1.5], target: [1, -1, -1] },
      { margin: 0.5, reduction: 'sum' },
    );
    assert.equal(value.item(), 1);
    assert.deepEqual([...grads.input1.data], [-1, 1, 1]);
    assert.deepEqual([...grads.input2.data], [1, -1, -1]);
  });

  test('gradients match central differences for mixed targets, 2-D scores, a negative margin and an upstream', () => {
    const target = [1, -1, -1, 1, -1];
    check({ input1, input2, target }, { margin: 0.25 });
    check({ input1, input2, target }, { margin: -0.3, reduction: 'sum' });
    check(
      {
        input1: [
          [0.3, -1.2],
          [0.8, 2.1],
        ],
        input2: [
          [0.9, -0.1],
          [0.2, 0.5],
        ],
        target: [
          [1, -1],
          [-1, 1],
        ],
      },
      { margin: 0.7, reduction: 'none' },
      [
        [1, -2],
        [0.5, 3],
      ],
    );
  });

  test('a pair ordered beyond the float range costs exactly 0; one mis-ordered beyond it is an overflow error', () => {
    const ordered = marginRankingLoss.valueAndGrad(
      { input1: [1e308], input2: [-1e308], target: [1] },
      { margin: 1 },
    );
    assert.equal(ordered.value.item(), 0);
    assert.deepEqual([...ordered.grads.input1.data], [0]);
    rejects(() => marginRanking([1e308], [-1e308], [-1]), 'input1', /Infinity.*overflow/);
  });

  test('a target other than −1 or 1 is an error naming its value and index (0/1 labels are not mapped)', () => {
    rejects(() => marginRanking([1, 2], [0, 0], [1, 0]), 'target', /label 0 at index \[1\] must be -1 or 1/);
    rejects(
      () => marginRanking([1, 2], [0, 0], [1, 0.5]),
      'target',
      /label 0.5 at index \[1\] must be -1 or 1/,
    );
  });

  test('mismatched shapes are errors naming both shapes (no broadcasting)', () => {
    rejects(
      () => marginRanking([1, 2, 3], [[1], [2], [3]], [1, 1, 1]),
      'input2',
      /shape \[3, 1\] does not match input1 shape \[3\]/,
    );
    rejects(
      () => marginRanking([1, 2, 3], [1, 2, 3], [1, 1]),
      'target',
      /shape \[2\] does not match input1 shape \[3\]/,
    );
  });

  test('a margin that is not a finite number is an error', () => {
    rejects(
      () => marginRanking([1], [0], [1], { margin: Number.NaN }),
      'options.margin',
      /must be a finite number, got NaN/,
    );
  });
});
