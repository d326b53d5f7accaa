import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertClose } from '../../../../../test/helpers/assert-close.js';
import { nestedGradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { hingeEmbedding, hingeEmbeddingLoss, type LossEntry } from '../../index.js';

/** Central-difference check of hingeEmbeddingLoss on plain nested arrays. */
const check = nestedGradcheck(hingeEmbeddingLoss as unknown as LossEntry);

const rejects = lossInputErrorAsserter('hingeEmbedding');

describe('hingeEmbedding', () => {
  test('similar pairs pay their distance as given (even a negative one), dissimilar ones max(0, m − x) with the gradient passing at x = m, as PyTorch 1.13', () => {
    // torch: F.hinge_embedding_loss([2, -0.5, 1, 0.3], [-1, 1, -1, -1], margin=2, reduction='sum')
    // = 0 − 0.5 + 1 + 1.7 = 2.2, grad [-1, 1, -1, -1] (row 0 sits on the kink).
    const { value, grads } = hingeEmbeddingLoss.valueAndGrad(
      { input: [2, -0.5, 1, 0.3], target: [-1, 1, -1, -1] },
      { margin: 2, reduction: 'sum' },
    );
    assertClose(value, { shape: [], data: [2.2] }, { rtol: 1e-15, atol: 0 }, 'value');
    assert.deepEqual([...grads.input.data], [-1, 1, -1, -1]);
  });

  test('beyond the margin a dissimilar pair has value and gradient 0', () => {
    const { value, grads } = hingeEmbeddingLoss.valueAndGrad({ input: [3, 10], target: [-1, -1] });
    assert.equal(value.item(), 0);
    assert.deepEqual([...grads.input.data], [0, 0]);
  });

  test('gradients match central differences for 2-D inputs, a margin, a negative margin and an upstream', () => {
    const input = [
      [0.2, 1.7, 0.9],
      [2.5, 0.05, 1.3],
    ];
    const target = [
      [1, -1, -1],
      [-1, -1, 1],
    ];
    check({ input, target }, { margin: 1.5 });
    check({ input, target }, { margin: -0.5, reduction: 'sum' });
    check({ input, target }, { margin: 2, reduction: 'none' }, [
      [1, -2, 0.5],
      [3, 1, -1],
    ]);
  });

  test('a target other than −1 or 1 is an error naming its value and index', () => {
    rejects(() => hingeEmbedding([0.5, 0.5], [0, 1]), 'target', /label 0 at index \[0\] must be -1 or 1/);
  });

  test('mismatched shapes are errors naming both shapes (no broadcasting)', () => {
    rejects(
      () => hingeEmbedding([0.5, 0.5], [[1], [1]]),
      'target',
      /shape \[2, 1\] does not match input shape \[2\]/,
    );
  });
});
