import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertAllFinite, assertClose } from '../../../../../test/helpers/assert-close.js';
import { nestedGradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { contrastive, contrastiveLoss, type LossEntry } from '../../index.js';

/** Central-difference check of contrastiveLoss on plain nested arrays. */
const check = nestedGradcheck(contrastiveLoss as unknown as LossEntry);

const rejects = lossInputErrorAsserter('contrastive');

describe('contrastive', () => {
  test('identical embeddings give ½m² for a dissimilar pair, 0 for a similar one, and a zero (finite) gradient', () => {
    const a = [
      [0.3, -1.2, 2],
      [0.3, -1.2, 2],
    ];
    const { value, grads } = contrastiveLoss.valueAndGrad(
      { a, b: a, label: [1, 0] },
      { margin: 1.5, reduction: 'none' },
    );
    assertClose(value, { shape: [2], data: [0, 0.5 * 1.5 * 1.5] }, { rtol: 0, atol: 0 }, 'value');
    assertAllFinite(grads.a, 'grads.a');
    assert.deepEqual([...grads.a.data, ...grads.b.data], new Array(12).fill(0));
  });

  test('a dissimilar pair at or beyond the margin contributes nothing and gets no gradient', () => {
    const { value, grads } = contrastiveLoss.valueAndGrad(
      {
        a: [
          [0, 0],
          [0, 0],
        ],
        b: [
          [3, 4],
          [0.6, 0.8],
        ],
        label: [0, 0],
      },
      { margin: 1 },
    );
    assert.equal(value.item(), 0);
    assert.deepEqual([...grads.a.data], [0, 0, 0, 0]);
  });

  test('an unbatched [D] pair with a 0-d label gives a 0-d value equal to the one-row batch', () => {
    const one = contrastive([0.2, -0.5, 1], [0.7, 0.1, 0.4], 0, { reduction: 'none' });
    const batch = contrastive([[0.2, -0.5, 1]], [[0.7, 0.1, 0.4]], [0], { reduction: 'none' });
    assert.deepEqual(one.shape, []);
    assert.equal(one.item(), batch.data[0]);
  });

  test('differences of 1e-200 keep their direction: the distance rescales instead of underflowing to 0', () => {
    const tiny = 1e-200;
    const { value, grads } = contrastiveLoss.valueAndGrad({ a: [[tiny, tiny]], b: [[0, 0]], label: [0] });
    const d = tiny * Math.SQRT2;
    assertClose(value, { shape: [], data: [0.5 * (1 - d) ** 2] }, { rtol: 1e-15, atol: 0 }, 'value');
    // ∂ℓ/∂a = −(m − d)(a − b)/d = −(1 − d)/√2 per component.
    assertClose(
      grads.a,
      { shape: [1, 2], data: [-(1 - d) / Math.SQRT2, -(1 - d) / Math.SQRT2] },
      { rtol: 1e-12, atol: 0 },
      'grads.a',
    );
  });

  test('differences of 1e200 give a finite dissimilar loss of 0 instead of an overflow', () => {
    const { value, grads } = contrastiveLoss.valueAndGrad({
      a: [[1e200, -1e200]],
      b: [[-1e200, 1e200]],
      label: [0],
    });
    assert.equal(value.item(), 0);
    assertAllFinite(grads.a, 'grads.a');
  });

  test('gradients match central differences for unbatched rows, margin 0 and a none upstream', () => {
    check({ a: [0.2, -0.5, 1], b: [0.7, 0.1, 0.4], label: 1 }, {});
    check(
      {
        a: [
          [0.2, -0.5],
          [1, 2],
        ],
        b: [
          [0.7, 0.1],
          [0.4, 1.5],
        ],
        label: [0, 1],
      },
      { margin: 0 },
    );
    check(
      {
        a: [
          [0.2, -0.5, 1],
          [0.1, 0.1, 0.3],
          [2, 0, 1],
        ],
        b: [
          [0.7, 0.1, 0.4],
          [0.2, -0.1, 0.2],
          [1.9, 0.4, 1],
        ],
        label: [0, 0, 1],
      },
      { margin: 3, reduction: 'none' },
      [0.5, -2, 1.5],
    );
  });

  test('an empty batch has mean 0 and empty gradients', () => {
    const { value, grads } = contrastiveLoss.valueAndGrad({
      a: { shape: [0, 3], data: [] },
      b: { shape: [0, 3], data: [] },
      label: { shape: [0], data: [] },
    });
    assert.equal(value.item(), 0);
    assert.deepEqual(grads.a.shape, [0, 3]);
  });

  test('a label other than 0 or 1 is an error naming its value and index', () => {
    rejects(
      () => contrastive([[0], [1]], [[1], [1]], [1, 2]),
      'label',
      /label 2 at index \[1\] must be 0 or 1/,
    );
    rejects(() => contrastive([[0], [1]], [[1], [1]], [1, -1]), 'label', /label -1 at index \[1\]/);
  });

  test('mismatched shapes are errors naming both shapes', () => {
    rejects(
      () => contrastive([[0, 1, 2]], [[0, 1]], [1]),
      'b',
      /shape \[1, 2\] does not match a shape \[1, 3\]/,
    );
    rejects(
      () =>
        contrastive(
          [
            [0, 1],
            [2, 3],
          ],
          [
            [0, 1],
            [2, 3],
          ],
          [1, 0, 1],
        ),
      'label',
      /shape \[3\] does not match a shape \[2, 2\].*\[2\]/,
    );
    rejects(
      () => contrastive([[[0, 1]]], [[[0, 1]]], [[1]]),
      'a',
      /must have shape \[N, D\] or \[D\], got \[1, 1, 2\]/,
    );
  });

  test('a negative margin is an error', () => {
    rejects(
      () => contrastive([[0]], [[1]], [0], { margin: -1 }),
      'options.margin',
      /must be a finite number >= 0, got -1/,
    );
  });
});
